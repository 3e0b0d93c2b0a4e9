from django.urls import URLPattern, URLResolver

app_name = "eservices"
urlpatterns: list[URLPattern | URLResolver] = []

from django.urls import URLPattern, URLResolver, path

from egov.payments import views

app_name = "payments"
urlpatterns: list[URLPattern | URLResolver] = [
    path("doi-soat/", views.reconcile, name="reconcile"),
    path("thong-bao/<slug:gateway>/", views.callback, name="callback"),
    path("<str:token>/", views.pay, name="pay"),
    path("<str:token>/ket-qua/", views.returned, name="returned"),
    path("<str:token>/bien-lai/<str:reference>.pdf", views.receipt, name="receipt"),
]

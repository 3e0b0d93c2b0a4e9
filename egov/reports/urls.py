from django.urls import path

from egov.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.statistics, name="statistics"),
    path("excel/", views.statistics_xlsx, name="statistics_xlsx"),
]

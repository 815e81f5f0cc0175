from django.urls import path

from sgu.reporting import views

app_name = "reporting"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path(
        "exportar/codigos-de-reclamo.<str:fmt>", views.late_codes_export, name="late_codes_export"
    ),
    path("exportar/<str:dimension>.<str:fmt>", views.export, name="export"),
    path("diario/", views.daily_reports, name="daily"),
    path("diario/<str:day>.<str:fmt>", views.daily_report, name="daily_file"),
]

from django.urls import path, re_path

from sgu.service_requests import views

app_name = "service_requests"
urlpatterns = [
    path("", views.home, name="home"),
    # The public status lookup.
    path("consulta/", views.lookup, name="lookup"),
    # The operator's portal (scoped to the signed-in person's operator).
    path("operadora/", views.batches, name="batches"),
    path("operadora/enviar/", views.upload, name="upload"),
    path("operadora/plantilla.csv", views.template_csv, name="template_csv"),
    path("operadora/reportes/<int:pk>/", views.batch_detail, name="batch"),
    path("operadora/reportes/<int:pk>/errores.csv", views.batch_errors, name="batch_errors"),
    path("operadora/reportes/<int:pk>/archivo/", views.batch_file, name="batch_file"),
    # The regulator.
    path("regulador/", views.monitor, name="monitor"),
    path("regulador/dias/", views.days, name="days"),
    re_path(r"^regulador/dias\.(?P<fmt>csv|xlsx)$", views.days_export, name="days_export"),
    re_path(
        r"^regulador/(?P<alert>[a-z-]+)\.(?P<fmt>csv|xlsx)$",
        views.alert_export,
        name="alert_export",
    ),
    path("regulador/<slug:alert>/", views.alert_list, name="alert"),
]

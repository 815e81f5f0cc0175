from django.urls import path

from sgu.outages import views

app_name = "outages"
urlpatterns = [
    # The operator's portal (scoped to the signed-in agent's operator).
    path("puntos/", views.points, name="points"),
    path("puntos/nuevo/", views.point_new, name="point_new"),
    path("puntos/<int:pk>/editar/", views.point_edit, name="point_edit"),
    path("eventos/", views.events, name="events"),
    path("eventos/nuevo/", views.event_new, name="event_new"),
    path("eventos/<int:pk>/", views.event_detail, name="event"),
    path("eventos/<int:pk>/cerrar/", views.event_close, name="event_close"),
    path("eventos/<int:pk>/confirmar/", views.event_confirm, name="event_confirm"),
    path("eventos/<int:pk>/evaluar/", views.event_evaluate, name="event_evaluate"),
    path("eventos/<int:pk>/aprobar/", views.event_approve, name="event_approve"),
    path("aplicativos/", views.applications, name="applications"),
    # The regulator.
    path("regulador/", views.regulator_events, name="regulator_events"),
    path("regulador/exportar.csv", views.export_csv, name="export_csv"),
    path("regulador/exportar.xlsx", views.export_xlsx, name="export_xlsx"),
    path("contingencias/", views.windows, name="windows"),
    path("contingencias/nueva/", views.window_new, name="window_new"),
    path("contingencias/<int:pk>/", views.window_detail, name="window"),
    path("contingencias/<int:pk>/aplicar/", views.window_apply, name="window_apply"),
]

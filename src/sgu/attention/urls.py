from django.urls import path

from sgu.attention import views

app_name = "attention"
urlpatterns = [
    path("", views.home, name="home"),
    path("areas/<str:code>/", views.area, name="area"),
    path("consultas/", views.queries, name="queries"),
    path("consultas/nueva/", views.new_query, name="new_query"),
    path("consultas/motivos/", views.motives, name="motives"),
    path("consultas/motivos.csv", views.motives_csv, name="motives_csv"),
    path("consultas/<str:code>/", views.query, name="query"),
    path("consultas/<str:code>/responder/", views.answer_query, name="answer_query"),
    path("consultas/<str:code>/revisar/", views.review_query, name="review_query"),
    path("escalar/", views.escalate, name="escalate"),
    path("escalamientos/<int:pk>/", views.escalation, name="escalation"),
    path(
        "escalamientos/<int:pk>/<str:action>/",
        views.escalation_action,
        name="escalation_action",
    ),
    path("registro/", views.record, name="record"),
    path("registro.csv", views.record_csv, name="record_csv"),
    path("orientadores/", views.assistants, name="assistants"),
    path("orientadores.csv", views.assistants_csv, name="assistants_csv"),
    path("indicadores/", views.indicators, name="indicators"),
    path("indicadores.csv", views.indicators_csv, name="indicators_csv"),
    path("incidencias/", views.incidents_report, name="incidents_report"),
    path("incidencias.<str:fmt>", views.incidents_report_export, name="incidents_report_export"),
    path("requerimientos/", views.requirements, name="requirements"),
    path("encuestas/", views.surveys, name="surveys"),
    path("encuestas.csv", views.surveys_csv, name="surveys_csv"),
]

from django.urls import path

from sgu.suggestions import views

app_name = "suggestions_staff"
urlpatterns = [
    path("", views.staff_list, name="list"),
    path("informe/", views.report, name="report"),
    path("informe.csv", views.report_csv, name="report_csv"),
    path("informe-del-area/", views.area_report, name="area_report"),
    path("registrar/", views.enter, name="enter"),
    path("<str:code>/", views.staff_detail, name="detail"),
    path("<str:code>/derivar/", views.route, name="route"),
    path("<str:code>/responder/", views.answer, name="answer"),
    path("<str:code>/accion/", views.action, name="action"),
    path("<str:code>/calificar/", views.triage, name="triage"),
]

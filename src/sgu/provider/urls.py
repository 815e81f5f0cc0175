from django.urls import path

from sgu.provider import views

app_name = "provider"
urlpatterns = [
    path("", views.register, name="register"),
    path("exportar.csv", views.export_csv, name="export_csv"),
    path("exportar.xlsx", views.export_xlsx, name="export_xlsx"),
    path("requerimientos/nuevo/", views.new_requirement, name="new"),
    path("requerimientos/<str:code>/", views.requirement, name="requirement"),
    path("requerimientos/<str:code>/acciones/<str:action>/", views.act, name="act"),
    path("requerimientos/<str:code>/adjuntos/", views.add_attachments, name="add_attachments"),
    path("requerimientos/<str:code>/adjuntos/<int:pk>/", views.attachment, name="attachment"),
    path("requerimientos/<str:code>/replicas/", views.plan_replica, name="plan_replica"),
    path("replicas/", views.replicas, name="replicas"),
    path("replicas/<int:pk>/", views.replica, name="replica"),
    path("replicas/<int:pk>/iniciar/", views.start_replica, name="start_replica"),
    path("replicas/<int:pk>/confirmar/", views.confirm, name="confirm"),
    path("replicas/<int:pk>/evaluacion/", views.schedule_evaluation, name="schedule_evaluation"),
    path("replicas/<int:pk>/evaluacion/rendir/", views.take_evaluation, name="take_evaluation"),
    path("mis-capacitaciones/", views.my_trainings, name="mine"),
    path("reportes/", views.reports, name="reports"),
    path("reportes/envios/", views.subscribe, name="subscribe"),
    path("reportes.csv", views.reports_csv, name="reports_csv"),
    path("reportes.xlsx", views.reports_xlsx, name="reports_xlsx"),
]

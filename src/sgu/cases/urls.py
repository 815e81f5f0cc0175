from django.urls import path

from sgu.cases import app_views, views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    # The installable app (its scope is this prefix): manifest, worker, offline page.
    path("app.webmanifest", app_views.manifest, name="manifest"),
    path("sw.js", app_views.service_worker, name="service_worker"),
    path("sin-conexion/", app_views.offline, name="offline"),
    path("nuevo/", views.new_case, name="new"),
    path("nuevo/campos/", views.new_case_fields, name="new_fields"),
    path("<str:code>/", views.case_detail, name="detail"),
    path("<str:code>/adjuntos/", views.add_attachments, name="add_attachments"),
    path("<str:code>/adjuntos/<int:pk>/", views.attachment, name="attachment"),
    path("<str:code>/calificar/", views.rate, name="rate"),
    path("<str:code>/reclamo/", views.request_claim, name="request_claim"),
    path("<str:code>/reclamo/formulario.pdf", views.claim_form, name="claim_form"),
    path("<str:code>/reclamo/documentos/<str:token>/", views.claim_document, name="claim_document"),
]

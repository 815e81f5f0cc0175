"""The operator's tray pages (cases/operator_views.py). sgu/urls.py mounts them under
/operadora/ together with operators/urls.py, in the one "operators" namespace."""

from django.urls import path

from sgu.cases import operator_views as views

urlpatterns = [
    path("bandeja/", views.tray, name="tray"),
    path("bandeja/exportar.csv", views.tray_export, {"fmt": "csv"}, name="tray_csv"),
    path("bandeja/exportar.xlsx", views.tray_export, {"fmt": "xlsx"}, name="tray_xlsx"),
    path("casos/<str:code>/", views.case_detail, name="case"),
    path("casos/<str:code>/atender/", views.acknowledge, name="acknowledge"),
    path("casos/<str:code>/solucion/", views.answer, name="answer"),
    path("casos/<str:code>/adjuntos/<int:pk>/", views.attachment, name="attachment"),
    path("casos/<str:code>/devolver/", views.return_case, name="return"),
    path("casos/<str:code>/reclamo/formulario.pdf", views.claim_form, name="claim_form"),
    path("reclamos/", views.claims, name="claims"),
    path("reclamos/<int:claim_id>/codigo/", views.assign_claim_code, name="assign_claim_code"),
]

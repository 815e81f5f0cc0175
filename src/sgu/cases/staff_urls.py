from django.urls import path

from sgu.cases import staff_views as views

# Mounted by sgu/urls.py under /regulador/, in the "staff" namespace, with the assisted
# registration pages the attention serves (attention/assisted_urls.py).
app_name = "staff"
urlpatterns = [
    path("", views.home, name="home"),
    path("devueltos/", views.returns, name="returns"),
    path("bandeja/", views.tray, name="tray"),
    path("bandeja/vistas/", views.save_view, name="save_view"),
    path("bandeja/vistas/<int:pk>/borrar/", views.delete_view, name="delete_view"),
    path("casos/<str:code>/constancia/", views.receipt, name="receipt"),
    path("casos/<str:code>/constancia/enviar/", views.email_receipt, name="email_receipt"),
    path("casos/<str:code>/", views.case_detail, name="case"),
    path("casos/<str:code>/reasignar/", views.reassign, name="reassign"),
    path("casos/<str:code>/confirmar-devolucion/", views.confirm_return, name="confirm_return"),
    path("casos/<str:code>/adjuntos/<int:pk>/", views.attachment, name="attachment"),
    path("casos/<str:code>/reclamo/formulario.pdf", views.claim_form, name="claim_form"),
]

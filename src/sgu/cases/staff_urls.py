from django.urls import path

from sgu.cases import staff_views as views

app_name = "staff"
urlpatterns = [
    path("", views.home, name="home"),
    path("devueltos/", views.returns, name="returns"),
    path("casos/<str:code>/", views.case_detail, name="case"),
    path("casos/<str:code>/reasignar/", views.reassign, name="reassign"),
    path("casos/<str:code>/confirmar-devolucion/", views.confirm_return, name="confirm_return"),
    path("casos/<str:code>/adjuntos/<int:pk>/", views.attachment, name="attachment"),
]

from django.urls import path

from sgu.knowledge import views

app_name = "knowledge"
urlpatterns = [
    path("", views.search, name="search"),
    path("pendientes/", views.pending, name="pending"),
    path("articulos/<int:pk>/", views.article, name="article"),
    path("versiones/<int:pk>/confirmar/", views.confirm, name="confirm"),
    path("versiones/<int:pk>/documento/", views.document, name="document"),
    # Supervisors.
    path("gestion/", views.manage, name="manage"),
    path("gestion/nuevo/", views.new, name="new"),
    path("articulos/<int:pk>/cambiar/", views.change, name="change"),
    path("versiones/<int:pk>/", views.version, name="version"),
    path("versiones/<int:pk>/aprobar/", views.approve, name="approve"),
    path("versiones/<int:pk>/rechazar/", views.reject, name="reject"),
]

from django.urls import path

from sgu.knowledge import views

app_name = "knowledge"
urlpatterns = [
    path("", views.search, name="search"),
    path("pendientes/", views.pending, name="pending"),
    path("articulos/<int:pk>/", views.article, name="article"),
    path("versiones/<int:pk>/confirmar/", views.confirm, name="confirm"),
    path("versiones/<int:pk>/documento/", views.document, name="document"),
    # The incident matrix (attention staff).
    path("matriz/", views.matrix, name="matrix"),
    path("matriz/<int:pk>/", views.matrix_entry, name="matrix_entry"),
    path("matriz/incidencia/<int:hop_pk>/parecidas/", views.matrix_suggest, name="matrix_suggest"),
    path("matriz/incidencia/<int:hop_pk>/registrar/", views.matrix_new, name="matrix_new"),
    # Supervisors.
    path("gestion/", views.manage, name="manage"),
    path("gestion/nuevo/", views.new, name="new"),
    path("articulos/<int:pk>/cambiar/", views.change, name="change"),
    path("versiones/<int:pk>/", views.version, name="version"),
    path("versiones/<int:pk>/aprobar/", views.approve, name="approve"),
    path("versiones/<int:pk>/rechazar/", views.reject, name="reject"),
]

"""Account pages served by the cases app (cases/account_views.py). sgu/urls.py mounts them
under /cuenta/ together with accounts/urls.py, in the one "accounts" namespace."""

from django.urls import path

from sgu.cases import account_views as views

urlpatterns = [
    path("confirmar/", views.confirm_manual, name="confirm_manual"),
    path("confirmar/<str:token>/", views.confirm, name="confirm"),
    path("mis-datos/descargar/", views.my_data_download, name="my_data_download"),
]

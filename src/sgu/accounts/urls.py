from django.urls import path

from sgu.accounts import views

app_name = "accounts"
urlpatterns = [
    path("registro/", views.register, name="register"),
    path("registro/listo/", views.register_done, name="register_done"),
    path("confirmar/", views.confirm_manual, name="confirm_manual"),
    path("confirmar/<str:token>/", views.confirm, name="confirm"),
    path("reenviar-confirmacion/", views.resend, name="resend"),
    path("ingresar/", views.login_view, name="login"),
    path("salir/", views.logout_view, name="logout"),
]

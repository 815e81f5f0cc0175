from django.urls import path

from sgu.accounts import views

# Mounted by sgu/urls.py under /cuenta/, in the "accounts" namespace, with the account pages
# the cases app serves (cases/account_urls.py: confirming the email, downloading one's data).
app_name = "accounts"
urlpatterns = [
    path("registro/", views.register, name="register"),
    path("registro/listo/", views.register_done, name="register_done"),
    path("reenviar-confirmacion/", views.resend, name="resend"),
    path("ingresar/", views.login_view, name="login"),
    path("verificar/", views.second_factor, name="second_factor"),
    path("verificar/configurar/", views.second_factor_setup, name="second_factor_setup"),
    path("seguridad/", views.security, name="security"),
    path("recuperar/", views.password_reset, name="password_reset"),
    path("recuperar/enviado/", views.password_reset_sent, name="password_reset_sent"),
    path(
        "recuperar/<str:uidb64>/<str:token>/",
        views.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path("mis-datos/", views.my_data, name="my_data"),
    path("correcciones/", views.corrections, name="corrections"),
    path("salir/", views.logout_view, name="logout"),
]

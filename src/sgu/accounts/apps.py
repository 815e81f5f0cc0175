from django.apps import AppConfig


class AccountsConfig(AppConfig):
    verbose_name = "Cuentas"
    name = "sgu.accounts"
    label = "accounts"

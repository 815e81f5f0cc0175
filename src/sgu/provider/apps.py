from django.apps import AppConfig


class ProviderConfig(AppConfig):
    verbose_name = "Proveedor del centro de contacto"
    name = "sgu.provider"
    label = "provider"

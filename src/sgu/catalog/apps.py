from django.apps import AppConfig


class CatalogConfig(AppConfig):
    verbose_name = "Catálogo"
    name = "sgu.catalog"
    label = "catalog"

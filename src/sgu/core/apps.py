from django.apps import AppConfig


class CoreConfig(AppConfig):
    verbose_name = "Núcleo (calendario, auditoría)"
    name = "sgu.core"
    label = "core"

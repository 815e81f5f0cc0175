from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "sgu.reporting"
    label = "reporting"
    verbose_name = "Estadísticas"

from django.apps import AppConfig


class CasesConfig(AppConfig):
    verbose_name = "Casos"
    name = "sgu.cases"
    label = "cases"

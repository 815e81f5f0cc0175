from django.apps import AppConfig


class OperatorsConfig(AppConfig):
    verbose_name = "Operadoras"
    name = "sgu.operators"
    label = "operators"

from django.apps import AppConfig


class OutagesConfig(AppConfig):
    verbose_name = "Inoperatividad y contingencia"
    name = "sgu.outages"
    label = "outages"

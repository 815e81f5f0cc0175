from django.apps import AppConfig


class AttentionConfig(AppConfig):
    verbose_name = "Niveles de atención"
    name = "sgu.attention"
    label = "attention"

from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    verbose_name = "Base de conocimiento"
    name = "sgu.knowledge"
    label = "knowledge"

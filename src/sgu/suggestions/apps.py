from django.apps import AppConfig


class SuggestionsConfig(AppConfig):
    verbose_name = "Sugerencias"
    name = "sgu.suggestions"
    label = "suggestions"

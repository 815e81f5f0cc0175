from django.apps import AppConfig


class ServiceRequestsConfig(AppConfig):
    name = "sgu.service_requests"
    verbose_name = "Bajas y migraciones"

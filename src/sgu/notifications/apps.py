from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    verbose_name = "Notificaciones"
    name = "sgu.notifications"
    label = "notifications"

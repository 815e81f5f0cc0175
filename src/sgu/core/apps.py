from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.module_loading import autodiscover_modules


class CoreConfig(AppConfig):
    verbose_name = "Núcleo (calendario, auditoría)"
    name = "sgu.core"
    label = "core"

    def ready(self) -> None:
        # Each app's jobs.py declares its periodic jobs and stored files (core.scheduler,
        # core.files): loaded here, by name, so that core imports no app.
        autodiscover_modules("jobs")


class SguAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with every change audited (core/admin_site.py)."""

    default = False  # named in INSTALLED_APPS; CoreConfig stays this module's default
    default_site = "sgu.core.admin_site.AuditedAdminSite"

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class CoreConfig(AppConfig):
    verbose_name = "Núcleo (calendario, auditoría)"
    name = "sgu.core"
    label = "core"


class SguAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with every change audited (core/admin_site.py)."""

    default = False  # named in INSTALLED_APPS; CoreConfig stays this module's default
    default_site = "sgu.core.admin_site.AuditedAdminSite"

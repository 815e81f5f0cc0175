from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.module_loading import autodiscover_modules
from django_tasks_db.apps import TasksAppConfig


class CoreConfig(AppConfig):
    default = True  # this module also holds other apps' configs (below)
    verbose_name = "Núcleo (calendario, auditoría)"
    name = "sgu.core"
    label = "core"

    def ready(self) -> None:
        # Each app's jobs.py declares its periodic jobs and stored files (core.scheduler,
        # core.files): loaded here, by name, so that core imports no app.
        autodiscover_modules("jobs")
        # Each app's metrics.py registers what /metrics computes from its data (core.metrics).
        autodiscover_modules("metrics")


class SguAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with every change audited (core/admin_site.py)."""

    default = False  # named in INSTALLED_APPS; CoreConfig stays this module's default
    default_site = "sgu.core.admin_site.AuditedAdminSite"


class TasksDatabaseConfig(TasksAppConfig):
    """django_tasks_db as the admin shows it: in Spanish (its strings: locale/es)."""

    default = False
    verbose_name = "Tareas en segundo plano (correos)"

    def ready(self) -> None:
        super().ready()
        # The admin has discovered every app's admin.py by now (AdminConfig comes first):
        # django_tasks_db's own registration is swapped for the Spanish one. Imported here,
        # not at the top: admin classes need the app registry ready.
        from django.contrib import admin
        from django_tasks_db.models import DBTaskResult

        from sgu.core.admin import TaskResultAdmin

        if admin.site.is_registered(DBTaskResult):
            admin.site.unregister(DBTaskResult)
        admin.site.register(DBTaskResult, TaskResultAdmin)

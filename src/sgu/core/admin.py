from datetime import datetime
from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from sgu.core.admin_site import ModelAdmin
from sgu.core.models import AuditEvent, CalendarDay
from sgu.core.reference import BumpsReferenceStamp


class ReadOnlyAdmin(ModelAdmin):
    """Records written only through the services and kept forever: the admin lists and shows
    them, never adds, edits or deletes (the same for every app)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(CalendarDay)
class CalendarDayAdmin(BumpsReferenceStamp, ModelAdmin):
    list_display = ["date", "is_working", "reason"]
    list_filter = ["is_working"]
    date_hierarchy = "date"
    search_fields = ["reason"]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Read-only: the audit trail cannot be edited through the app."""

    list_display = ["at", "action", "actor", "target", "ip"]
    list_filter = ["action"]
    search_fields = ["action", "target"]


class TaskResultAdmin(DBTaskResultAdmin):
    """django_tasks_db's own admin with its column headers in Spanish."""

    list_display = (
        "id",
        "tarea",
        "status",
        "enqueued_at",
        "started_at",
        "finished_at",
        "priority",
        "queue_name",
    )

    @admin.display(description="tarea", ordering="task_path")
    def tarea(self, obj: DBTaskResult[..., Any]) -> str:
        return obj.task_name

    @admin.display(description="traza del error")
    def formatted_traceback(self, obj: DBTaskResult[..., Any]) -> str:
        return super().formatted_traceback(obj)

    @admin.display(description="ejecutar desde")
    def display_run_after(self, obj: DBTaskResult[..., Any]) -> datetime | str:
        return super().display_run_after(obj)

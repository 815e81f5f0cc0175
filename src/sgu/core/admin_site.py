"""The Django admin, audited. Every change made through /admin/ — an addition, a change, a
deletion, by any model's admin, ours or Django's — lands in the audit trail next to logins
and key changes (core/audit.py), besides the admin's own LogEntry that an admin can browse.
It is done where every admin class passes, the site's register(), so a new admin cannot
forget it."""

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from sgu.core import audit

if TYPE_CHECKING:  # django-stubs makes ModelAdmin generic; at run time it is not subscriptable
    ModelAdmin = admin.ModelAdmin[Any]
else:
    ModelAdmin = admin.ModelAdmin


def _record(action: str, request: HttpRequest, obj: Model, **data: Any) -> None:
    audit.record(
        action,
        actor=request.user,
        target=f"{obj._meta.label}:{obj.pk}",
        request=request,
        data={"repr": str(obj)[:200], **data},
    )


class AuditedAdmin(ModelAdmin):
    """Put in front of every registered ModelAdmin (a mixin over ModelAdmin's logging)."""

    def log_addition(self, request: HttpRequest, obj: Model, message: Any) -> Any:
        _record("admin.added", request, obj, change=message)
        return super().log_addition(request, obj, message)

    def log_change(self, request: HttpRequest, obj: Model, message: Any) -> Any:
        _record("admin.changed", request, obj, change=message)
        return super().log_change(request, obj, message)

    def log_deletions(self, request: HttpRequest, queryset: QuerySet[Any]) -> Any:
        for obj in queryset:
            _record("admin.deleted", request, obj)
        return super().log_deletions(request, queryset)


class AuditedAdminSite(admin.AdminSite):
    def register(self, model_or_iterable: Any, admin_class: Any = None, **options: Any) -> None:
        base = admin_class or admin.ModelAdmin
        if not issubclass(base, AuditedAdmin):
            base = type(base.__name__, (AuditedAdmin, base), {"__module__": base.__module__})
        super().register(model_or_iterable, base, **options)

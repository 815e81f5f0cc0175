"""Read-only admin views: reports, days and requests are written only by the ingest
(services.py, ingest.py); the admin is for looking, e.g. a request by its code."""

from django.contrib import admin

from sgu.core.admin import ReadOnlyAdmin
from sgu.service_requests.models import Batch, DailyReport, ServiceRequest


@admin.register(Batch)
class BatchAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "operator",
        "report_date",
        "state",
        "rows_total",
        "rows_ok",
        "rows_rejected",
        "replaced_by",
        "uploaded_at",
    )
    list_filter = ("state", "source", "operator")
    date_hierarchy = "report_date"
    list_select_related = ("operator",)


@admin.register(DailyReport)
class DailyReportAdmin(ReadOnlyAdmin):
    list_display = ("report_date", "operator", "batch", "received_at", "late", "missing_flagged_at")
    list_filter = ("late", "operator")
    date_hierarchy = "report_date"
    list_select_related = ("operator",)


@admin.register(ServiceRequest)
class ServiceRequestAdmin(ReadOnlyAdmin):
    list_display = (
        "request_code",
        "operator",
        "kind",
        "status",
        "requested_at",
        "scheduled_date",
        "executed_at",
        "report_date",
    )
    list_filter = ("kind", "status", "service", "channel")
    search_fields = ("=request_code",)
    list_select_related = ("operator",)
    show_full_result_count = False  # no COUNT(*) over millions of rows on each page

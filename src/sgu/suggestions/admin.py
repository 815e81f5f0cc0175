"""Topics (and the area each is routed to) are configured here; suggestions and their
events are read-only (written by the services)."""

from django.contrib import admin

from sgu.core.admin import ReadOnlyAdmin
from sgu.suggestions.models import Suggestion, SuggestionEvent, SuggestionTopic


@admin.register(SuggestionTopic)
class SuggestionTopicAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "area", "active", "position")
    list_editable = ("area", "active", "position")
    list_select_related = ("area",)

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: past suggestions keep their topic


class EventInline(admin.TabularInline):
    model = SuggestionEvent
    fields = ("at", "kind", "by", "area", "note")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Suggestion)
class SuggestionAdmin(ReadOnlyAdmin):
    list_display = ("code", "received_at", "channel", "topic", "area", "state", "answered_at")
    list_filter = ("state", "channel", "topic", "area")
    search_fields = ("code",)
    date_hierarchy = "received_at"
    list_select_related = ("topic", "area")
    inlines = [EventInline]

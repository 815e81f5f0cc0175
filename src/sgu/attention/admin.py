from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from sgu.accounts.models import REGULATOR_ROLES
from sgu.attention.models import (
    Area,
    AreaMember,
    AttentionEvent,
    Escalation,
    Query,
    QueryMotive,
    Survey,
)
from sgu.core.admin import ReadOnlyAdmin


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "active"]
    list_filter = ["level", "active"]
    search_fields = ["code", "name"]

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: escalations keep pointing at it


class AreaMemberForm(forms.ModelForm):
    class Meta:
        model = AreaMember
        fields = ["area", "user"]

    def clean_user(self):
        user = self.cleaned_data["user"]
        if user.role not in REGULATOR_ROLES:
            raise ValidationError("Solo el personal del regulador puede integrar un área.")
        return user


@admin.register(AreaMember)
class AreaMemberAdmin(admin.ModelAdmin):
    form = AreaMemberForm
    list_display = ["user", "area", "created_at"]
    list_filter = ["area"]
    search_fields = ["user__email", "user__last_name", "area__name"]
    autocomplete_fields = ["user"]


@admin.register(Query)
class QueryAdmin(ReadOnlyAdmin):
    list_display = ["code", "state", "channel", "topic", "registered_at", "resolved_level"]
    list_filter = ["state", "channel", "resolved_level"]
    search_fields = ["code", "document_number", "email", "name"]
    date_hierarchy = "registered_at"


@admin.register(Escalation)
class EscalationAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "area",
        "level",
        "state",
        "criticality",
        "complexity",
        "escalated_at",
        "due_at",
        "answered_at",
        "on_time",
    ]
    list_filter = ["level", "state", "criticality", "area"]
    search_fields = ["case__code", "query__code"]
    date_hierarchy = "escalated_at"


@admin.register(AttentionEvent)
class AttentionEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "kind", "escalation", "query", "actor", "from_state", "to_state"]
    list_filter = ["kind"]
    search_fields = ["query__code", "case__code"]
    date_hierarchy = "at"


@admin.register(Survey)
class SurveyAdmin(ReadOnlyAdmin):
    list_display = ["id", "office", "agent", "offered_at", "answered_at", "score"]
    list_filter = ["office", "score", "answered_via"]
    date_hierarchy = "offered_at"
    exclude = ["token_hash"]


@admin.register(QueryMotive)
class QueryMotiveAdmin(admin.ModelAdmin):
    """The consulta classification: families (no parent) and their sub-motives."""

    list_display = ["__str__", "code", "legal", "active", "order"]
    list_filter = ["active", "legal", "parent"]
    search_fields = ["code", "name"]

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: consultas keep pointing at it

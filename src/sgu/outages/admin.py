"""The regulator's admin: contingency windows are registered here too (through the service,
which extends the plazos at once); the register and the extensions are read-only."""

from django import forms
from django.contrib import admin, messages

from sgu.accounts.auth import principal_for_user
from sgu.core.admin import ReadOnlyAdmin
from sgu.core.errors import DomainError
from sgu.outages import services
from sgu.outages.models import (
    AffectedApplication,
    AttentionPoint,
    ContingencyExtension,
    ContingencyWindow,
    OutageEvent,
    ProcedureSubcategory,
    ScenarioClosingReason,
)


@admin.register(ScenarioClosingReason)
class ScenarioClosingReasonAdmin(admin.ModelAdmin):
    """The table of closing reasons each scenario admits ("Error de usuario" needs no row:
    it is always admitted, with its sustento)."""

    list_display = ["scenario", "closing_reason"]
    list_filter = ["scenario"]


@admin.register(AffectedApplication)
class AffectedApplicationAdmin(admin.ModelAdmin):
    """The common catalog (operator empty) is kept here; operators add their own entries in
    their portal or by API."""

    list_display = ["name", "code", "group", "operator", "active", "order"]
    list_filter = ["group", "active", "operator"]
    search_fields = ["code", "name"]


@admin.register(ProcedureSubcategory)
class ProcedureSubcategoryAdmin(admin.ModelAdmin):
    """Which SGU subcategories count as each procedure type in the evaluation's case count."""

    list_display = ["procedure_type", "subcategory"]
    list_filter = ["procedure_type"]
    autocomplete_fields = ["subcategory"]


@admin.register(AttentionPoint)
class AttentionPointAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "operator", "kind", "ubigeo", "active"]
    list_filter = ["operator", "kind", "active"]
    search_fields = ["code", "name", "ubigeo"]


@admin.register(OutageEvent)
class OutageEventAdmin(ReadOnlyAdmin):
    list_display = [
        "number",
        "operator",
        "attention_point",
        "procedure_type",
        "scenario",
        "started_at",
        "ended_at",
        "closing_reason",
        "manual",
        "registered_late",
        "closed_late",
    ]
    list_filter = ["operator", "procedure_type", "scenario", "registered_late", "closed_late"]
    search_fields = ["attention_point__code", "attention_point__name", "systems"]
    date_hierarchy = "started_at"


class ExtensionInline(admin.TabularInline):
    model = ContingencyExtension
    extra = 0
    can_delete = False
    fields = [
        "case",
        "overlap_from",
        "overlap_to",
        "unit",
        "amount",
        "previous_due_at",
        "new_due_at",
        "reopened",
    ]
    readonly_fields = fields
    show_change_link = False
    max_num = 0

    def has_add_permission(self, request, obj=None):
        return False


def _window_input(cleaned: dict) -> services.WindowInput:
    operator = cleaned.get("operator")
    return services.WindowInput(
        starts_at=cleaned.get("starts_at"),
        ends_at=cleaned.get("ends_at"),
        scope=cleaned.get("scope") or "",
        operator=operator.code if operator is not None else "",
        reason=cleaned.get("reason") or "",
    )


class WindowAdminForm(forms.ModelForm):
    """The service's rules, shown next to each field before anything is saved."""

    class Meta:
        model = ContingencyWindow
        fields = ["starts_at", "ends_at", "scope", "operator", "reason"]

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None and not self.errors:
            try:
                services.clean_window(_window_input(cleaned))
            except DomainError as exc:
                for error in exc.errors:
                    field = error.field if error.field in self.fields else None
                    self.add_error(field, error.message)
        return cleaned


@admin.register(ContingencyWindow)
class ContingencyWindowAdmin(admin.ModelAdmin):
    list_display = ["__str__", "starts_at", "ends_at", "scope", "operator", "last_applied_at"]
    list_filter = ["scope", "operator"]
    form = WindowAdminForm
    fields = ["starts_at", "ends_at", "scope", "operator", "reason"]
    inlines = [ExtensionInline]
    actions = ["apply_again"]

    def get_inlines(self, request, obj=None):
        return self.inlines if obj is not None else []

    def get_readonly_fields(self, request, obj=None):
        # A window is not edited once registered: its extensions were computed from it.
        return self.fields if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            return
        result = services.register_contingency_window(
            data=_window_input(form.cleaned_data), by=principal_for_user(request.user)
        )
        obj.pk = result.window.pk
        obj.refresh_from_db()
        self.message_user(
            request,
            f"Se ampliaron {result.extended} casos ({result.reopened} reabiertos).",
            messages.SUCCESS,
        )

    @admin.action(description="Aplicar de nuevo (idempotente)")
    def apply_again(self, request, queryset):
        total = 0
        for window in queryset.order_by("starts_at", "id"):
            try:
                total += services.apply_contingency_window(
                    window=window, by=principal_for_user(request.user)
                ).extended
            except DomainError as exc:
                self.message_user(request, exc.detail, messages.ERROR)
                return
        self.message_user(request, f"Se ampliaron {total} casos más.", messages.SUCCESS)

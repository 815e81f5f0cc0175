"""The provider in the Django admin, in Spanish. Providers and their teams are configured
here; the register's history — requirements, their stages and files, replicas, the
advisors' confirmations, evaluations and their attempts — is written only by the services
and kept forever: the admin shows it and never adds, edits or deletes it."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils import timezone

from sgu.core.admin import ReadOnlyAdmin
from sgu.provider import services
from sgu.provider.models import (
    Evaluation,
    EvaluationAttempt,
    Provider,
    ProviderStaff,
    Replica,
    ReportSubscription,
    Requirement,
    RequirementAttachment,
    RequirementStep,
    Trainee,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- configuration: providers and their teams ----------------------------------------------


class StaffInline(ReadOnlyInline):
    model = ProviderStaff
    fields = ("user", "role", "created_at")
    verbose_name_plural = "equipo (se agrega en «personal del proveedor»)"

    @admin.display(description="rol")
    def role(self, obj: ProviderStaff) -> str:
        return obj.user.get_role_display()


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "ruc", "client_email", "active"]
    list_filter = ["active"]
    search_fields = ["code", "name", "ruc"]
    inlines = [StaffInline]

    def get_readonly_fields(self, request, obj=None):
        return ["code"] if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: requirements keep pointing at it


class StaffForm(forms.ModelForm):
    class Meta:
        model = ProviderStaff
        fields = ["provider", "user"]

    def clean_user(self):
        user = self.cleaned_data["user"]
        refusal = services.seat_refusal(user)
        if refusal:
            raise ValidationError(refusal)
        return user


@admin.register(ProviderStaff)
class ProviderStaffAdmin(admin.ModelAdmin):
    """Who works for which provider; their role is the person's (Usuarios). A person who
    leaves is deactivated in Usuarios: their confirmations stay tied to them."""

    form = StaffForm
    list_display = ["user", "role", "provider", "created_at"]
    list_filter = ["provider", "user__role"]
    search_fields = ["user__email", "user__first_name", "user__last_name"]
    list_select_related = ["user", "provider"]
    autocomplete_fields = ["user"]

    @admin.display(description="rol", ordering="user__role")
    def role(self, obj: ProviderStaff) -> str:
        return obj.user.get_role_display()

    def get_readonly_fields(self, request, obj=None):
        return ["provider", "user", "created_at"] if obj is not None else []

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        # Through the service, like every other write; the form already heard its refusals.
        seat = services.seat_staff(provider=obj.provider, user=obj.user, now=timezone.now())
        obj.pk, obj.created_at = seat.pk, seat.created_at


@admin.register(ReportSubscription)
class ReportSubscriptionAdmin(ReadOnlyAdmin):
    """Chosen by the client on the reports page; deleting one stops its emails."""

    list_display = ["provider", "email", "period", "created_by", "created_at", "last_period_end"]
    list_filter = ["provider", "period"]

    def has_delete_permission(self, request, obj=None):
        return super(ReadOnlyAdmin, self).has_delete_permission(request, obj)


# --- the history: shown, never changed ------------------------------------------------------


class StepInline(ReadOnlyInline):
    model = RequirementStep
    fields = ("stage", "started_at", "due_at", "ended_at", "action", "ended_by", "note")
    show_change_link = False


class AttachmentInline(ReadOnlyInline):
    model = RequirementAttachment
    fields = ("name", "content_type", "size", "sha256", "uploaded_at", "uploaded_by")
    show_change_link = False


class ReplicaInline(ReadOnlyInline):
    model = Replica
    fields = ("scheduled_for", "article_version", "trainer", "state", "started_at", "closed_at")


@admin.register(Requirement)
class RequirementAdmin(ReadOnlyAdmin):
    list_display = ["code", "provider", "type", "topic", "stage", "filed_at", "stage_due_at"]
    list_filter = ["stage", "type", "provider"]
    search_fields = ["code", "topic", "description"]
    date_hierarchy = "filed_at"
    list_select_related = ["provider"]
    inlines = [StepInline, AttachmentInline, ReplicaInline]


@admin.register(RequirementStep)
class RequirementStepAdmin(ReadOnlyAdmin):
    list_display = ["requirement", "stage", "started_at", "due_at", "ended_at", "action"]
    list_filter = ["stage", "action"]
    search_fields = ["requirement__code"]
    date_hierarchy = "started_at"
    list_select_related = ["requirement"]


@admin.register(RequirementAttachment)
class RequirementAttachmentAdmin(ReadOnlyAdmin):
    list_display = ["name", "requirement", "content_type", "size", "uploaded_at", "uploaded_by"]
    search_fields = ["name", "requirement__code", "sha256"]
    list_select_related = ["requirement", "uploaded_by"]
    exclude = ["file"]  # downloaded from the requirement's page, where access is checked


class TraineeInline(ReadOnlyInline):
    model = Trainee
    fields = ("user", "lead", "confirmed_at", "confirmed_version", "passed_at")
    show_change_link = False


@admin.register(Replica)
class ReplicaAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "requirement", "scheduled_for", "trainer", "state", "closed_at"]
    list_filter = ["state"]
    search_fields = ["requirement__code", "requirement__topic"]
    date_hierarchy = "scheduled_for"
    list_select_related = ["requirement", "trainer"]
    inlines = [TraineeInline]


@admin.register(Trainee)
class TraineeAdmin(ReadOnlyAdmin):
    """The advisors' confirmations (signature-equivalent): who, when, on which version."""

    list_display = ["replica", "user", "lead", "confirmed_at", "confirmed_version", "passed_at"]
    list_filter = ["lead"]
    search_fields = ["user__email", "user__last_name", "replica__requirement__code"]
    list_select_related = ["replica", "user", "confirmed_version"]


@admin.register(Evaluation)
class EvaluationAdmin(ReadOnlyAdmin):
    list_display = ["replica", "opens_at", "pass_mark", "max_attempts"]
    list_select_related = ["replica"]


@admin.register(EvaluationAttempt)
class EvaluationAttemptAdmin(ReadOnlyAdmin):
    list_display = ["evaluation", "user", "number", "submitted_at", "score", "passed"]
    list_filter = ["passed"]
    search_fields = ["user__email", "user__last_name"]
    date_hierarchy = "submitted_at"
    list_select_related = ["evaluation", "user"]

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from sgu.accounts import services
from sgu.accounts.models import CorrectionRequest, OperatorApiKey, User
from sgu.core.admin import ReadOnlyAdmin


@admin.register(User)
class SguUserAdmin(UserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "role", "operator", "office", "is_active"]
    list_filter = ["role", "operator", "office", "is_active"]
    search_fields = ["email", "first_name", "last_name", "document_number"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (
            "Datos personales",
            {"fields": ("first_name", "last_name", "document_type", "document_number", "phone")},
        ),
        (
            "Rol",
            {
                "fields": (
                    "role",
                    "operator",
                    "office",
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                )
            },
        ),
        (
            "Confirmación y consentimiento",
            {"fields": ("email_verified_at", "consent_at", "consent_version", "consent_channel")},
        ),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "password1", "password2", "role", "operator", "office"),
            },
        ),
    )
    readonly_fields = ["email_verified_at", "consent_at", "consent_version", "consent_channel"]
    actions = ["reset_two_factor"]

    @admin.action(description="Restablecer la verificación en dos pasos (perdió el teléfono)")
    def reset_two_factor(self, request, queryset):

        count = 0
        for user in queryset:
            services.reset_two_factor(user=user, by=request.user, request=request)
            count += 1
        self.message_user(
            request,
            f"Se restableció la verificación de {count} usuario(s): la configurarán de nuevo "
            "al ingresar.",
        )


@admin.register(OperatorApiKey)
class OperatorApiKeyAdmin(admin.ModelAdmin):
    list_display = ["operator", "name", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["operator"]
    readonly_fields = [
        "operator",
        "name",
        "prefix",
        "key_hash",
        "created_at",
        "created_by",
        "last_used_at",
    ]

    def has_add_permission(self, request):
        return False  # keys are created by `create_operator_key` or the operator portal


@admin.register(CorrectionRequest)
class CorrectionRequestAdmin(ReadOnlyAdmin):
    """Read-only list: staff record what they did on /cuenta/correcciones/ (audited)."""

    list_display = ["created_at", "user", "field", "requested_value", "status", "handled_at"]
    list_filter = ["status", "field"]
    search_fields = ["user__email", "user__document_number", "requested_value"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "user",
        "field",
        "current_value",
        "requested_value",
        "note",
        "created_at",
        "status",
        "handled_at",
        "handled_by",
        "response",
    ]

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from sgu.accounts.models import OperatorApiKey, User


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

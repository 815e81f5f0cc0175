from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from sgu.accounts.models import REGULATOR_ROLES
from sgu.attention.models import Area, AreaMember


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

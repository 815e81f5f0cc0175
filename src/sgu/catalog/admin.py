from django.contrib import admin

from sgu.catalog.models import (
    Category,
    Office,
    Operator,
    Service,
    Subcategory,
    SubcategoryField,
    UitValue,
)
from sgu.core.reference import BumpsReferenceStamp


@admin.register(Operator)
class OperatorAdmin(BumpsReferenceStamp, admin.ModelAdmin):
    list_display = ["code", "name", "mobile_lines", "lines_as_of", "active"]
    list_filter = ["active"]
    search_fields = ["code", "name"]


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "ubigeo", "department", "province", "district", "active"]
    list_filter = ["department", "active"]
    search_fields = ["code", "name", "ubigeo", "district"]


@admin.register(Service)
class ServiceAdmin(BumpsReferenceStamp, admin.ModelAdmin):
    list_display = ["code", "name", "order", "active"]


@admin.register(Category)
class CategoryAdmin(BumpsReferenceStamp, admin.ModelAdmin):
    list_display = ["name", "service", "code", "order", "active"]
    list_filter = ["service", "active"]
    search_fields = ["name", "code"]


class SubcategoryFieldInline(admin.TabularInline):
    model = SubcategoryField
    extra = 0
    fields = ["order", "name", "label", "type", "required", "choices", "info_kind", "help_text"]


@admin.register(Subcategory)
class SubcategoryAdmin(BumpsReferenceStamp, admin.ModelAdmin):
    list_display = [
        "name",
        "category",
        "code",
        "deadline_amount",
        "deadline_unit",
        "claimable",
        "claim_deadline_days",
        "suspends_payments",
        "active",
    ]
    list_filter = [
        "category__service",
        "category",
        "claimable",
        "suspends_payments",
        "deadline_unit",
        "active",
    ]
    search_fields = ["name", "code"]
    inlines = [SubcategoryFieldInline]


@admin.register(UitValue)
class UitValueAdmin(admin.ModelAdmin):
    list_display = ["year", "value"]

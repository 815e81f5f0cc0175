from django.db.models import Prefetch, QuerySet

from sgu.catalog.models import Office, Operator, Subcategory, SubcategoryField, UitValue
from sgu.core import reference
from sgu.core.errors import FieldError, ValidationFailed


def active_operators() -> QuerySet[Operator]:
    return Operator.objects.filter(active=True).order_by("name")


def active_subcategories(service: str | None = None) -> QuerySet[Subcategory]:
    qs = (
        Subcategory.objects.filter(
            active=True, category__active=True, category__service__active=True
        )
        .select_related("category__service")
        .prefetch_related(
            Prefetch("fields", queryset=SubcategoryField.objects.order_by("order", "id"))
        )
        .order_by("category__service__order", "category__order", "category__name", "order", "name")
    )
    if service:
        qs = qs.filter(category__service__code=service)
    return qs


def _intake_catalog() -> tuple[dict[str, Operator], dict[str, Subcategory]]:
    """Active operators and active subcategories (with their fields) by code, loaded once per
    process and reference stamp (core/reference.py)."""
    return (
        {op.code: op for op in Operator.objects.filter(active=True)},
        {sub.code: sub for sub in active_subcategories().order_by("pk")},
    )


def operator_by_code(code: str, field: str = "operator") -> Operator:
    operators, _ = reference.cached("catalog.intake", _intake_catalog)
    op = operators.get((code or "").upper())
    if op is None:
        raise ValidationFailed.of([FieldError(field, "Operadora desconocida.")])
    return op


def subcategory_by_code(code: str, field: str = "subcategory") -> Subcategory:
    _, subcategories = reference.cached("catalog.intake", _intake_catalog)
    sub = subcategories.get(code or "")
    if sub is None:
        raise ValidationFailed.of([FieldError(field, "Subcategoría desconocida o no vigente.")])
    return sub


def office_by_code(code: str) -> Office | None:
    return Office.objects.filter(code=code, active=True).first()


def uit_for(year: int) -> UitValue | None:
    """The UIT of `year`, or the latest one before it (the year's value may not be loaded yet)."""

    return UitValue.objects.filter(year__lte=year).order_by("-year").first()

"""A subcategory's extra fields (catalog/fields.py), the same rules for the web form and API."""

from datetime import timedelta

import pytest
from django.utils import timezone

from sgu.catalog.fields import clean_extra_fields
from sgu.catalog.models import FieldType, Subcategory, SubcategoryField
from sgu.core.errors import ErrorCollector

pytestmark = pytest.mark.django_db

VALID = {"monto_recarga": "10", "fecha_recarga": "2026-01-15", "medio_recarga": "Bodega o agente"}


def clean(code: str, raw):
    errors = ErrorCollector()
    cleaned = clean_extra_fields(Subcategory.objects.get(code=code), raw, errors)
    return cleaned, {e.field: e.message for e in errors.errors}


def recarga(**changes):
    raw = dict(VALID)
    for name, value in changes.items():
        if value is ...:
            raw.pop(name)
        else:
            raw[name] = value
    return clean("recarga-no-acreditada", raw)


def test_given_valid_values_when_cleaned_then_money_has_two_decimals_and_date_is_iso(catalog):
    cleaned, errors = recarga()

    assert errors == {}
    assert cleaned == {
        "monto_recarga": "10.00",
        "fecha_recarga": "2026-01-15",
        "medio_recarga": "Bodega o agente",
    }


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("10", "10.00"), ("10,5", "10.50"), (" 7.25 ", "7.25"), (25.5, "25.50"), (3, "3.00")],
)
def test_given_a_money_amount_in_a_usual_writing_when_cleaned_then_it_is_normalised(
    catalog, typed, stored
):
    cleaned, errors = recarga(monto_recarga=typed)
    assert errors == {}
    assert cleaned["monto_recarga"] == stored


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("diez", "«Monto de la recarga (S/)»: debe ser un monto en soles, p. ej. 25.50."),
        ("NaN", "«Monto de la recarga (S/)»: debe ser un monto en soles, p. ej. 25.50."),
        ("Infinity", "«Monto de la recarga (S/)»: debe ser un monto en soles, p. ej. 25.50."),
        ("-5", "«Monto de la recarga (S/)»: el monto no puede ser negativo."),
        (
            "10.555",
            "«Monto de la recarga (S/)»: use como máximo dos decimales y un monto razonable.",
        ),
        (
            "100000000",
            "«Monto de la recarga (S/)»: use como máximo dos decimales y un monto razonable.",
        ),
        (True, "«Monto de la recarga (S/)»: valor no válido."),
        ([10], "«Monto de la recarga (S/)»: debe ser un monto en soles, p. ej. 25.50."),
    ],
)
def test_given_a_bad_money_amount_when_cleaned_then_the_field_explains_why(catalog, typed, message):
    cleaned, errors = recarga(monto_recarga=typed)
    assert errors == {"fields.monto_recarga": message}
    assert "monto_recarga" not in cleaned


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("2026-02-30", "«Fecha de la recarga»: la fecha no existe."),
        ("15/01/2026", "«Fecha de la recarga»: use el formato AAAA-MM-DD."),
        (20260115, "«Fecha de la recarga»: use el formato AAAA-MM-DD."),
    ],
)
def test_given_a_bad_date_when_cleaned_then_the_field_explains_why(catalog, typed, message):
    _, errors = recarga(fecha_recarga=typed)
    assert errors == {"fields.fecha_recarga": message}


def test_given_a_future_date_when_cleaned_then_it_is_refused(catalog):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()

    _, errors = recarga(fecha_recarga=tomorrow)

    assert errors == {
        "fields.fecha_recarga": "«Fecha de la recarga»: la fecha no puede ser futura."
    }


def test_given_a_choice_not_offered_when_cleaned_then_the_options_are_listed(catalog):
    _, errors = recarga(medio_recarga="Yape")

    assert errors == {
        "fields.medio_recarga": "¿Dónde recargó?: elija una de las opciones: Bodega o agente, "
        "Aplicativo de la operadora, Banca por internet, Tarjeta física, Otro."
    }


@pytest.mark.parametrize("missing", [..., None, "", "   "])
def test_given_a_required_field_missing_or_blank_when_cleaned_then_it_is_asked_for(
    catalog, missing
):
    _, errors = recarga(monto_recarga=missing)
    assert errors == {"fields.monto_recarga": "Ingrese «Monto de la recarga (S/)»."}


def test_given_an_optional_field_left_out_when_cleaned_then_it_is_simply_absent(catalog):
    cleaned, errors = clean("linea-bloqueada-sin-causa", {"fecha_bloqueo": "2026-01-10"})
    assert errors == {}
    assert cleaned == {"fecha_bloqueo": "2026-01-10"}


def test_given_a_field_the_subcategory_does_not_have_when_cleaned_then_it_is_refused(catalog):
    _, errors = recarga(imei="356938035643809")
    assert errors == {"fields.imei": "Dato no previsto para esta subcategoría."}


def test_given_text_over_500_characters_when_cleaned_then_it_is_refused(catalog):
    _, errors = clean(
        "baja-no-ejecutada", {"codigo_pedido": "x" * 501, "fecha_solicitud": "2026-01-10"}
    )
    assert errors == {
        "fields.codigo_pedido": "«Código de pedido de la baja»: admite hasta 500 caracteres."
    }


def test_given_fields_that_are_not_an_object_when_cleaned_then_one_error_for_the_whole(catalog):
    cleaned, errors = clean("recarga-no-acreditada", ["10", "2026-01-15"])
    assert cleaned == {}
    assert errors == {
        "fields": "Los datos adicionales deben enviarse como un objeto {nombre: valor}."
    }


def test_given_every_field_wrong_when_cleaned_then_every_error_is_reported_at_once(catalog):
    _, errors = clean(
        "recarga-no-acreditada", {"monto_recarga": "x", "fecha_recarga": "ayer", "otro": 1}
    )
    assert set(errors) == {
        "fields.otro",
        "fields.monto_recarga",
        "fields.fecha_recarga",
        "fields.medio_recarga",
    }


# --- NUMBER fields (none at launch; an administrator may add them) ----------------------------


@pytest.fixture
def with_number_field(catalog):
    sub = Subcategory.objects.get(code="info-reclamo")
    SubcategoryField.objects.create(
        subcategory=sub, name="cantidad", label="Cantidad de líneas", type=FieldType.NUMBER
    )
    return sub.code


@pytest.mark.parametrize(
    ("typed", "stored"), [("3", 3), (2.5, 2.5), ("1,5", 1.5), ("1e3", 1000), ("1e-999999999", 0.0)]
)
def test_given_a_number_field_when_cleaned_then_integers_stay_integers(
    with_number_field, typed, stored
):
    cleaned, errors = clean(with_number_field, {"cantidad": typed})
    assert errors == {}
    assert cleaned["cantidad"] == stored
    assert type(cleaned["cantidad"]) is type(stored)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("tres", "«Cantidad de líneas»: debe ser un número."),
        # Was expanded into a billion-digit integer: the request never returned.
        ("1e999999999", "«Cantidad de líneas»: el número es demasiado grande."),
        ("-1e16", "«Cantidad de líneas»: el número es demasiado grande."),
    ],
)
def test_given_a_bad_number_when_cleaned_then_refused_quickly(with_number_field, typed, message):
    _, errors = clean(with_number_field, {"cantidad": typed})
    assert errors == {"fields.cantidad": message}

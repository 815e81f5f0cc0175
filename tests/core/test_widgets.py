"""QuickSelect writes what Django's template-rendered Select writes (as HTML, attribute order
aside), for every shape a choice list takes in the SGU's forms."""

import pytest
from django import forms
from django.test.html import parse_html

from sgu.core.widgets import QuickSelect

CHOICES = [
    ("", "Todas"),
    ("CLARO", "Claro"),
    ("A&B", 'Operadora "<b>rara</b>" & cía'),
    (
        "Cobros",
        [("COBRO_NO_RECONOCIDO", "Cobro no reconocido (plazo: 3 días hábiles)"), ("X", "Ä <i>")],
    ),
    ("Señal", [("SIN_SENAL", "Falta de señal")]),
    (7, "Siete"),
]


@pytest.mark.parametrize(
    "value",
    ["", "CLARO", "A&B", "COBRO_NO_RECONOCIDO", "SIN_SENAL", "7", 7, None, "no existe", ["CLARO"]],
)
@pytest.mark.parametrize(
    "attrs",
    [None, {"id": "id_operator", "required": True, "aria-required": "true", "disabled": False}],
)
def test_quick_select_renders_what_django_renders(value, attrs):
    expected = forms.Select(choices=CHOICES).render("operator", value, attrs=attrs)
    rendered = QuickSelect(choices=CHOICES).render("operator", value, attrs=attrs)
    assert parse_html(rendered) == parse_html(expected)


def test_quick_select_escapes_labels_values_and_groups():
    html = QuickSelect(choices=[('"><script>', [('"><x', "<script>alert(1)</script>")])]).render(
        "q", None
    )
    assert "<script>" not in html and '"><x' not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_form_field_with_quick_select_renders_like_a_select():
    class F(forms.Form):
        operator = forms.ChoiceField(choices=CHOICES, widget=QuickSelect, required=False)

    html = str(F({"operator": "CLARO"})["operator"])
    assert parse_html(html) == parse_html(
        forms.Select(choices=CHOICES).render("operator", "CLARO", attrs={"id": "id_operator"})
    )

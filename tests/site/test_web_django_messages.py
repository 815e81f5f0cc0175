"""Django's own messages never echo a code back to a person: a value that is not in a list
(a tampered or stale form) is answered with one plain sentence, and a duplicate names the
field, not the model or a constraint."""

import pytest
from django import forms
from django.core.exceptions import ValidationError

from factories import logged, make_admin, make_citizen, text
from sgu.accounts.models import User
from sgu.catalog.models import Operator

pytestmark = pytest.mark.django_db

PLAIN = "Elija una de las opciones de la lista."


def test_a_role_not_offered_is_refused_without_echoing_its_code(claro):
    web = logged(make_admin(claro))

    bad = web.post(
        "/operadora/personal/", {"email": "nueva@claro.com.pe", "role": "REGULATOR_SUPERVISOR"}
    )

    shown = text(bad)
    assert bad.status_code == 422
    assert "REGULATOR_SUPERVISOR" not in shown
    assert "no es una de las opciones" not in shown


@pytest.mark.parametrize(
    "field",
    [
        forms.ChoiceField(choices=[("MOVIL", "Móvil")]),
        forms.MultipleChoiceField(choices=[("MOVIL", "Móvil")]),
    ],
)
def test_an_invalid_choice_reads_as_a_plain_sentence(field):
    value = ["NOT_RESOLVED"] if isinstance(field, forms.MultipleChoiceField) else "NOT_RESOLVED"
    with pytest.raises(ValidationError) as refused:
        field.clean(value)
    assert refused.value.messages == [PLAIN]


def test_a_model_choice_not_in_the_list_reads_the_same(catalog):
    field = forms.ModelChoiceField(queryset=Operator.objects.filter(code="CLARO"))
    with pytest.raises(ValidationError) as refused:
        field.clean(Operator.objects.get(code="MOVISTAR").pk)
    assert refused.value.messages == [PLAIN]
    many = forms.ModelMultipleChoiceField(queryset=Operator.objects.all())
    with pytest.raises(ValidationError) as refused:
        many.clean(["x"])
    assert refused.value.messages == [PLAIN]


def test_a_model_value_outside_its_choices_reads_the_same(catalog):
    user = make_citizen()
    user.role = "SUPERUSER"
    with pytest.raises(ValidationError) as refused:
        user.clean_fields(exclude=[f.name for f in User._meta.fields if f.name != "role"])
    assert refused.value.messages == [PLAIN]
    assert "SUPERUSER" not in str(refused.value)


def test_a_duplicate_names_the_field_not_the_model(catalog):
    taken = make_citizen()
    twin = User(email=taken.email)
    with pytest.raises(ValidationError) as refused:
        twin.validate_unique()
    (message,) = refused.value.message_dict["email"]
    assert message.startswith("Ya hay un registro con ese dato en «")

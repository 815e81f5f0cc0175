"""core.rows: a row and its related row read by one hand-written statement must be the very
instances the ORM would build (same values, same types), on SQLite and on PostgreSQL."""

import pytest
from django.db.models import Model

from factories import make_case, make_citizen
from factories.people import PASSWORD
from sgu.accounts import selectors
from sgu.accounts import services as accounts
from sgu.accounts.models import ApiToken, OperatorApiKey
from sgu.cases.models import Case
from sgu.catalog.demo import load_reference_data
from sgu.catalog.models import Operator
from sgu.core import rows

pytestmark = pytest.mark.django_db


def same_as_the_orm(read: Model, orm: Model) -> None:
    for field in type(orm)._meta.concrete_fields:
        ours, theirs = getattr(read, field.attname), getattr(orm, field.attname)
        assert ours == theirs, field.attname
        assert type(ours) is type(theirs), field.attname
    assert read._state.adding is False and read._state.db == "default"


def test_a_case_and_its_subcategory_as_the_orm_reads_them():
    load_reference_data()
    case = make_case()
    Case.objects.filter(pk=case.pk).update(fields={"monto": "10.50", "lista": [1, None]})  # JSON
    read = rows.one_with_related(Case, "subcategory", "a.id = %s", [case.pk])
    orm = Case.objects.select_related("subcategory").get(pk=case.pk)
    same_as_the_orm(read, orm)
    same_as_the_orm(read.subcategory, orm.subcategory)
    assert rows.one_with_related(Case, "subcategory", "a.id = %s", [-1]) is None


def test_the_bearer_token_and_its_person():
    citizen = make_citizen()
    raw, _ = accounts.issue_api_token(email=citizen.email, password=PASSWORD)
    token = selectors.live_token(raw)
    orm = ApiToken.objects.select_related("user").get(pk=token.pk)
    same_as_the_orm(token, orm)
    same_as_the_orm(token.user, orm.user)
    assert token.user.is_authenticated and token.user.pk == citizen.pk


def test_a_token_that_is_revoked_expired_or_of_an_inactive_person_is_not_live():
    citizen = make_citizen()
    raw, _ = accounts.issue_api_token(email=citizen.email, password=PASSWORD)
    assert selectors.live_token(raw) is not None
    assert selectors.live_token(raw + "x") is None
    citizen.is_active = False
    citizen.save(update_fields=["is_active"])
    assert selectors.live_token(raw) is None
    citizen.is_active = True
    citizen.save(update_fields=["is_active"])
    ApiToken.objects.filter(user=citizen).update(expires_at="2000-01-01T00:00:00Z")
    assert selectors.live_token(raw) is None


def test_the_operator_key_and_its_operator():
    load_reference_data()
    operator = Operator.objects.get(code="CLARO")
    raw, _ = accounts.create_operator_key(operator=operator, name="pruebas")
    key = selectors.operator_key(raw)
    orm = OperatorApiKey.objects.select_related("operator").get(pk=key.pk)
    same_as_the_orm(key, orm)
    same_as_the_orm(key.operator, orm.operator)
    Operator.objects.filter(pk=operator.pk).update(active=False)
    assert selectors.operator_key(raw) is None

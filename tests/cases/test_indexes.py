"""The indexes of a case and its timeline (cases migration 0008): each foreign key is served by
an index it leads, and none has a second, single-column index of its own beside it."""

import pytest
from django.db import connection, models

from sgu.cases.models import Case, CaseEvent

pytestmark = pytest.mark.django_db


def _indexes(model: type[models.Model]) -> dict[str, list[str]]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
    return {
        name: info["columns"]
        for name, info in constraints.items()
        if info["index"] and not info["primary_key"]
    }


def _foreign_keys(model: type[models.Model]) -> list[str]:
    return [f.column for f in model._meta.concrete_fields if f.is_relation]


@pytest.mark.parametrize("model", [Case, CaseEvent])
def test_every_foreign_key_leads_an_index(model):
    """What PROTECT's check and the lookups by citizen, operator, case… need."""
    leading = {columns[0] for columns in _indexes(model).values()}
    assert [c for c in _foreign_keys(model) if c not in leading] == []


@pytest.mark.parametrize("model", [Case, CaseEvent])
def test_no_foreign_key_has_an_index_of_its_own_beside_a_composite_one(model):
    """Every registration would pay an insertion into it for nothing."""
    indexes = _indexes(model)
    composite_leads = {columns[0] for columns in indexes.values() if len(columns) > 1}
    repeated = {
        name
        for name, columns in indexes.items()
        if columns in ([c] for c in _foreign_keys(model)) and columns[0] in composite_leads
    }
    assert repeated == set()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner")
def test_an_office_lookup_is_served_by_the_partial_office_index():
    """case_office_reg_idx only holds cases with an office: PostgreSQL still uses it for
    office_id = X (equality implies NOT NULL), as PROTECT does when an office is deleted."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN SELECT 1 FROM cases_case WHERE office_id = %s", [1])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "case_office_reg_idx" in plan

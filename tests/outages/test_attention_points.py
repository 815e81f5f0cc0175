"""Attention points: only the operator's administrator manages them; codes unique per operator;
each operator sees only its own."""

import pytest

from factories import make_operator_agent
from outages.helpers import make_point
from sgu.accounts.auth import principal_for_user
from sgu.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from sgu.outages import selectors, services


def test_admin_creates_and_edits(claro_admin, claro):
    point = make_point(claro_admin, code="cac-lima-centro", name="  CAC   Lima  Centro ")
    assert (point.code, point.name, point.operator) == ("CAC-LIMA-CENTRO", "CAC Lima Centro", claro)
    services.update_attention_point(
        point=point,
        data=services.PointInput(
            code="CAC-LIMA-CENTRO",
            name="CAC Jirón de la Unión",
            kind="TIENDA",
            ubigeo="150101",
            active=False,
        ),
        by=principal_for_user(claro_admin),
    )
    point.refresh_from_db()
    assert point.name == "CAC Jirón de la Unión" and point.active is False


def test_same_code_is_refused_in_one_operator_but_not_across(claro_admin, movistar_admin):
    make_point(claro_admin, code="CAC-1")
    make_point(movistar_admin, code="CAC-1")
    with pytest.raises(Conflict) as exc:
        make_point(claro_admin, code="cac-1")
    assert exc.value.detail == "Ya existe un punto de atención con el código CAC-1 en su empresa."


def test_every_bad_field_at_once(claro_admin):
    with pytest.raises(ValidationFailed) as exc:
        make_point(claro_admin, code="ñ", name="", kind="KIOSKO", ubigeo="990000")
    assert {e.field for e in exc.value.errors} == {"code", "name", "kind", "ubigeo"}
    assert {e.field: e.message for e in exc.value.errors}["ubigeo"] == (
        "El ubigeo tiene 6 dígitos (código INEI del distrito, p. ej. 150122)."
    )


def test_agents_do_not_manage_points(claro):
    agent = make_operator_agent(claro)
    with pytest.raises(Forbidden):
        make_point(agent)


def test_another_operators_point_is_not_found(claro_store, movistar_admin):
    with pytest.raises(NotFound):
        selectors.operator_point(movistar_admin.operator, claro_store.pk)
    with pytest.raises(NotFound):
        services.update_attention_point(
            point=claro_store,
            data=services.PointInput(code="X-1", name="Robado", kind="OTRO", ubigeo="150101"),
            by=principal_for_user(movistar_admin),
        )
    claro_store.refresh_from_db()
    assert claro_store.name == "CAC Miraflores"


def test_inactive_points_take_no_new_events(claro_admin, claro_store):
    from outages.helpers import register

    services.update_attention_point(
        point=claro_store,
        data=services.PointInput(
            code=claro_store.code,
            name=claro_store.name,
            kind="TIENDA",
            ubigeo="150122",
            active=False,
        ),
        by=principal_for_user(claro_admin),
    )
    with pytest.raises(ValidationFailed) as exc:
        register(claro_admin, claro_store, started_at=None)
    assert ("attention_point", "Ese punto de atención está desactivado.") in [
        (e.field, e.message) for e in exc.value.errors
    ]

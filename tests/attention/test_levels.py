"""Escalations up the levels and answers back down: the transitions, who may make them, and
each level's clock (business days from the criticality), with dates computed by hand."""

import pytest

from factories import lima, make_case
from sgu.attention import services
from sgu.attention.models import AttentionEvent, Escalation, Query
from sgu.attention.workflow import HopState
from sgu.core.errors import Conflict, Forbidden, ValidationFailed
from sgu.notifications.models import OutboundEmail

pytestmark = pytest.mark.django_db


def new_query(agent, now, **kw):
    data = {
        "channel": "TELEFONICO",
        "topic": "Portabilidad",
        "motive": "tramites-portabilidad",
        "question": "¿Cuántos días demora una portabilidad?",
        "name": "Rosa Quispe",
        "email": "rosa@example.pe",
    }
    data.update(kw)
    return services.register_query(agent=agent, now=now, **data)


def up(agent, now, area="USUARIOS", criticality="ALTO", **kw):
    return services.escalate(
        agent=agent,
        area_code=area,
        criticality=criticality,
        complexity=kw.pop("complexity", "MEDIA"),
        reason="Necesitamos el criterio del área.",
        now=now,
        **kw,
    )


# --- clocks -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("criticality", "due"),
    [
        # Thursday 26 March 2026, 10:00, before Holy Week. Received that day; counting from
        # Fri 27: 27 (1), Mon 30 (2), Tue 31 (3), Wed 1 April (4); Holy Thursday 2 and Good
        # Friday 3 April and the weekend are skipped; Mon 6 April (5).
        ("ALTO", lima(2026, 4, 6, 23, 59, 59)),
        ("MEDIO", lima(2026, 4, 1, 23, 59, 59)),  # 27, 30, 31, 1 April
        ("BAJO", lima(2026, 3, 30, 23, 59, 59)),  # 27, 30
    ],
)
def test_escalation_clock_before_holy_week(orientador, criticality, due):
    query = new_query(orientador, lima(2026, 3, 26, 9))
    hop = up(orientador, lima(2026, 3, 26, 10), criticality=criticality, query=query)
    assert hop.due_at == due
    assert hop.received_on.isoformat() == "2026-03-26"
    # Only the 5-day clock reaches Holy Week: its explanation names the days it skipped.
    assert ("jueves 02/04/2026" in hop.due_explanation) == (criticality == "ALTO")


def test_escalated_after_the_cutoff_counts_from_the_next_business_day(orientador):
    query = new_query(orientador, lima(2026, 3, 26, 9))
    # 18:00 is after the 17:00 cut-off: received Fri 27; BAJO = 2 → Mon 30 (1), Tue 31 (2).
    hop = up(orientador, lima(2026, 3, 26, 18), criticality="BAJO", query=query)
    assert hop.received_on.isoformat() == "2026-03-27"
    assert hop.due_at == lima(2026, 3, 31, 23, 59, 59)


def test_maximum_response_is_configurable(orientador, settings):
    settings.SGU = {**settings.SGU, "ATTENTION": {"CRITICALITY_BUSINESS_DAYS": {"ALTO": 3}}}
    query = new_query(orientador, lima(2026, 3, 26, 9))
    hop = up(orientador, lima(2026, 3, 26, 10), criticality="ALTO", query=query)
    assert hop.max_business_days == 3
    assert hop.due_at == lima(2026, 3, 31, 23, 59, 59)  # 27, 30, 31
    # The others keep their defaults.
    assert services.criticality_days() == {"ALTO": 3, "MEDIO": 4, "BAJO": 2}


def test_the_level_clock_never_touches_the_operators_plazo(orientador, citizen):
    case = make_case(citizen, now=lima(2026, 3, 26, 9))
    plazo = case.due_at
    hop = up(orientador, lima(2026, 3, 26, 10), case=case)
    case.refresh_from_db()
    assert case.due_at == plazo
    assert hop.due_at != plazo


# --- the round trip 1 → 2 → 3 → 2 → 1 ------------------------------------------------------------


def test_round_trip_through_the_three_levels(orientador, specialist, support, mailbox, tasks):
    query = new_query(orientador, lima(2026, 3, 26, 9))
    l2 = up(orientador, lima(2026, 3, 26, 10), query=query)  # ALTO: due Mon 6 April
    query.refresh_from_db()
    assert query.state == "ESCALATED"

    # Level 2 sends it on to level 3 on Wed 1 April 16:00, BAJO: received Wed 1; day 1 is
    # Mon 6 April (2-3 Holy Week, 4-5 weekend), day 2 Tue 7 April.
    l3 = services.escalate_up(
        escalation=l2,
        user=specialist,
        area_code="SOPORTE-TI",
        criticality="BAJO",
        complexity="ALTA",
        reason="Revisar el registro de la portabilidad.",
        now=lima(2026, 4, 1, 16),
    )
    assert l3.level == 3 and l3.parent_id == l2.pk
    assert l3.due_at == lima(2026, 4, 7, 23, 59, 59)
    l2.refresh_from_db()
    assert l2.state == HopState.AT_HIGHER_LEVEL

    # Level 3 answers on Tue 7 April 11:00: 1 → 7 April is 2 business days (6, 7): on time.
    l3 = services.answer_escalation(
        escalation=l3, user=support, answer="La portabilidad se ejecutó.", now=lima(2026, 4, 7, 11)
    )
    assert (l3.state, l3.response_business_days, l3.on_time) == (HopState.ANSWERED, 2, True)
    l2.refresh_from_db()
    assert l2.state == HopState.PENDING  # back in level 2's queue

    # Level 2 passes it down on Wed 8 April: 26 March → 8 April is 7 business days
    # (27, 30, 31, 1, 6, 7, 8); the limit was Mon 6 April: late.
    l2 = services.answer_escalation(
        escalation=l2, user=specialist, answer="Se ejecutó el 7/4.", now=lima(2026, 4, 8, 9)
    )
    assert (l2.answer_level, l2.response_business_days, l2.on_time) == (3, 7, False)

    # The 1st level tells the citizen the same day, by email.
    l2 = services.inform_citizen(
        escalation=l2,
        user=orientador,
        message="Su portabilidad se ejecutó.",
        now=lima(2026, 4, 8, 10),
    )
    assert l2.state == HopState.INFORMED
    query.refresh_from_db()
    assert (query.state, query.resolved_level, query.answer) == (
        "ANSWERED",
        3,
        "Su portabilidad se ejecutó.",
    )
    informed = AttentionEvent.objects.get(escalation=l2, kind="INFORM")
    email = OutboundEmail.objects.get(pk=informed.data["email_id"])
    assert email.to == "rosa@example.pe"
    tasks()
    subjects = sorted(m["Subject"] for m in mailbox.messages)
    assert f"Respuesta del regulador sobre {query.code}" in subjects
    assert any("¿Cómo le atendimos?" in s for s in subjects)  # the survey, after the answer

    kinds = list(
        AttentionEvent.objects.filter(escalation__in=[l2, l3])
        .order_by("at", "id")
        .values_list("escalation__level", "kind")
    )
    assert kinds == [
        (2, "ESCALATE"),
        (2, "TICKET"),  # the citizen's ticket: code, next steps, expected time
        (2, "ESCALATE_UP"),
        (3, "ESCALATE"),
        (3, "ANSWER"),
        (2, "RECEIVE"),
        (2, "ANSWER"),
        (2, "INFORM"),
    ]


def test_sent_back_then_rerouted(orientador, fiscalizador, specialist):
    query = new_query(orientador, lima(2026, 3, 2, 9))
    wrong = up(orientador, lima(2026, 3, 2, 10), area="FISCALIZACION", query=query)
    wrong = services.send_back(
        escalation=wrong, user=fiscalizador, reason="Es de usuarios.", now=lima(2026, 3, 2, 12)
    )
    assert wrong.state == HopState.SENT_BACK and wrong.sent_back_at == lima(2026, 3, 2, 12)
    right = up(orientador, lima(2026, 3, 2, 13), area="USUARIOS", query=query)
    wrong.refresh_from_db()
    assert wrong.state == HopState.CLOSED  # re-routing closes the returned hop
    assert right.state == HopState.PENDING
    assert list(AttentionEvent.objects.filter(escalation=wrong).values_list("kind", flat=True)) == [
        "ESCALATE",
        "TICKET",
        "SEND_BACK",
        "CLOSE",
    ]


def test_first_level_answers_a_query_itself(orientador, mailbox, tasks):
    query = new_query(orientador, lima(2026, 3, 2, 9))
    services.answer_query(
        query=query, agent=orientador, answer="Demora un día hábil.", now=lima(2026, 3, 2, 9, 5)
    )
    query.refresh_from_db()
    assert (query.state, query.resolved_level) == ("ANSWERED", 1)
    tasks()
    assert {m["Subject"] for m in mailbox.messages} == {
        f"Registramos su consulta: {query.code}",
        f"Respuesta a su consulta {query.code}",
        f"¿Cómo le atendimos? ({query.code})",
    }


# --- refusals -----------------------------------------------------------------------


def test_transitions_that_the_table_refuses(orientador, specialist, support):
    query = new_query(orientador, lima(2026, 3, 2, 9))
    l2 = up(orientador, lima(2026, 3, 2, 10), query=query)
    with pytest.raises(Conflict, match="Ya está escalado"):
        up(orientador, lima(2026, 3, 2, 11), query=query)
    with pytest.raises(Conflict, match="Solo se informa"):
        services.inform_citizen(
            escalation=l2, user=orientador, message="x", now=lima(2026, 3, 2, 11)
        )
    with pytest.raises(Conflict, match="Esta consulta está escalada"):
        services.answer_query(query=query, agent=orientador, answer="x", now=lima(2026, 3, 2, 11))
    l3 = services.escalate_up(
        escalation=l2,
        user=specialist,
        area_code="SOPORTE-TI",
        criticality="MEDIO",
        complexity="INDEFINIDA",
        reason="Ver sistema.",
        now=lima(2026, 3, 2, 12),
    )
    # Level 2 waits for level 3: it cannot answer meanwhile.
    with pytest.raises(Conflict, match="Solo se responde"):
        services.answer_escalation(
            escalation=l2, user=specialist, answer="x", now=lima(2026, 3, 2, 13)
        )
    # There is no level 4.
    with pytest.raises(Conflict):
        services.escalate_up(
            escalation=l3,
            user=support,
            area_code="REDES",
            criticality="BAJO",
            complexity="BAJA",
            reason="x",
            now=lima(2026, 3, 2, 13),
        )
    services.answer_escalation(
        escalation=l3, user=support, answer="Listo.", now=lima(2026, 3, 2, 14)
    )
    with pytest.raises(Conflict, match="Solo se responde"):
        services.answer_escalation(
            escalation=l3, user=support, answer="otra", now=lima(2026, 3, 2, 15)
        )


def test_only_the_areas_members_act_on_its_hops(orientador, specialist, fiscalizador, support):
    query = new_query(orientador, lima(2026, 3, 2, 9))
    l2 = up(orientador, lima(2026, 3, 2, 10), query=query)
    with pytest.raises(Forbidden, match="Protección de usuarios"):
        services.answer_escalation(escalation=l2, user=fiscalizador, answer="x")
    with pytest.raises(Forbidden):
        services.send_back(escalation=l2, user=orientador, reason="x")
    # A specialist (level 2 only) is not 1st level: cannot register or escalate.
    with pytest.raises(Forbidden):
        new_query(specialist, lima(2026, 3, 2, 11))
    with pytest.raises(Forbidden):
        up(specialist, lima(2026, 3, 2, 11), case=None, query=query)
    assert Escalation.objects.count() == 1


def test_bad_escalation_is_refused_in_spanish_and_writes_nothing(orientador):
    query = new_query(orientador, lima(2026, 3, 2, 9))
    events = AttentionEvent.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        services.escalate(
            agent=orientador,
            query=query,
            area_code="SOPORTE-TI",  # a level-3 area: the 1st level goes to level 2
            criticality="URGENTE",
            complexity="",
            reason="  ",
            now=lima(2026, 3, 2, 10),
        )
    errors = {e.field: e.message for e in exc.value.errors}
    assert errors == {
        "area": "Elija un área del 2.º nivel.",
        "criticality": "Elija la criticidad: alta, media o baja.",
        "complexity": "Elija la complejidad.",
        "reason": "Explique qué necesita del área.",
    }
    assert Escalation.objects.count() == 0
    assert AttentionEvent.objects.count() == events
    query.refresh_from_db()
    assert query.state == "OPEN"


# --- consultas -----------------------------------------------------------------------


def test_query_codes_are_correlative_per_year(orientador):
    a = new_query(orientador, lima(2026, 12, 31, 10))
    b = new_query(orientador, lima(2026, 12, 31, 11))
    c = new_query(orientador, lima(2027, 1, 4, 9))
    assert [a.code, b.code, c.code] == ["CON-2026-0000001", "CON-2026-0000002", "CON-2027-0000001"]


def test_bad_query_is_refused_in_spanish_and_writes_nothing(orientador):
    with pytest.raises(ValidationFailed) as exc:
        services.register_query(
            agent=orientador,
            channel="FAX",
            topic="",
            question="",
            name="",
            document_type="DNI",
            document_number="123",
            email="no-es-correo",
        )
    errors = {e.field: e.message for e in exc.value.errors}
    assert errors["channel"] == "Elija el canal por el que llegó la consulta."
    assert errors["question"] == "Escriba la consulta del ciudadano."
    assert errors["document_number"].startswith("El DNI tiene 8 dígitos")
    assert errors["email"].startswith("Ingrese un correo válido")
    assert Query.objects.count() == 0


def test_query_of_a_known_citizen_is_linked_to_their_account(orientador, citizen):
    query = new_query(
        orientador,
        lima(2026, 3, 2, 9),
        document_type="DNI",
        document_number=citizen.document_number,
        email="",
    )
    assert query.citizen == citizen
    assert query.email == citizen.email  # the answer and the survey reach them


def test_no_deletes_anywhere():
    from django.contrib import admin

    from sgu.attention.models import Area

    # Events are append-only: their foreign keys protect what they point at.
    for field in ("escalation", "query", "case", "actor"):
        assert AttentionEvent._meta.get_field(field).remote_field.on_delete.__name__ == "PROTECT"
    assert admin.site._registry[Area].has_delete_permission(None) is False

"""Attention manual 9.1: the responsible first decides whether a submission is a suggestion
(if not, it is answered and handled as a consulta or a complaint, recorded); suggestions
received by other means (phone, letter, social media, in person) are entered by the staff
member who received them, with their channel."""

import pytest
from django.test import Client

from factories import make_citizen, make_operator_agent, make_regulator, text
from sgu.accounts.auth import principal_for_user
from sgu.core.errors import Conflict, ValidationFailed
from sgu.notifications.models import OutboundEmail
from sgu.suggestions import services
from sgu.suggestions.models import Suggestion, SuggestionEvent
from suggestions.helpers import TEXT, area, member, route, submit

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def users_area(db):
    return area("USUARIOS", "Protección de usuarios")


def triage(user, s, **kw):
    return services.triage_suggestion(suggestion=s, by=principal_for_user(user), **kw)


def test_a_submission_that_is_a_complaint_is_answered_and_recorded(users_area):
    staff = make_regulator()
    s = submit(text="Mi operadora me cobra de más desde hace tres meses y no me responde.")
    assert s.awaiting_triage
    before = OutboundEmail.objects.count()
    triage(
        staff,
        s,
        is_suggestion=False,
        redirected_as="RECLAMO",
        reference="SGU-2026-0000077",
        answer="Registramos su reclamo con el código SGU-2026-0000077; le escribirá la operadora.",
    )
    s.refresh_from_db()
    assert (s.state, s.is_suggestion, s.redirected_as) == ("REDIRECTED", False, "RECLAMO")
    assert s.triaged_by == staff and s.answered_at is not None
    event = SuggestionEvent.objects.get(suggestion=s, kind="REDIRECTED")
    assert "reclamo (SGU-2026-0000077)" in event.note
    email = OutboundEmail.objects.order_by("-id").first()
    assert OutboundEmail.objects.count() == before + 1 and email.to == "vecina@example.pe"
    assert "no es una sugerencia" in email.body_text and "reclamo" in email.body_text
    # It is no longer a suggestion: not routed, not answered as one.
    with pytest.raises(Conflict):
        route(staff, s, "USUARIOS")
    with pytest.raises(Conflict):
        triage(staff, s, is_suggestion=True)


def test_deciding_it_is_a_suggestion_is_recorded_and_routing_implies_it(users_area):
    staff = make_regulator()
    s = submit()
    triage(staff, s, is_suggestion=True)
    s.refresh_from_db()
    assert s.is_suggestion is True and s.state == "RECEIVED" and not s.awaiting_triage
    other = submit()
    route(staff, other, "USUARIOS")
    other.refresh_from_db()
    assert other.is_suggestion is True
    assert SuggestionEvent.objects.filter(suggestion=other, kind="TRIAGED").exists()


def test_bad_triage_changes_nothing(users_area):
    staff = make_regulator()
    s = submit()
    with pytest.raises(ValidationFailed) as exc:
        triage(staff, s, is_suggestion=False, redirected_as="OTRO", answer="corto")
    assert {e.field for e in exc.value.errors} == {"redirected_as", "answer"}
    s.refresh_from_db()
    assert s.awaiting_triage and s.state == "RECEIVED"


def test_staff_enter_a_suggestion_received_by_letter_without_email(users_area):
    staff = make_regulator()
    s = services.enter_suggestion(
        data=services.StaffEntry(channel="CARTA", text=TEXT, name="Juan Pérez"),
        by=principal_for_user(staff),
    )
    assert (s.channel, s.entered_by, s.email, s.name) == ("CARTA", staff, "", "Juan Pérez")
    assert s.get_channel_display() == "Carta o mesa de partes"
    assert SuggestionEvent.objects.get(suggestion=s, kind="RECEIVED").note == (
        "Recibida por carta o mesa de partes."
    )
    assert not OutboundEmail.objects.filter(to="").exists()
    # Answered like any other; with no email nothing is sent.
    route(staff, s, "USUARIOS")
    boss = make_regulator("REGULATOR_SUPERVISOR")
    services.answer_suggestion(
        suggestion=s, answer="Gracias, lo evaluaremos.", by=principal_for_user(boss)
    )
    s.refresh_from_db()
    assert s.state == "ANSWERED"


def test_staff_entry_refusals(users_area):
    staff = make_regulator()
    with pytest.raises(ValidationFailed) as exc:
        services.enter_suggestion(
            data=services.StaffEntry(channel="WEB", text="corto", email="no-es-correo"),
            by=principal_for_user(staff),
        )
    assert {e.field for e in exc.value.errors} == {"channel", "text", "email"}
    assert not Suggestion.objects.exists()


def test_the_pages(users_area):
    staff = make_regulator()
    c = login(staff)
    page = c.get("/regulador/sugerencias/registrar/")
    assert page.status_code == 200 and "Redes sociales" in text(page)
    bad = c.post("/regulador/sugerencias/registrar/", {"channel": "REDES", "text": "x"})
    assert bad.status_code == 422 and "al menos 10 caracteres" in text(bad)
    assert not Suggestion.objects.exists()
    ok = c.post(
        "/regulador/sugerencias/registrar/",
        {"channel": "REDES", "text": TEXT, "email": "ana@example.pe"},
        follow=True,
    )
    s = Suggestion.objects.get()
    assert s.channel == "REDES" and "Redes sociales" in text(ok)
    assert "Calificar: ¿es una sugerencia?" in text(ok)
    missing = c.post(f"/regulador/sugerencias/{s.code}/calificar/", {})
    assert missing.status_code == 422 and "Indique si es una sugerencia" in text(missing)
    bad = c.post(f"/regulador/sugerencias/{s.code}/calificar/", {"is_suggestion": "no"})
    assert bad.status_code == 422 and "consulta o como reclamo" in text(bad)
    s.refresh_from_db()
    assert s.awaiting_triage
    done = c.post(
        f"/regulador/sugerencias/{s.code}/calificar/",
        {
            "is_suggestion": "no",
            "redirected_as": "CONSULTA",
            "answer": "Su pregunta se atiende como consulta: le responderemos en 24 horas.",
        },
        follow=True,
    )
    assert "No: se atiende como consulta" in text(done)


def test_operators_and_citizens_see_none_of_it(users_area, claro):
    s = submit()
    for user in (make_citizen(), make_operator_agent(claro)):
        c = login(user)
        assert c.get("/regulador/sugerencias/registrar/").status_code in (302, 403)
        assert c.post(f"/regulador/sugerencias/{s.code}/calificar/", {}).status_code in (
            302,
            403,
        )
    s.refresh_from_db()
    assert s.awaiting_triage


def test_an_area_member_does_not_triage_another_areas_suggestion(users_area):
    web = area("SOPORTE-TI", "Soporte técnico", 3)
    s = submit()
    route(make_regulator("REGULATOR_SUPERVISOR"), s, "SOPORTE-TI")
    s = Suggestion.objects.get(pk=s.pk)
    s.is_suggestion = None
    s.save(update_fields=["is_suggestion"])
    outsider = member(users_area)
    c = login(outsider)
    refused = c.post(f"/regulador/sugerencias/{s.code}/calificar/", {"is_suggestion": "si"})
    assert refused.status_code == 404
    assert web.pk == s.area_id

"""In a real browser: a closed falla masiva is reviewed before it is reported — the
systems-failure team confirms it, Control e Información evaluates it with the figures of the
document's criteria, a manager approves it — and the regulator then sees it reported."""

from datetime import timedelta

import pytest
from django.utils import timezone

from factories import PASSWORD, enrol_two_factor
from outages.helpers import (
    make_channel_head,
    make_operator_admin,
    make_point,
    make_staff,
    make_supervisor,
    register,
)
from sgu.accounts import totp
from sgu.accounts.auth import principal_for_user
from sgu.catalog.demo import load_reference_data
from sgu.catalog.models import Operator
from sgu.operators.models import StaffDuty
from sgu.outages import services
from sgu.outages.models import OutageEvent

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
]


def sign_in(page, base: str, path: str, user, secret: str) -> None:
    page.goto(f"{base}{path}")
    page.get_by_label("Correo electrónico").fill(user.email)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Ingresar").click()
    page.get_by_label("Código de verificación").fill(totp.now_code(secret))
    page.get_by_role("button", name="Verificar").click()
    page.wait_for_url(f"**{path}")


def test_an_outage_is_confirmed_evaluated_and_approved_up_to_its_report(
    browser, live_server, shots
):
    load_reference_data()
    claro = Operator.objects.get(code="CLARO")
    point = make_point(make_operator_admin(claro), code="CAC-MIRAFLORES", name="CAC Miraflores")
    head = make_channel_head(claro)
    now = timezone.now()
    event = register(
        head,
        point,
        scenario="FALLA_MASIVA",
        started_at=now - timedelta(hours=3),
        now=now - timedelta(hours=3),
    )
    services.close_outage(
        event=event,
        ended_at=now - timedelta(hours=1),
        closing_reason="FALLA_MASIVA_APLICATIVO",
        by=principal_for_user(head),
        now=now,
    )
    # One person of Claro holds the three review duties (the demo's administrator does too).
    reviewer = make_staff(
        claro,
        StaffDuty.SYSTEMS_FAILURE,
        StaffDuty.OUTAGE_REVIEWER,
        StaffDuty.OUTAGE_MANAGER,
        name="Revisora",
    )
    secret = enrol_two_factor(reviewer)

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="es-PE")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    page.on(
        "console",
        lambda msg: (
            errors.append(msg.text)
            if msg.type == "error" and "status of 422" not in msg.text
            else None
        ),
    )
    sign_in(page, live_server.url, "/inoperatividad/eventos/", reviewer, secret)
    # Not the channel's head: the register is read-only for this person.
    assert page.get_by_text("Solo el jefe, supervisor o coordinador de canal").is_visible()
    page.get_by_role("link", name="Falla masiva por confirmar").click()
    page.wait_for_url(f"**/inoperatividad/eventos/{event.pk}/")
    assert page.locator("#estado-revision").inner_text() == "Falla masiva por confirmar"

    # --- the systems-failure team confirms, with the failure's window -----------------------
    start = timezone.localtime(now - timedelta(hours=4))
    page.get_by_label("Inicio de la falla masiva (hora de Lima)").fill("")
    page.get_by_role("button", name="Confirmar la falla masiva").click()
    assert (
        "Indique la fecha y hora de inicio de la falla."
        in page.locator("[data-error-summary]").inner_text()
    )
    page.get_by_label("Inicio de la falla masiva (hora de Lima)").fill(f"{start:%Y-%m-%dT%H:%M}")
    shots(page, "outage-review-01-confirmar")
    page.get_by_role("button", name="Confirmar la falla masiva").click()
    assert page.get_by_text("Confirmó la falla masiva.").is_visible()
    assert page.locator("#estado-revision").inner_text() == "Por evaluar"

    # --- Control e Información evaluates with the criteria's figures ------------------------
    criteria = page.locator(
        "section", has=page.get_by_role("heading", name="Criterios de evaluación")
    )
    assert "dentro del horario de la falla masiva" in criteria.inner_text()
    assert "120 min — mayor a 1 hora" in criteria.inner_text()
    page.get_by_label("No procede").check()
    page.get_by_role("button", name="Guardar la evaluación").click()
    assert (
        "Explique por qué no procede reportarlo"
        in page.locator("[data-error-summary]").inner_text()
    )
    page.get_by_label("Sí, procede").check()
    shots(page, "outage-review-02-evaluar")
    page.get_by_role("button", name="Guardar la evaluación").click()
    assert page.get_by_text("Registró la evaluación del evento.").is_visible()
    assert page.locator("#estado-revision").inner_text() == "Evaluado: por aprobar"

    # --- a manager approves: reported -------------------------------------------------------
    page.get_by_role("button", name="Aprobar y reportar").click()
    assert page.get_by_text("Aprobó el evento: quedó reportado al regulador.").is_visible()
    assert page.locator("#estado-revision").inner_text() == "Aprobado y reportado al regulador"
    shots(page, "outage-review-03-reportado")
    event = OutageEvent.objects.get(pk=event.pk)
    assert event.failure_confirmed_by == reviewer and event.approved_by == reviewer
    assert errors == []
    context.close()

    # --- the regulator sees it reported ------------------------------------------------------
    regulator = make_supervisor()
    secret = enrol_two_factor(regulator)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="es-PE")
    page = context.new_page()
    sign_in(page, live_server.url, "/inoperatividad/regulador/", regulator, secret)
    page.get_by_label("Revisión").select_option("REPORTADO")
    page.get_by_role("button", name="Filtrar").click()
    rows = page.locator("#event-rows")
    rows.get_by_text("Aprobado y reportado al regulador").wait_for()
    assert "CAC Miraflores" in rows.inner_text()
    context.close()

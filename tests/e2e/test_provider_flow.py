"""The provider's whole flow in a real browser (issue 18): the regulator files a requirement →
the provider observes it → the regulator answers → feasibility → replica → supervisor and
monitor confirm → the advisor confirms and passes the evaluation → the regulator sees 100 %
and receives the closing email over SMTP."""

import pytest

from factories import DESKTOP, log_in, watch_errors
from provider.helpers import approved_version, make_team, regulator
from sgu.provider.models import Requirement

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_requirement_to_replica_to_one_hundred_percent(browser, live_server, mailbox, tasks):
    team = make_team()
    client = regulator()
    version = approved_version()
    errors: list[str] = []

    def person(user):
        ctx = browser.new_context(viewport=DESKTOP, locale="es-PE")
        page = ctx.new_page()
        errors.extend(watch_errors(page))
        log_in(page, live_server.url, user.email)
        return page

    def open_requirement(page, code):
        page.goto(f"{live_server.url}/proveedor/requerimientos/{code}/")

    # The regulator files the requirement.
    reg = person(client)
    reg.goto(live_server.url + "/proveedor/requerimientos/nuevo/")
    reg.get_by_label("Tipo").select_option("NEW_INFO")
    reg.get_by_label("Tema").fill("Nuevo plazo de portabilidad")
    reg.get_by_label("Descripción").fill("Informar a los asesores el nuevo plazo de 24 horas.")
    reg.get_by_role("button", name="Registrar requerimiento").click()
    code = Requirement.objects.get().code
    reg.get_by_role("heading", name=f"Requerimiento {code}").wait_for()

    # Experiencia Cliente observes it: the provider's clock stops.
    cx = person(team.cx)
    open_requirement(cx, code)
    cx.get_by_label("Precisiones que pide al cliente").fill("¿Aplica también a prepago?")
    cx.get_by_role("button", name="Observar y devolver al cliente").click()
    cx.locator("#remaining").get_by_text("Reloj del proveedor detenido").wait_for()

    # The regulator answers.
    open_requirement(reg, code)
    reg.get_by_label("Respuesta a las precisiones").fill("Sí, a prepago y postpago.")
    reg.get_by_role("button", name="Absolver las precisiones").click()
    reg.locator("#stage").get_by_text("Validación inicial").wait_for()

    # Validation, the operations supervisor's knowledge, feasibility, deployment start.
    open_requirement(cx, code)
    cx.get_by_role("button", name="Validar y derivar al supervisor de operaciones").click()
    ops = person(team.ops)
    open_requirement(ops, code)
    ops.get_by_role("button", name="Tomar conocimiento (supervisor de operaciones)").click()
    ops.locator("#stage").get_by_text("Viabilidad y plazo").wait_for()
    open_requirement(cx, code)
    cx.get_by_role("button", name="Confirmar viabilidad y plazo").click()
    cx.get_by_role("button", name="Comunicar el inicio del despliegue").click()
    cx.locator("#stage").get_by_text("Réplica a los asesores").wait_for()

    # The trainer plans the replica with the article version, an evaluation, and starts it.
    trainer = person(team.trainer)
    open_requirement(trainer, code)
    trainer.get_by_label("Material: versión del artículo").select_option(str(version.pk))
    trainer.get_by_label("Ayuda memoria").fill("Portabilidad en 24 horas; la pide el titular.")
    trainer.get_by_label("Fecha de la réplica").fill("2026-11-25")
    trainer.get_by_label("Formador").select_option(str(team.trainer.pk))
    trainer.get_by_label(str(team.advisors[0])).check()
    trainer.get_by_role("button", name="Programar réplica").click()
    trainer.get_by_label("Preguntas").fill("¿Plazo de la portabilidad? | *24 horas | 5 días")
    trainer.get_by_label("Nota aprobatoria (%)").fill("100")
    trainer.get_by_role("button", name="Programar evaluación").click()
    trainer.get_by_role("button", name="Iniciar la réplica (se avisa al cliente)").click()
    trainer.locator("#replica-state").get_by_text("En curso").wait_for()
    replica_url = trainer.url

    # Supervisor and monitor first, then the advisor, who passes the evaluation.
    for lead in (team.ops, team.monitor):
        page = ops if lead == team.ops else person(lead)
        page.goto(replica_url)
        page.get_by_role("button", name="Confirmo haber sido informado y capacitado").click()
        page.get_by_text("Confirmó haber sido informado y capacitado.").wait_for()
    advisor = person(team.advisors[0])
    advisor.goto(replica_url)
    advisor.get_by_role("button", name="Confirmo haber sido informado y capacitado").click()
    advisor.get_by_label("24 horas").check()
    advisor.get_by_role("button", name="Enviar respuestas").click()
    advisor.get_by_text("Nota: 100 % — aprobó.").wait_for()
    advisor.locator("#replica-state").get_by_text("Cerrada").wait_for()

    # Completed, final status, and the regulator sees 100 %.
    open_requirement(trainer, code)
    trainer.get_by_role("button", name="Dar por completada la réplica").click()
    open_requirement(cx, code)
    cx.get_by_label("Estatus final para el cliente").fill("Asesores capacitados y evaluados.")
    cx.get_by_role("button", name="Informar el estatus final al cliente").click()
    open_requirement(reg, code)
    reg.locator("#req-compliance").get_by_text("100.0 %").or_(
        reg.locator("#req-compliance").get_by_text("100,0 %")
    ).wait_for()
    reg.locator("#stage").get_by_text("Cerrado").wait_for()

    tasks()
    mailbox.wait_for(client.email, f"Cierre de la réplica de {code}")
    mailbox.wait_for(client.email, f"Estatus final de {code}")
    assert not errors, errors

"""Demo data for the attention manual's incidents and suggestions (issue 17): incidents that
waited on a provider (a closed pause, one still paused), became functional requirements or
needed coordination; the incident matrix fed from solved ones; suggestions triaged (one was a
complaint) or entered from a letter and a call; and the areas' annual reports of last year
(one handed in on time, one late, one missing). Idempotent: nothing is added twice."""

from datetime import date, datetime, time, timedelta

from sgu.accounts.auth import principal_for_user
from sgu.accounts.models import User
from sgu.attention import services as attention
from sgu.attention.models import ClockPause, Escalation
from sgu.core.calendar import LIMA, load_calendar
from sgu.knowledge import services as knowledge
from sgu.knowledge.models import IncidentMatrixEntry
from sgu.suggestions import selectors as suggestion_selectors
from sgu.suggestions import services as suggestions
from sgu.suggestions.models import AreaAnnualReport, Suggestion

INCIDENTS = [
    # (region, question, reason to level 2, level-3 reason, provider or None, outcome,
    #  coordination, with whom, answer)
    (
        "CUSCO",
        "No me llegan los correos de confirmación del SGU.",
        "El ciudadano no recibe los correos del sistema.",
        "Los correos salen pero el proveedor de envío los rechaza.",
        ("PROVIDER", "Correo Andino SAC (envío de correos)"),
        "SOLVED",
        "EXTERNAL",
        "Correo Andino SAC",
        "El proveedor reactivó el dominio; los correos vuelven a llegar.",
    ),
    (
        "LIMA",
        "Quiero adjuntar mis recibos desde el celular y el formulario no me deja.",
        "El formulario de adjuntos no acepta fotos del celular.",
        "No es un error: hoy solo se aceptan PDF; aceptar fotos exige un desarrollo.",
        None,
        "REQUIREMENT",
        "INTERNAL",
        "Oficina de Tecnologías de la Información",
        "Se registrará como requerimiento: aceptar fotos (JPG, PNG) de los recibos.",
    ),
    (
        "AREQUIPA",
        "La validación de mi DNI falla al registrarme.",
        "La validación de identidad rechaza DNI válidos.",
        "El servicio de validación de identidad externo no responde.",
        ("EXTERNAL", "RENIEC (servicio de validación de identidad)"),
        "SOLVED",
        "EXTERNAL",
        "RENIEC",
        "RENIEC restableció su servicio; la validación funciona de nuevo.",
    ),
    (
        "LA_LIBERTAD",
        "El sistema me muestra un plazo distinto al que me dijo la operadora.",
        "Diferencia entre el plazo mostrado y el informado por la operadora.",
        "El plazo se calculaba con un feriado regional como no hábil.",
        None,
        "SOLVED",
        "INTERNAL",
        "Dirección de Protección de Usuarios",
        "Se corrigió el calendario: los feriados regionales no cuentan a nivel nacional.",
    ),
]

MATRIX = {
    0: (
        "SGU › Correos de confirmación",
        "El proveedor de envío de correos suspendió el dominio por un pico de rebotes.",
    ),
    3: (
        "SGU › Cálculo de plazos",
        "Un feriado regional estaba cargado como feriado nacional en el calendario.",
    ),
}


def _business_days_back(until: date, n: int) -> list[date]:
    cal = load_calendar()
    out, d = [], until
    while len(out) < n:
        d -= timedelta(days=1)
        if cal.is_business_day(d):
            out.append(d)
    return list(reversed(out))


def _at(d: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(d, time(hh, mm), tzinfo=LIMA)


def load_att17_demo(*, until: date) -> None:
    if ClockPause.objects.exists():
        return
    try:
        first = User.objects.get(email="orientador@demo.sgu.pe")
        second = User.objects.get(email="especialista@demo.sgu.pe")
        third = User.objects.get(email="soporte@demo.sgu.pe")
        boss = User.objects.get(email="supervisor@demo.sgu.pe")
    except User.DoesNotExist:
        return
    days = _business_days_back(until, 12)
    for i, (
        region,
        question,
        reason,
        up_reason,
        wait,
        outcome,
        coord,
        coord_with,
        answer,
    ) in enumerate(INCIDENTS):
        d0, d1, d2 = days[i * 2], days[i * 2 + 1], days[i * 2 + 2]
        query = attention.register_query(
            agent=first,
            channel="EMAIL",
            motive="sgu-seguimiento",
            question=question,
            name="Ciudadana de la demostración",
            email=f"incidencia{i + 1}@example.pe",
            region=region,
            now=_at(d0, 9, 10),
        )
        l2 = attention.escalate(
            agent=first,
            area_code="USUARIOS",
            criticality="MEDIO",
            complexity="MEDIA",
            reason=reason,
            query=query,
            now=_at(d0, 9, 40),
        )
        attention.take_escalation(escalation=l2, user=second, now=_at(d0, 10))
        l3 = attention.escalate_up(
            escalation=l2,
            user=second,
            area_code="SOPORTE-TI",
            criticality="MEDIO",
            complexity="ALTA",
            reason=up_reason,
            now=_at(d0, 11),
        )
        attention.take_escalation(escalation=l3, user=third, now=_at(d0, 15))
        if wait:
            attention.pause_solution(
                escalation=l3,
                user=third,
                waiting_on=wait[0],
                waiting_on_name=wait[1],
                reason=up_reason,
                now=_at(d0, 16),
            )
            attention.resume_solution(
                escalation=l3, user=third, note="Respondió el tercero.", now=_at(d1, 11)
            )
        attention.answer_escalation(
            escalation=l3,
            user=third,
            answer=answer,
            outcome=outcome,
            requirement_title="Aceptar fotos de los recibos (JPG, PNG)"
            if outcome == "REQUIREMENT"
            else "",
            coordination=coord,
            coordination_with=coord_with,
            now=_at(d1, 16),
        )
        l2 = Escalation.objects.get(pk=l2.pk)
        attention.answer_escalation(escalation=l2, user=second, answer=answer, now=_at(d2, 10))
        attention.inform_citizen(
            escalation=Escalation.objects.get(pk=l2.pk), user=first, message=answer, now=_at(d2, 12)
        )
        if i in MATRIX and not IncidentMatrixEntry.objects.filter(escalation=l2).exists():
            typification, cause = MATRIX[i]
            knowledge.record_incident(
                escalation_id=l2.pk,
                by=principal_for_user(boss),
                typification=typification,
                cause=cause,
                solution=answer,
                now=_at(d2, 15),
            )
    # One still waiting on a provider today.
    d = days[-1]
    query = attention.register_query(
        agent=first,
        channel="WEB",
        motive="sgu-seguimiento",
        question="El portal se cae al descargar mi constancia.",
        name="Ciudadano de la demostración",
        email="incidencia5@example.pe",
        region="PIURA",
        now=_at(d, 9),
    )
    l2 = attention.escalate(
        agent=first,
        area_code="USUARIOS",
        criticality="ALTO",
        complexity="ALTA",
        reason="Caída al descargar constancias.",
        query=query,
        now=_at(d, 9, 30),
    )
    l3 = attention.escalate_up(
        escalation=l2,
        user=second,
        area_code="SOPORTE-TI",
        criticality="ALTO",
        complexity="ALTA",
        reason="El servidor de documentos del proveedor no responde.",
        now=_at(d, 10),
    )
    attention.take_escalation(escalation=l3, user=third, now=_at(d, 10, 30))
    attention.pause_solution(
        escalation=l3,
        user=third,
        waiting_on="PROVIDER",
        waiting_on_name="Nube Andina SAC (almacenamiento)",
        reason="El almacenamiento de documentos está caído; el proveedor lo atiende.",
        now=_at(d, 11),
    )
    _suggestions(boss, second, until)


def _suggestions(boss, member, until: date) -> None:
    if Suggestion.objects.filter(entered_by__isnull=False).exists():
        return
    by = principal_for_user(boss)
    days = _business_days_back(until, 5)
    letter = suggestions.enter_suggestion(
        data=suggestions.StaffEntry(
            channel="CARTA",
            name="Juan Pérez Quispe",
            text="Pido que las oficinas atiendan los sábados por la mañana.",
        ),
        by=by,
        now=_at(days[0], 10),
    )
    suggestions.triage_suggestion(suggestion=letter, by=by, is_suggestion=True, now=_at(days[1], 9))
    suggestions.route_suggestion(
        suggestion=letter, area_code="USUARIOS", by=by, now=_at(days[1], 9, 5)
    )
    suggestions.enter_suggestion(
        data=suggestions.StaffEntry(
            channel="TELEFONO",
            name="Carmen Rojas",
            email="carmen.rojas@example.pe",
            text="Sería bueno que el SMS con el código del caso incluya el enlace.",
        ),
        by=by,
        now=_at(days[2], 11),
    )
    complaint = suggestions.submit_suggestion(
        data=suggestions.SuggestionInput(
            email="queja@example.pe",
            text="Mi operadora me cobró dos veces el mismo mes y no me devuelve el dinero.",
        ),
        now=_at(days[3], 12),
    )
    suggestions.triage_suggestion(
        suggestion=complaint,
        by=by,
        is_suggestion=False,
        redirected_as="RECLAMO",
        answer="Su mensaje es un reclamo: regístrelo en el SGU con su operadora; si no le "
        "responde a tiempo, podrá apelar ante el regulador.",
        now=_at(days[4], 10),
    )
    # Last year's annual reports: one on time, one late, the rest missing.
    year = until.year - 1
    if until <= suggestion_selectors.annual_report_due(year) or AreaAnnualReport.objects.exists():
        return
    due = suggestion_selectors.annual_report_due(year)
    for code, when in (
        ("USUARIOS", due - timedelta(days=3)),
        ("SOPORTE-TI", due + timedelta(days=4)),
    ):
        suggestions.submit_annual_report(
            year=year,
            area_code=code,
            summary=f"Sugerencias recibidas en {year} y acciones implementadas: se amplió el "
            "horario de atención telefónica y se simplificó el formulario de reclamos.",
            by=by,
            now=_at(when, 12),
        )

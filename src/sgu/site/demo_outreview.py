"""Demo of the inoperatividad review (issue 15, points 8–11): Claro's outages in every review
state, its own affected application, the duties of the procedure and the procedure types'
subcategories for the evaluation's case count. Idempotent; called once by `load_demo`.

Claro's administrator (admin.claro@demo.sgu.pe) holds the four duties so that one demo
account can walk a whole review; the agent (agente.claro@…) only sees the register.
"""

from datetime import datetime, timedelta

from django.utils import timezone

from sgu.accounts.auth import principal_for_user
from sgu.accounts.models import User
from sgu.catalog.models import Subcategory
from sgu.operators import selectors as operators
from sgu.operators import services as operator_services
from sgu.operators.models import StaffDuty
from sgu.outages import selectors, services
from sgu.outages.demo import load_outage_catalogs
from sgu.outages.models import AttentionPoint, OutageEvent, ProcedureSubcategory

MARK = "Demostración de la revisión"

# procedure type → subcategories whose SGU cases count in the evaluation (criterion 3)
PROCEDURES = {
    "RECLAMOS": ["info-reclamo", "sin-codigo"],
    "ALTAS": ["portabilidad-rechazada", "servicio-no-solicitado"],
    "BAJAS": ["baja-no-ejecutada"],
    "CONSULTAS": [
        "migracion-no-ejecutada",
        "linea-bloqueada-sin-causa",
        "no-desbloquean",
        "chip-o-titular-no-solicitado",
    ],
}


def _free_slot(operator, procedure: str) -> AttentionPoint | None:
    for point in selectors.operator_points(operator, active=True):
        if selectors.open_event_for(point, procedure) is None:
            return point
    return None


def load_outreview_demo(now: datetime | None = None) -> int:
    """Claro's review examples at `now`; returns how many events it registered."""
    now = now or timezone.now()
    load_outage_catalogs()
    for procedure, codes in PROCEDURES.items():
        for sub in Subcategory.objects.filter(code__in=codes):
            ProcedureSubcategory.objects.get_or_create(procedure_type=procedure, subcategory=sub)
    admin = User.objects.filter(email="admin.claro@demo.sgu.pe").first()
    if admin is None or OutageEvent.objects.filter(systems__startswith=MARK).exists():
        return 0
    operator = admin.operator
    operator_services.set_staff_duties(
        operator=operator,
        user_id=admin.pk,
        duties=sorted(operators.duties_of(admin) | set(StaffDuty.values)),
        by=admin,
    )
    by = principal_for_user(admin)
    if not selectors.operator_applications(operator).filter(code="PORTAL-ATC").exists():
        services.create_application(
            data=services.ApplicationInput(
                code="PORTAL-ATC",
                name="Portal de Aplicaciones (Sistema Administrativo ATC)",
                group="POSTVENTA",
            ),
            by=by,
        )

    def event(procedure, scenario, apps, started, ended=None, reason="", note=""):
        point = _free_slot(operator, procedure)
        if point is None:
            return None
        e = services.register_outage(
            data=services.OutageInput(
                attention_point=point.code,
                procedure_type=procedure,
                scenario=scenario,
                applications=apps,
                systems=f"{MARK}: {note}",
                started_at=started,
            ),
            by=by,
            now=started + timedelta(minutes=5),
        )
        if ended is not None:
            e = services.close_outage(
                event=e,
                ended_at=ended,
                closing_reason=reason,
                closing_justification=(
                    "Registrado por error durante la capacitación del personal de la tienda."
                    if reason == "ERROR_USUARIO"
                    else ""
                ),
                by=by,
                now=ended + timedelta(minutes=10),
            )
        return e

    h = timedelta(hours=1)
    made = [
        # Open, and open for too long (flagged).
        event("RECLAMOS", "FALLA_MASIVA", ["WEB-ASESOR-RECLAMOS"], now - 6 * h, note="abierto"),
        # Closed falla masiva, waiting for the systems-failure team.
        event(
            "ALTAS",
            "FALLA_MASIVA",
            ["SISACT", "SICAR"],
            now - 5 * h,
            now - 3 * h,
            "FALLA_MASIVA_APLICATIVO",
            "por confirmar",
        ),
    ]
    # Confirmed, waiting for evaluation.
    e = event(
        "CONSULTAS",
        "FALLA_MASIVA",
        ["SIAC-UNICO"],
        now - 8 * h,
        now - 6 * h,
        "CONECTIVIDAD",
        "por evaluar",
    )
    if e is not None:
        services.confirm_mass_failure(
            event=e, failure_started_at=now - 9 * h, failure_ended_at=now - 5 * h, by=by
        )
    made.append(e)
    # Evaluated: no procede (an unforeseen event for less than an hour).
    e = event(
        "BAJAS",
        "EVENTO_NO_PREVISTO",
        ["SGA"],
        now - 30 * h,
        now - 29.5 * h,
        "SIN_FLUIDO_ELECTRICO",
        "no procede",
    )
    if e is not None:
        services.evaluate_outage(
            event=e,
            proceeds=False,
            note="Corte breve; la tienda atendió en el CAC vecino sin afectar trámites.",
            by=by,
            now=now - 20 * h,
        )
    made.append(e)
    # Evaluated: procede, waiting for the manager.
    e = event(
        "ALTAS",
        "EVENTO_NO_PREVISTO",
        ["SISACT-PREPAGO", "PORTAL-ATC"],
        now - 28 * h,
        now - 25 * h,
        "INFRAESTRUCTURA",
        "por aprobar",
    )
    if e is not None:
        services.evaluate_outage(event=e, proceeds=True, by=by, now=now - 20 * h)
    made.append(e)
    # Approved and reported.
    e = event(
        "RECLAMOS",
        "EVENTO_NO_PREVISTO",
        ["WEB-ASESOR-RECLAMOS"],
        now - 50 * h,
        now - 47 * h,
        "SIN_FLUIDO_ELECTRICO",
        "reportado",
    )
    if e is not None:
        services.evaluate_outage(event=e, proceeds=True, by=by, now=now - 40 * h)
        services.approve_outage(event=e, by=by, now=now - 30 * h)
    made.append(e)
    # A falla masiva that was a test: closed as "Error de usuario", never reported.
    made.append(
        event(
            "CONSULTAS",
            "FALLA_MASIVA",
            ["SIAC-UNICO"],
            now - 4 * h,
            now - 3.5 * h,
            "ERROR_USUARIO",
            "error de usuario",
        )
    )
    return sum(1 for m in made if m is not None)

"""Demo data of issue 15 (points 2, 3 and 5): who the SGU binds (the threshold and every
operator's subscribers, with history, and a small operator it does not bind, with its own
channels), and reclamos as the source documents lay them down: one whose code came with the
case's documents, one waiting for its code with the clock running, and one late."""

from datetime import date, datetime, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from sgu.accounts.models import User
from sgu.cases import services as cases
from sgu.cases.models import Case, Claim
from sgu.cases.workflow import Actor
from sgu.catalog.models import Operator
from sgu.core import reference
from sgu.core.principal import Principal
from sgu.operators.models import OwnChannels, ScopeThreshold, SubscriberCount

SMALL_OPERATOR = ("INKACEL", "Inkacel (operador móvil virtual)", 85_000)
# Subscribers nationwide (all services), as the regulator keeps them.
COUNTS = {
    "CLARO": [(date(2025, 6, 30), 13_000_000), (date(2026, 6, 30), 13_400_000)],
    "MOVISTAR": [(date(2025, 6, 30), 10_700_000), (date(2026, 6, 30), 10_350_000)],
    "ENTEL": [(date(2025, 6, 30), 9_700_000), (date(2026, 6, 30), 9_900_000)],
    "BITEL": [(date(2025, 6, 30), 10_100_000), (date(2026, 6, 30), 10_600_000)],
    "INKACEL": [(date(2025, 6, 30), 61_000), (date(2026, 6, 30), 85_000)],
}
MARK = "Demo: reclamo con documentos del caso"


def load_claims15_demo(*, citizen: User, now: datetime | None = None) -> None:
    """Idempotent: a second run changes nothing."""
    now = now or timezone.now()
    _scope()
    if not Claim.objects.filter(case__citizen=citizen, reason__startswith=MARK).exists():
        _claims(citizen, now)


def _scope() -> None:
    ScopeThreshold.objects.get_or_create(
        valid_from=date(2021, 1, 1),
        defaults={
            "subscribers": 500_000,
            "note": "Instructivo técnico del SGU (Res. 00170-2020-CD/OSIPTEL), ámbito de "
            "aplicación: más de 500 000 abonados a nivel nacional.",
        },
    )
    code, name, lines = SMALL_OPERATOR
    small, _ = Operator.objects.get_or_create(
        code=code, defaults={"name": name, "mobile_lines": lines, "lines_as_of": date(2026, 6, 30)}
    )
    OwnChannels.objects.get_or_create(
        operator=small,
        defaults={
            "web": "https://www.inkacel.pe/atencion",
            "phone": "(01) 700-4652",
            "offices": "Av. Arequipa 1450, Lince",
        },
    )
    for op in Operator.objects.filter(code__in=COUNTS):
        for valid_from, subscribers in COUNTS[op.code]:
            SubscriberCount.objects.get_or_create(
                operator=op,
                valid_from=valid_from,
                defaults={"subscribers": subscribers, "source": "Reporte trimestral de abonados"},
            )
    reference.bump()  # the scope figures are kept per process (operators.selectors.is_bound)


def _pdf(title: str, pages: int = 1) -> SimpleUploadedFile:
    """A small, valid PDF (what a citizen attaches: a receipt, a screenshot as PDF)."""
    from fpdf import FPDF  # fpdf2 is already loaded by whoever renders claim forms

    pdf = FPDF()
    for _ in range(pages):
        pdf.add_page()
        pdf.set_font("Helvetica", size=12)
        pdf.cell(0, 10, title)
    return SimpleUploadedFile(f"{title}.pdf", bytes(pdf.output()), "application/pdf")


def _case(citizen: User, at: datetime, description: str, attachments=()) -> Case:
    day = timezone.localdate(at) - timedelta(days=1)
    return cases.register_case(
        citizen=citizen,
        data=cases.CaseInput(
            operator="CLARO",
            subcategory="recarga-no-acreditada",
            service_number=citizen.phone or "987654321",
            description=description,
            fields={
                "monto_recarga": "20",
                "fecha_recarga": day.isoformat(),
                "medio_recarga": "Bodega o agente",
            },
        ),
        by=Principal(actor_role=Actor.CITIZEN, user=citizen),
        attachments=list(attachments),
        now=at,
    )


def _answered(case: Case, at: datetime) -> Case:
    return cases.record_solution(
        case=case,
        data=cases.SolutionInput(
            outcome="NOT_RESOLVED",
            detail="La recarga no figura en nuestros registros; el usuario debe pedir su "
            "comprobante al agente.",
            actions="Revisión del registro de recargas.",
            executed_at=timezone.localdate(at),
            responsible="Mesa de ayuda de recargas",
        ),
        by=Principal(actor_role=Actor.OPERATOR, operator=case.operator),
        now=at,
    )


def _claim(case: Case, at: datetime, reason: str) -> Claim:
    return cases.request_claim(
        case=case,
        reason=reason,
        request="Que se acredite la recarga de S/ 20.",
        score=1,
        by=Principal(actor_role=Actor.CITIZEN, user=case.citizen),
        now=at,
    )


def _claims(citizen: User, now: datetime) -> None:
    claro = Principal(actor_role=Actor.OPERATOR, operator=Operator.objects.get(code="CLARO"))
    # Coded, with the case's documents (they went with the email; also on the case page).
    start = now - timedelta(days=8)
    case = _case(
        citizen,
        start,
        "Recargué 20 soles en una bodega y el saldo nunca llegó; adjunto el voucher.",
        [_pdf("voucher-recarga"), _pdf("captura-saldo")],
    )
    case = _answered(case, start + timedelta(hours=3))
    claim = _claim(
        case, start + timedelta(hours=5), f"{MARK}: la operadora niega la recarga pagada."
    )
    cases.assign_claim_code(
        claim=claim, claim_code=f"RCL-{now:%Y}-{case.pk:06d}", by=claro, now=claim.code_due_at
    )
    # Waiting for its code, late: filed four days ago (1 business hour to give it).
    start = now - timedelta(days=6)
    case = _case(citizen, start, "Recargué 20 soles por el aplicativo del banco y no llegó.")
    case = _answered(case, start + timedelta(hours=2))
    _claim(case, now - timedelta(days=4), "No estoy conforme: el banco confirma el abono.")
    # Waiting for its code, the clock running (filed just now).
    start = now - timedelta(days=3)
    case = _case(citizen, start, "Recargué 20 soles en un agente y el saldo no se acreditó.")
    case = _answered(case, start + timedelta(hours=2))
    _claim(case, now, "No estoy conforme: tengo el comprobante de la recarga.")

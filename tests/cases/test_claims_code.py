"""The operator's side of a reclamo: its tray of claims waiting for a code, the code
assignment (unique per operator, 1 business hour by default, late ones flagged) and what the citizen
receives: the code, the claim form as a PDF and the legal deadline."""

import re
import zlib
from datetime import timedelta

import pytest
from django.utils import timezone

from factories import (
    Api,
    NothingWritten,
    citizen_api,
    citizen_principal,
    field_errors,
    lima,
    make_case,
    make_citizen,
    make_regulator,
    operator_principal,
    problem_of,
    staff_token,
)
from sgu.cases import services
from sgu.cases.models import Case, CaseEvent, Claim, ClaimState
from sgu.cases.workflow import Action, State
from sgu.core.calendar import format_date_long
from sgu.notifications.models import OutboundEmail

MON_2_MAR = lima(2026, 3, 2, 10)  # registered: 1 business day, due Tue 3 March 23:59:59
REASON = "La operadora no respondió y la recarga sigue sin acreditarse."


def new_claim(citizen=None, *, operator: str = "CLARO", now=None, **overrides) -> Claim:
    """A claim on an overdue case, requested through the service (at `now`, default now)."""
    citizen = citizen or make_citizen()
    case = make_case(citizen, now=MON_2_MAR, operator=operator, **overrides)
    return services.request_claim(case=case, reason=REASON, by=citizen_principal(citizen), now=now)


def code_url(claim: Claim) -> str:
    return f"/api/v1/operator/claims/{claim.pk}/code"


def form_url(claim: Claim) -> str:
    return f"/api/v1/cases/{claim.case.code}/claim/form.pdf"


def pdf_text(pdf: bytes) -> str:
    """The text drawn on the pages of an fpdf2 PDF: its content streams, inflated."""
    assert pdf.startswith(b"%PDF-")
    chunks = []
    for start in re.finditer(rb"stream\r?\n", pdf):
        # A decompressor stops at the end of its zlib stream by itself: no need to find
        # "endstream", which compressed bytes may seem to touch (a stream ending in 0x0D).
        try:
            chunks.append(zlib.decompressobj().decompress(pdf[start.end() :]))
        except zlib.error:  # "endstream" itself, or an uncompressed stream
            continue
    text = b"\n".join(chunks).decode("latin-1")
    shown = re.findall(r"\(((?:\\.|[^\\)])*)\)\s*Tj", text)
    return "\n".join(re.sub(r"\\(.)", r"\1", s) for s in shown)


def pdf_attachment(msg) -> tuple[str, bytes]:
    (part,) = [p for p in msg.iter_attachments() if p.get_content_type() == "application/pdf"]
    return part.get_filename(), part.get_content()


# --- the tray ------------------------------------------------------------------------------------


def test_tray_lists_only_this_operators_claims_waiting_for_a_code(claro_api, movistar_api):
    pending = new_claim()
    coded = new_claim()
    assert claro_api.post(code_url(coded), {"claim_code": "R-0001"}).status_code == 200
    movistar_claim = new_claim(operator="MOVISTAR")

    r = claro_api.get("/api/v1/operator/claims?state=PENDING_CODE")
    assert r.status_code == 200, r.content
    items = r.json()["items"]
    assert [i["id"] for i in items] == [pending.pk]
    item = items[0]
    assert item["state"] == ClaimState.PENDING_CODE
    assert item["case_code"] == pending.case.code
    assert item["subcategory"] == "recarga-no-acreditada"
    assert item["holder_name"] == "Ana Pérez Rojas"
    assert item["holder_document_number"] == pending.holder_document_number
    assert item["service_number"] == "987654321"
    assert item["reason"] == REASON
    assert item["notify_email"] == pending.notify_email

    everything = claro_api.get("/api/v1/operator/claims").json()["items"]
    assert {i["id"] for i in everything} == {pending.pk, coded.pk}
    theirs = movistar_api.get("/api/v1/operator/claims?state=PENDING_CODE").json()["items"]
    assert [i["id"] for i in theirs] == [movistar_claim.pk]
    problem_of(claro_api.get("/api/v1/operator/claims?state=BOGUS"), 422)


def test_citizens_cannot_see_the_operators_tray(api):
    problem_of(api.get("/api/v1/operator/claims"), 401)


# --- assigning the code -------------------------------------------------------------------------


def test_assign_code_emails_the_citizen_code_pdf_and_deadline(
    citizen, api, claro_api, mailbox, tasks
):
    claim = new_claim(citizen)
    case = claim.case
    r = claro_api.post(code_url(claim), {"claim_code": "R-2026-000123"})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["state"] == ClaimState.CODED
    assert body["claim_code"] == "R-2026-000123"
    assert body["coded_late"] is False
    assert body["resolution_days"] == 15
    assert body["case_code"] == case.code

    claim.refresh_from_db()
    case.refresh_from_db()
    assert case.state == State.CLAIM_CODED
    assert claim.state == ClaimState.CODED and claim.coded_at is not None
    assert claim.resolution_due_at is not None and claim.resolution_due_at > claim.requested_at
    event = CaseEvent.objects.get(case=case, kind=Action.ASSIGN_CLAIM_CODE)
    assert event.note == "Código de reclamo: R-2026-000123"
    assert (event.from_state, event.to_state) == (State.CLAIM_REQUESTED, State.CLAIM_CODED)

    tasks()
    msg = mailbox.wait_for(citizen.email, "R-2026-000123")
    text = mailbox.text(msg)
    due = format_date_long(timezone.localtime(claim.resolution_due_at).date())
    assert "Código de reclamo:    R-2026-000123" in text
    assert f"15 días hábiles, hasta el {due}" in text
    assert "apelar" in text and "15 días hábiles siguientes a la notificación" in text

    filename, pdf = pdf_attachment(msg)
    assert filename == "reclamo-R-2026-000123.pdf"
    assert pdf.startswith(b"%PDF")
    shown = pdf_text(pdf)
    for expected in (
        "R-2026-000123",
        "Ana Pérez Rojas",
        f"DNI {citizen.document_number}",
        case.code,
        "Claro (América Móvil Perú)",
        "987654321",
        REASON,
        f"15 días hábiles, hasta el {due}",
        timezone.localtime(claim.requested_at).strftime("%d/%m/%Y %H:%M"),
        "Recargas - Recarga no acreditada / saldo descontado",
        "Monto reclamado:",
        "S/ 10.00",
        # The case's timeline summary.
        "Vencido (Sistema)",
        "Reclamo solicitado (Ciudadano)",
        "Reclamo con código (Operadora) - Código de reclamo: R-2026-000123",
        "15 días hábiles siguientes",
    ):
        assert expected in shown, (expected, shown)

    # The same form, downloadable by its owner.
    r = api.get(form_url(claim))
    assert r.status_code == 200
    assert r["Content-Type"] == "application/pdf"
    assert b"".join(r.streaming_content) == pdf


def test_another_operators_claim_is_not_found(movistar_api):
    claim = new_claim()
    with NothingWritten():
        problem_of(movistar_api.post(code_url(claim), {"claim_code": "M-1"}), 404)
    claim.refresh_from_db()
    assert claim.state == ClaimState.PENDING_CODE and claim.claim_code is None
    assert Case.objects.get(pk=claim.case_id).state == State.CLAIM_REQUESTED
    problem_of(movistar_api.post("/api/v1/operator/claims/999999/code", {"claim_code": "M-1"}), 404)


def test_code_is_unique_per_operator(claro_api, movistar_api):
    first, second = new_claim(), new_claim()
    movistar_claim = new_claim(operator="MOVISTAR")
    assert claro_api.post(code_url(first), {"claim_code": "R-77"}).status_code == 200

    with NothingWritten():
        body = problem_of(claro_api.post(code_url(second), {"claim_code": "R-77"}), 409)
    assert "R-77 ya fue asignado" in body["detail"]
    assert "claim_code" in field_errors(body)
    second.refresh_from_db()
    assert second.state == ClaimState.PENDING_CODE

    # Another operator may use the same code for its own claim.
    r = movistar_api.post(code_url(movistar_claim), {"claim_code": "R-77"})
    assert r.status_code == 200, r.content
    assert r.json()["claim_code"] == "R-77"


def test_assigning_twice_is_a_conflict(claro_api):
    claim = new_claim()
    assert claro_api.post(code_url(claim), {"claim_code": "R-1"}).status_code == 200
    with NothingWritten():
        body = problem_of(claro_api.post(code_url(claim), {"claim_code": "R-2"}), 409)
    assert "ya tiene el código R-1" in body["detail"]
    claim.refresh_from_db()
    assert claim.claim_code == "R-1"


@pytest.mark.parametrize("code", ["", "   ", "R 2026", "-R1", "R#1", "Ñ-1", "R" * 41])
def test_invalid_code_format(claro_api, code):
    claim = new_claim()
    with NothingWritten():
        body = problem_of(claro_api.post(code_url(claim), {"claim_code": code}), 422)
    assert body["errors"], body
    claim.refresh_from_db()
    assert claim.state == ClaimState.PENDING_CODE


# --- "de manera inmediata": 1 business hour by default, from the claim's arrival ------------

# Requested Friday 6 March 2026 16:00 Lima, inside business hours (08:30–17:30): code due one
# business hour later, Friday 17:00.
FRI_16 = lima(2026, 3, 6, 16)
CODE_DUE = lima(2026, 3, 6, 17)
# Its legal deadline (15 business days, counted from the next day): Mon 9 to Fri 13 (5),
# 16–20 (10), 23–27 (15) → Friday 27 March 2026 23:59:59.
RESOLUTION_DUE = lima(2026, 3, 27, 23, 59, 59)
ONE_SECOND = timedelta(seconds=1)


def test_code_due_one_business_hour_after_the_claim_arrives(catalog):
    claim = new_claim(now=FRI_16)
    assert claim.code_due_at == CODE_DUE


@pytest.mark.parametrize(
    ("requested", "due"),
    [
        # Fri 17:00: half an hour that Friday (to 17:30), the other half from Monday 08:30.
        (lima(2026, 3, 6, 17), lima(2026, 3, 9, 9)),
        # Saturday: the hour starts at the next opening, Monday 08:30.
        (lima(2026, 3, 7, 18, 13), lima(2026, 3, 9, 9, 30)),
        # Wed 1 April 17:15: a quarter of an hour that day; Thu 2 and Fri 3 April are Holy
        # Thursday and Good Friday, then the weekend → Monday 6 April 08:30 + 45 min.
        (lima(2026, 4, 1, 17, 15), lima(2026, 4, 6, 9, 15)),
    ],
)
def test_code_hour_counts_only_business_hours(catalog, requested, due):
    assert new_claim(now=requested).code_due_at == due


def test_the_code_plazo_is_configurable(catalog, settings):
    settings.SGU = {**settings.SGU, "CLAIM_CODE_BUSINESS_HOURS": 4}
    # Fri 6 March 16:00: 1.5 h that Friday, the remaining 2.5 h from Monday 08:30 → 11:00.
    assert new_claim(now=FRI_16).code_due_at == lima(2026, 3, 9, 11)


def test_late_assignment_is_flagged(claro_api):
    claim = new_claim(now=FRI_16)
    r = claro_api.post(code_url(claim), {"claim_code": "R-TARDE-1"})  # months later
    assert r.status_code == 200, r.content
    assert r.json()["coded_late"] is True
    event = CaseEvent.objects.get(case=claim.case, kind=Action.ASSIGN_CLAIM_CODE)
    assert event.note == "Código de reclamo: R-TARDE-1 (asignado fuera de plazo)"
    assert event.data == {"claim_code": "R-TARDE-1", "late": True}
    timeline = claro_api.get(f"/api/v1/operator/cases/{claim.case.code}").json()["timeline"]
    assert "fuera de plazo" in timeline[-1]["note"]
    # The legal deadline runs from the request, not from the (late) code.
    claim.refresh_from_db()
    assert claim.resolution_due_at == RESOLUTION_DUE


def test_on_time_up_to_the_due_instant(claro):
    on_time, late = new_claim(now=FRI_16), new_claim(now=FRI_16)
    by = operator_principal(claro)
    assign = services.assign_claim_code
    assert not assign(claim=on_time, claim_code="A-1", by=by, now=CODE_DUE).coded_late
    assert assign(claim=late, claim_code="A-2", by=by, now=CODE_DUE + ONE_SECOND).coded_late


# --- the form as a download -----------------------------------------------------------------------


def test_form_download_only_for_the_owner_and_only_once_coded(catalog, claro_api):
    owner = make_citizen()
    claim = new_claim(owner)
    owner_api = citizen_api(owner)
    # Before the code there is no form.
    problem_of(owner_api.get(form_url(claim)), 404)

    assert claro_api.post(code_url(claim), {"claim_code": "R-PDF-1"}).status_code == 200
    r = owner_api.get(form_url(claim))
    assert r.status_code == 200
    assert r["Content-Type"] == "application/pdf"
    pdf = b"".join(r.streaming_content)
    assert "R-PDF-1" in pdf_text(pdf)

    problem_of(citizen_api(make_citizen()).get(form_url(claim)), 404)
    problem_of(claro_api.get(form_url(claim)), 401)  # operators' keys are not citizens' tokens
    assert OutboundEmail.objects.filter(template="claim_coded").count() == 1


# --- late codes, visible to the regulator ---------------------------------------------------------


def test_the_regulator_filters_late_claim_codes_on_the_web_and_the_api(catalog, claro):
    from django.test import Client

    by = operator_principal(claro)
    # Requested Fri 6 March 16:00, code due 17:00 (hand-computed above).
    on_time = services.assign_claim_code(
        claim=new_claim(now=FRI_16), claim_code="A-1", by=by, now=CODE_DUE
    )
    coded_late = services.assign_claim_code(
        claim=new_claim(now=FRI_16), claim_code="A-2", by=by, now=CODE_DUE + ONE_SECOND
    )
    still_owed = new_claim(now=FRI_16)  # months later, still without a code
    boss = make_regulator("REGULATOR_SUPERVISOR")

    api = Api(staff_token(boss))
    late = {c["code"] for c in api.get("/api/v1/staff/cases?claim_code_late=true").json()["items"]}
    assert late == {coded_late.case.code, still_owed.case.code}
    fine = {c["code"] for c in api.get("/api/v1/staff/cases?claim_code_late=no").json()["items"]}
    assert fine == {on_time.case.code}
    body = problem_of(api.get("/api/v1/staff/cases?claim_code_late=quizas"), 422)
    assert field_errors(body) == {"claim_code_late": "Use si o no (true o false)."}

    client = Client()
    client.force_login(boss)
    html = client.get("/regulador/bandeja/?claim_code_late=si").content.decode()
    assert coded_late.case.code in html and still_owed.case.code in html
    assert on_time.case.code not in html

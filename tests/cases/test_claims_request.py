"""Generating a reclamo from a case (POST /api/v1/cases/{code}/claim): when it is allowed,
why it is refused (409, in Spanish), what the claim stores and its legal deadline."""

from decimal import Decimal

import pytest
from django.utils import timezone

from factories import (
    NothingWritten,
    answer,
    citizen_api,
    citizen_principal,
    field_errors,
    lima,
    make_case,
    make_citizen,
    problem_of,
)
from sgu.cases import services
from sgu.cases.models import Case, CaseEvent, Claim, ClaimState
from sgu.cases.workflow import Action, State
from sgu.notifications.models import OutboundEmail

# Registered Monday 2 March 2026 10:00 with 1 business day: due Tuesday 3 March 23:59:59.
# By the time these tests run the plazo has long passed.
MON_2_MAR = lima(2026, 3, 2, 10)
REASON = "La operadora no respondió y la recarga sigue sin acreditarse."
SIN_CODIGO = {"subcategory": "sin-codigo", "fields": {"canal_atencion": "Tienda"}}


def claim_url(case: Case) -> str:
    return f"/api/v1/cases/{case.code}/claim"


def overdue_case(citizen, **overrides) -> Case:
    case = make_case(citizen, now=MON_2_MAR, **overrides)
    services.expire_overdue_cases(now=timezone.now())
    case.refresh_from_db()
    assert case.state == State.OVERDUE
    return case


def rated_case(citizen, api, *, resolved: bool) -> Case:
    case = answer(make_case(citizen, now=MON_2_MAR))  # answered late, today: may be rated
    r = api.post(
        f"/api/v1/cases/{case.code}/rating",
        {"resolved": resolved, "score": 2 if not resolved else 5, "comment": ""},
    )
    assert r.status_code == 200, r.content
    assert r.json()["state"] == State.RATED
    return case


def refused(api, case: Case, message: str) -> dict:
    state = Case.objects.get(pk=case.pk).state
    with NothingWritten():
        body = problem_of(api.post(claim_url(case), {"reason": REASON}), 409)
    assert message in body["detail"], body["detail"]
    assert Case.objects.get(pk=case.pk).state == state
    return body


# --- allowed ------------------------------------------------------------------------------------


def test_claim_an_overdue_case(citizen, api):
    case = overdue_case(citizen)
    r = api.post(
        claim_url(case),
        {"reason": REASON, "request": "Que acrediten los S/ 10 de la recarga."},
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["state"] == ClaimState.PENDING_CODE
    assert body["claim_code"] is None and body["coded_at"] is None
    assert body["resolution_days"] == 15
    assert body["coded_late"] is False

    claim = Claim.objects.get(pk=body["id"])
    assert claim.case_id == case.pk
    assert claim.operator.code == "CLARO"
    # Everything the claim form needs, frozen now.
    assert claim.holder_name == "Ana Pérez Rojas"
    assert claim.holder_document_type == "DNI"
    assert claim.holder_document_number == citizen.document_number
    assert claim.service == "MOVIL"
    assert claim.service_number == "987654321"
    assert claim.reason == REASON
    assert claim.request == "Que acrediten los S/ 10 de la recarga."
    assert claim.amount == Decimal("10.00")  # the recarga's money field
    assert claim.notify_email == citizen.email
    assert claim.code_due_at > claim.requested_at

    case.refresh_from_db()
    assert case.state == State.CLAIM_REQUESTED
    event = CaseEvent.objects.get(case=case, kind=Action.REQUEST_CLAIM)
    assert (event.from_state, event.to_state) == (State.OVERDUE, State.CLAIM_REQUESTED)
    assert (
        OutboundEmail.objects.filter(case_code=case.code, template="claim_requested").count() == 1
    )

    shown = api.get(f"/api/v1/cases/{case.code}").json()
    assert shown["claim"]["id"] == claim.pk
    assert shown["claim"]["state"] == ClaimState.PENDING_CODE


def test_claim_after_rating_not_resolved(citizen, api):
    case = rated_case(citizen, api, resolved=False)
    r = api.post(claim_url(case), {"reason": REASON})
    assert r.status_code == 201, r.content
    claim = Claim.objects.get(pk=r.json()["id"])
    assert claim.request == "Que se solucione el problema reportado."  # the default
    event = CaseEvent.objects.get(case=case, kind=Action.REQUEST_CLAIM)
    assert (event.from_state, event.to_state) == (State.RATED, State.CLAIM_REQUESTED)


def test_a_passed_plazo_the_scheduler_has_not_seen_yet_is_claimable(citizen, api):
    case = make_case(citizen, now=MON_2_MAR)
    assert case.state == State.FORWARDED and case.due_at < timezone.now()
    r = api.post(claim_url(case), {"reason": REASON})
    assert r.status_code == 201, r.content

    timeline = api.get(f"/api/v1/cases/{case.code}").json()["timeline"]
    moves = [(e["kind"], e["actor_role"], e["from_state"], e["to_state"]) for e in timeline]
    assert moves[-2:] == [
        ("EXPIRE", "SYSTEM", "FORWARDED", "OVERDUE"),
        ("REQUEST_CLAIM", "CITIZEN", "OVERDUE", "CLAIM_REQUESTED"),
    ]
    expire = CaseEvent.objects.get(case=case, kind=Action.EXPIRE)
    assert expire.data == {"due_at": case.due_at.isoformat()}  # as the scheduler records it
    assert OutboundEmail.objects.filter(case_code=case.code, template="claim_requested").exists()
    # The scheduler has nothing left to do with it.
    assert services.expire_overdue_cases(now=timezone.now()) == 0
    assert CaseEvent.objects.filter(case=case, kind=Action.EXPIRE).count() == 1


def test_idempotency_key_returns_the_first_result(citizen, api):
    case = overdue_case(citizen)
    first = api.post(claim_url(case), {"reason": REASON}, HTTP_IDEMPOTENCY_KEY="claim-1")
    again = api.post(claim_url(case), {"reason": REASON}, HTTP_IDEMPOTENCY_KEY="claim-1")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert Claim.objects.filter(case=case).count() == 1
    other_body = api.post(
        claim_url(case), {"reason": REASON + " (otra vez)"}, HTTP_IDEMPOTENCY_KEY="claim-1"
    )
    problem_of(other_body, 409)


# --- refused ------------------------------------------------------------------------------------


def test_refused_when_the_matter_is_not_claimable(citizen, api):
    case = overdue_case(citizen, **SIN_CODIGO)
    refused(api, case, "Esta materia no es reclamable")


def test_refused_while_the_operator_is_within_its_plazo(citizen, api):
    case = make_case(citizen)  # registered now
    assert case.due_at > timezone.now()
    body = refused(api, case, "aún está dentro del plazo para responder")
    local_due = timezone.localtime(case.due_at).strftime("%d/%m/%Y %H:%M")
    assert local_due in body["detail"]


def test_refused_the_second_time(citizen, api):
    case = overdue_case(citizen)
    assert api.post(claim_url(case), {"reason": REASON}).status_code == 201
    refused(api, case, "Ya generó un reclamo para este caso")
    assert Claim.objects.filter(case=case).count() == 1


def test_refused_for_a_case_that_was_never_forwarded(catalog):
    unverified = make_citizen(verified=False)
    case = make_case(unverified, now=MON_2_MAR)
    refused(citizen_api(unverified), case, "No se puede generar un reclamo en el estado actual")


def test_reason_is_required(citizen, api):
    case = make_case(citizen, now=MON_2_MAR)  # past due, not yet moved
    with NothingWritten():
        body = problem_of(api.post(claim_url(case), {"reason": "corto"}), 422)
    assert "reason" in field_errors(body)
    # Nothing half-done: not even the inline expiry.
    assert Case.objects.get(pk=case.pk).state == State.FORWARDED


def test_someone_elses_case_is_not_found(citizen, other_citizen):
    case = overdue_case(citizen)
    with NothingWritten():
        problem_of(citizen_api(other_citizen).post(claim_url(case), {"reason": REASON}), 404)
    assert not Claim.objects.exists()


def test_staff_and_anonymous_cannot_claim(citizen, claro_api, anon_api):
    case = overdue_case(citizen)
    problem_of(claro_api.post(claim_url(case), {"reason": REASON}), 401)
    problem_of(anon_api.post(claim_url(case), {"reason": REASON}), 401)
    assert not Claim.objects.exists()


# --- the legal resolution deadline -----------------------------------------------------------


def _claim_via_service(citizen, **overrides) -> Claim:
    case = make_case(citizen, now=MON_2_MAR, **overrides)
    return services.request_claim(
        case=case, reason=REASON, by=citizen_principal(citizen), now=lima(2026, 3, 9, 10)
    )


@pytest.mark.parametrize(
    ("overrides", "days"),
    [
        (
            {"subcategory": "linea-bloqueada-sin-causa", "fields": {"fecha_bloqueo": "2026-02-27"}},
            3,
        ),
        ({"subcategory": "sin-senal", "fields": {"tipo_falla": "Sin señal", "lugar": "Surco"}}, 3),
        ({}, 15),  # recarga-no-acreditada
        (
            {
                "subcategory": "migracion-no-ejecutada",
                "fields": {"codigo_pedido": "MIG-1", "plan_destino": "Plan 39.90"},
            },
            20,
        ),
        (
            {"subcategory": "servicio-no-solicitado", "fields": {"servicio": "Paquete de juegos"}},
            20,
        ),
    ],
    ids=["bloqueo-3", "calidad-3", "recarga-15", "migracion-20", "no-solicitado-20"],
)
def test_resolution_days_by_matter(citizen, overrides, days):
    assert _claim_via_service(citizen, **overrides).resolution_days == days


# UIT 2026 = S/ 5,500, so half a UIT is S/ 2,750.00: up to it 15 business days, above it 20 —
# whichever of the two billing subcategories the citizen picked.
@pytest.mark.parametrize("subcategory", ["cobro-no-reconocido-menor", "cobro-no-reconocido-mayor"])
@pytest.mark.parametrize(
    ("amount", "days"),
    [("2575.00", 15), ("2750.00", 15), ("2750.01", 20), ("3000", 20)],
)
def test_billing_resolution_days_depend_on_the_amount(citizen, subcategory, amount, days):
    claim = _claim_via_service(citizen, subcategory=subcategory, fields={"monto_reclamado": amount})
    assert claim.amount == Decimal(amount)
    assert claim.resolution_days == days


def test_billing_claim_through_the_api_stores_the_amount(citizen, api):
    case = overdue_case(
        citizen,
        subcategory="cobro-no-reconocido-mayor",
        fields={"monto_reclamado": "2575.00", "numero_recibo": "R-88"},
    )
    r = api.post(claim_url(case), {"reason": "Me cobraron un equipo que nunca compré."})
    assert r.status_code == 201, r.content
    assert r.json()["resolution_days"] == 15
    assert Decimal(str(r.json()["amount"])) == Decimal("2575.00")

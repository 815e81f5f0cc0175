"""From an unsolved case to a coded reclamo, on the web: the citizen's "Generar reclamo"
(offered only when it can succeed; refusals explained), the operator's claims tray (own
claims only, late ones in red, the code assigned inline), the claim form's PDF behind an
access check, and the operator's "Devolver" on a case. Emails really go out over SMTP."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from factories import (
    CLAIM_REASON,
    NOT_CLAIMABLE,
    Mailbox,
    NothingWritten,
    assign_code,
    error_of,
    make_citizen,
    make_operator_agent,
    overdue_case,
    register_case,
    request_claim,
    text,
)
from sgu.cases import services
from sgu.cases.models import Case, CaseEvent, Claim, ClaimState
from sgu.cases.workflow import Actor, State
from sgu.core.principal import Principal

pytestmark = pytest.mark.django_db

CLAIMS = "/operadora/reclamos/"
CLAIM_BUTTON = "Generar reclamo</button>"


def detail(client, case):
    return client.get(f"/casos/{case.code}/")


def claim_post(client, case, **data):
    return client.post(f"/casos/{case.code}/reclamo/", {"reason": CLAIM_REASON, **data})


def answer(case, now=None):
    return services.record_solution(
        case=case,
        data=services.SolutionInput(
            outcome="NOT_RESOLVED",
            detail="Revisamos la recarga y no encontramos el abono en nuestros registros.",
            actions="",
            executed_at=timezone.localdate(),
            responsible="Mesa de ayuda",
        ),
        by=Principal(actor_role=Actor.OPERATOR, operator=case.operator),
        now=now,
    )


def rate(case, *, resolved: bool):
    return services.rate_case(
        case=case,
        resolved=resolved,
        score=2,
        by=Principal(actor_role=Actor.CITIZEN, user=case.citizen),
    )


@pytest.fixture
def logged_citizen(client, citizen):
    client.force_login(citizen)
    return citizen


@pytest.fixture
def agent(client, claro):
    user = make_operator_agent(claro)
    client.force_login(user)
    return user


# --- the citizen's case page: when the button is offered ---------------------------------------


def test_an_overdue_case_on_a_claimable_matter_offers_the_claim_in_red(client, logged_citizen):
    case = overdue_case(logged_citizen)

    response = detail(client, case)

    html = response.content.decode()
    assert CLAIM_BUTTON in html
    assert f'action="/casos/{case.code}/reclamo/"' in html
    assert '<span class="badge badge--overdue">Vencido</span>' in html
    assert "card--overdue" in html
    shown = text(response)
    assert "La operadora no respondió dentro del plazo" in shown
    assert "¿Por qué reclama?" in shown and "¿Qué pide a la operadora? (opcional)" in shown


def test_a_case_past_its_plazo_that_the_scheduler_has_not_marked_yet_offers_it_too(
    client, logged_citizen
):
    case = overdue_case(logged_citizen, expire=False)
    assert case.state == State.FORWARDED

    html = detail(client, case).content.decode()

    assert CLAIM_BUTTON in html
    assert '<span class="badge badge--overdue">Vencido</span>' in html


def test_within_the_plazo_the_page_says_when_a_claim_will_be_possible(client, logged_citizen):
    case = register_case(logged_citizen)

    response = detail(client, case)

    assert CLAIM_BUTTON not in response.content.decode()
    shown = text(response)
    assert "La operadora aún está dentro del plazo para responder (vence el" in shown
    assert "Podrá generar el reclamo si no responde a tiempo" in shown


def test_an_overdue_case_on_a_matter_that_is_not_claimable_says_so(client, logged_citizen):
    case = overdue_case(logged_citizen, **NOT_CLAIMABLE)
    fresh = register_case(logged_citizen, **NOT_CLAIMABLE)

    response = detail(client, case)

    assert CLAIM_BUTTON not in response.content.decode()
    assert "Esta materia no es reclamable" in text(response)
    # While the operator is still within its plazo, nothing is said about claims.
    assert "reclamable" not in text(detail(client, fresh))


NOT_CONFORME_BUTTON = "No estoy conforme: generar reclamo</button>"


def test_an_answered_case_offers_no_estoy_conforme_with_the_score_in_the_same_form(
    client, logged_citizen
):
    case = answer(overdue_case(logged_citizen))

    response = detail(client, case)

    html = response.content.decode()
    assert NOT_CONFORME_BUTTON in html
    assert 'name="score"' in html.split('action="/casos/')[1]  # asked in the claim's form too
    assert "Primero califique" not in text(response)


def test_rated_either_way_offers_no_estoy_conforme_without_asking_the_score_again(
    client, logged_citizen
):
    unsolved = rate(answer(register_case(logged_citizen)), resolved=False)
    solved = rate(answer(register_case(logged_citizen)), resolved=True)

    for case in (unsolved, solved):
        response = detail(client, case)
        html = response.content.decode()
        assert NOT_CONFORME_BUTTON in html
        claim_form = html.split(f'action="/casos/{case.code}/reclamo/"')[1].split("</form>")[0]
        assert 'name="score"' not in claim_form
        assert "¿No está conforme con la respuesta?" in text(response)


def test_no_estoy_conforme_rates_and_claims_in_one_post(client, logged_citizen):
    case = answer(overdue_case(logged_citizen))

    response = claim_post(client, case, score="2")

    assert response.status_code == 302
    case = Case.objects.get(pk=case.pk)
    assert case.state == State.CLAIM_REQUESTED
    assert (case.rating.resolved, case.rating.score) == (False, 2)
    assert Claim.objects.filter(case=case).exists()


def test_no_estoy_conforme_without_the_score_is_shown_on_its_field(client, logged_citizen):
    case = answer(overdue_case(logged_citizen))

    with NothingWritten():
        response = claim_post(client, case)

    assert response.status_code == 422
    assert "Indique qué tan satisfecho está con la respuesta" in error_of(response, "reclamo_score")


def test_a_matter_that_implies_suspension_of_payments_says_where_to_file_instead(
    client, logged_citizen
):
    case = answer(overdue_case(logged_citizen))
    sub = case.subcategory
    sub.suspends_payments = True
    sub.claim_elsewhere = "Presente su reclamo en la oficina de la operadora más cercana."
    sub.save()

    response = detail(client, case)

    assert NOT_CONFORME_BUTTON not in response.content.decode()
    shown = text(response)
    assert "implica la suspensión de pagos" in shown
    assert "Presente su reclamo en la oficina de la operadora más cercana." in shown
    with NothingWritten():
        refused = claim_post(client, case, score="1")
    assert refused.status_code == 302 and not Claim.objects.filter(case=case).exists()


# --- requesting the claim ---------------------------------------------------------------------


def test_requesting_the_claim_creates_it_and_emails_the_citizen(
    client, logged_citizen, mailbox, tasks
):
    case = overdue_case(logged_citizen)

    response = claim_post(client, case, request="Que acrediten los S/ 10 de la recarga.")

    assert response.status_code == 302
    assert response["Location"] == f"/casos/{case.code}/"
    claim = Claim.objects.get(case=case)
    assert claim.state == ClaimState.PENDING_CODE
    assert claim.reason == CLAIM_REASON
    assert claim.request == "Que acrediten los S/ 10 de la recarga."
    assert Case.objects.get(pk=case.pk).state == State.CLAIM_REQUESTED

    page = client.get(response["Location"])
    shown = text(page)
    assert "Generamos su reclamo a Claro" in shown
    assert "Su reclamo" in shown and "Esperando código" in shown
    assert "Plazo para asignar el código" in shown
    assert timezone.localtime(claim.code_due_at).strftime("%d/%m/%Y %H:%M") in shown
    assert CLAIM_BUTTON not in page.content.decode()

    tasks()
    sent = mailbox.wait_for(logged_citizen.email, f"— caso {case.code}")
    assert CLAIM_REASON in Mailbox.text(sent)


def test_the_claim_of_a_case_the_scheduler_has_not_marked_yet_expires_it_first(
    client, logged_citizen
):
    case = overdue_case(logged_citizen, expire=False)

    assert claim_post(client, case).status_code == 302

    kinds = list(
        CaseEvent.objects.filter(case=case).order_by("at", "id").values_list("kind", flat=True)
    )
    assert kinds[-2:] == ["EXPIRE", "REQUEST_CLAIM"]


def test_a_short_reason_is_shown_on_its_field_and_nothing_is_written(client, logged_citizen):
    case = overdue_case(logged_citizen)

    with NothingWritten():
        response = claim_post(client, case, reason="no")

    assert response.status_code == 422
    assert error_of(response, "reclamo_reason") == (
        "Explique el motivo del reclamo (al menos 10 caracteres)."
    )
    assert 'href="#reclamo_reason"' in response.content.decode()  # the error summary links to it
    assert not Claim.objects.filter(case=case).exists()
    assert Case.objects.get(pk=case.pk).state == State.OVERDUE


def test_a_refused_claim_is_explained_and_nothing_is_written(client, logged_citizen):
    within = register_case(logged_citizen)
    not_claimable = overdue_case(logged_citizen, **NOT_CLAIMABLE)

    with NothingWritten():
        response = claim_post(client, within)
    assert response.status_code == 302
    assert "La operadora aún está dentro del plazo para responder" in text(
        client.get(response["Location"])
    )

    with NothingWritten():
        response = claim_post(client, not_claimable)
    assert "Esta materia no es reclamable" in text(client.get(response["Location"]))
    assert Case.objects.get(pk=within.pk).state == State.FORWARDED
    assert not Claim.objects.exists()


def test_a_second_claim_on_the_same_case_is_refused(client, logged_citizen):
    case = overdue_case(logged_citizen)
    assert claim_post(client, case).status_code == 302

    with NothingWritten():
        response = claim_post(client, case)

    assert "Ya generó un reclamo para este caso" in text(client.get(response["Location"]))
    assert Claim.objects.filter(case=case).count() == 1


def test_another_citizens_case_is_404_and_nothing_changes(client, logged_citizen, other_citizen):
    theirs = overdue_case(other_citizen)

    with NothingWritten():
        assert claim_post(client, theirs).status_code == 404

    assert Case.objects.get(pk=theirs.pk).state == State.OVERDUE


def test_only_citizens_request_claims(client, claro, citizen):
    case = overdue_case(citizen)
    client.force_login(make_operator_agent(claro))

    assert claim_post(client, case).status_code == 403
    assert not Claim.objects.exists()


# --- the coded claim and its form ---------------------------------------------------------------


def test_a_coded_claim_shows_its_code_deadline_and_the_form_link(client, logged_citizen):
    claim = assign_code(request_claim(overdue_case(logged_citizen)), "R-2026-000123")

    response = detail(client, claim.case)

    shown = text(response)
    assert "Código de reclamo: R-2026-000123" in shown
    claim.refresh_from_db()
    due = timezone.localtime(claim.resolution_due_at).strftime("%d/%m/%Y %H:%M")
    assert f"{claim.resolution_days} días hábiles, hasta el {due}" in shown
    html = response.content.decode()
    assert f'href="/casos/{claim.case.code}/reclamo/formulario.pdf"' in html
    assert "Descargar formulario (PDF)" in shown
    assert '<span class="badge badge--waiting">Reclamo con código</span>' in html


def test_the_owner_downloads_the_claim_form_pdf(client, logged_citizen):
    claim = assign_code(request_claim(overdue_case(logged_citizen)), "R-2026-000124")

    response = client.get(f"/casos/{claim.case.code}/reclamo/formulario.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    body = b"".join(response.streaming_content)
    assert body.startswith(b"%PDF")
    assert response["Content-Disposition"].startswith("attachment;")
    assert f"reclamo-{claim.case.code}.pdf" in response["Content-Disposition"]
    assert "sandbox" in response["Content-Security-Policy"]
    assert "no-store" in response["Cache-Control"]


def test_the_claim_form_is_404_for_another_citizen_and_before_the_code(
    client, citizen, other_citizen
):
    coded = assign_code(request_claim(overdue_case(citizen)), "R-2026-000125")
    pending = request_claim(overdue_case(citizen))
    no_claim = overdue_case(citizen)

    client.force_login(other_citizen)
    assert client.get(f"/casos/{coded.case.code}/reclamo/formulario.pdf").status_code == 404

    client.force_login(citizen)
    assert client.get(f"/casos/{pending.case.code}/reclamo/formulario.pdf").status_code == 404
    assert client.get(f"/casos/{no_claim.code}/reclamo/formulario.pdf").status_code == 404
    assert client.get("/casos/SGU-2026-9999999/reclamo/formulario.pdf").status_code == 404


# --- the operator's claims tray ------------------------------------------------------------------


def test_claims_tray_is_for_operator_staff_only(client, citizen):
    assert client.get(CLAIMS)["Location"] == f"/cuenta/ingresar/?next={CLAIMS}"
    client.force_login(citizen)
    assert client.get(CLAIMS).status_code == 403


def test_claims_tray_lists_the_operators_own_claims_pending_first_late_in_red(
    client, agent, citizen
):
    now = timezone.now()
    late = request_claim(overdue_case(citizen), now=now - timedelta(days=10))
    fresh = request_claim(overdue_case(citizen))
    coded = assign_code(request_claim(overdue_case(citizen)), "R-2026-000001")
    theirs = request_claim(overdue_case(citizen, operator="MOVISTAR"))

    response = client.get(CLAIMS)

    assert response.status_code == 200
    shown = text(response)
    for claim in (late, fresh, coded):
        assert claim.case.code in shown
    assert theirs.case.code not in shown
    # Pending first, the one due soonest on top; then the coded ones.
    assert shown.index(late.case.code) < shown.index(fresh.case.code)
    assert shown.index(fresh.case.code) < shown.index(coded.case.code)
    html = response.content.decode()
    assert html.count('class="row--overdue"') == 1
    assert re.search(
        rf'<tr id="reclamo-{late.pk}" class="row--overdue">.*?Fuera de plazo', html, re.S
    )
    # Holder, document, reason and amount.
    assert f"{citizen.get_full_name()}" in shown
    assert f"DNI {citizen.document_number}" in shown
    assert CLAIM_REASON in shown
    assert "S/ 10.00" in shown
    assert "R-2026-000001" in shown
    # The counts at the top: two waiting, one of them late.
    assert re.search(r'stat__value">2</span> <a [^>]*>esperando código', html)
    assert re.search(r'stat--overdue"><span class="stat__value">1</span>', html)


def test_claims_tray_filters_by_state(client, agent, citizen):
    pending = request_claim(overdue_case(citizen))
    coded = assign_code(request_claim(overdue_case(citizen)), "R-2026-000002")

    only_pending = text(client.get(CLAIMS, {"state": "PENDING_CODE"}))
    assert pending.case.code in only_pending and coded.case.code not in only_pending

    only_coded = text(client.get(CLAIMS, {"state": "CODED"}))
    assert coded.case.code in only_coded and pending.case.code not in only_coded

    assert client.get(CLAIMS, {"state": "HACKED"}).status_code == 200

    fragment = client.get(CLAIMS, {"state": "CODED"}, HTTP_HX_REQUEST="true")
    html = fragment.content.decode()
    assert "<html" not in html and html.lstrip().startswith("<tr")
    assert coded.case.code in html
    assert "HX-Request" in fragment["Vary"]


def test_the_nav_counts_the_claims_waiting_for_a_code(client, agent, citizen):
    html = client.get("/operadora/bandeja/").content.decode()
    assert 'href="/operadora/reclamos/"' in html and "nav-count" not in html

    request_claim(overdue_case(citizen), now=timezone.now() - timedelta(days=10))
    request_claim(overdue_case(citizen))

    html = client.get("/operadora/bandeja/").content.decode()
    assert '<span class="nav-count nav-count--overdue">2</span>' in html
    assert "esperando código, 1 fuera de plazo" in html


def test_assigning_the_code_emails_the_citizen_the_code_and_the_pdf(
    client, agent, citizen, mailbox, tasks
):
    claim = request_claim(overdue_case(citizen))

    response = client.post(
        f"/operadora/reclamos/{claim.pk}/codigo/?state=PENDING_CODE",
        {f"reclamo-{claim.pk}-claim_code": "R-2026-000777"},
    )

    assert response.status_code == 302
    assert response["Location"] == f"{CLAIMS}?state=PENDING_CODE"
    claim.refresh_from_db()
    assert claim.state == ClaimState.CODED and claim.claim_code == "R-2026-000777"
    assert Case.objects.get(pk=claim.case_id).state == State.CLAIM_CODED
    assert "Asignó el código R-2026-000777" in text(client.get(CLAIMS))

    tasks()
    sent = mailbox.wait_for(citizen.email, "tiene el código R-2026-000777")
    assert "R-2026-000777" in Mailbox.text(sent)
    pdfs = [p for p in sent.iter_attachments() if p.get_content_type() == "application/pdf"]
    assert len(pdfs) == 1
    assert pdfs[0].get_content().startswith(b"%PDF")


def test_a_duplicate_code_is_shown_on_its_field_and_nothing_changes(client, agent, citizen):
    assign_code(request_claim(overdue_case(citizen)), "R-2026-000009")
    claim = request_claim(overdue_case(citizen))

    with NothingWritten():
        response = client.post(
            f"/operadora/reclamos/{claim.pk}/codigo/",
            {f"reclamo-{claim.pk}-claim_code": "R-2026-000009"},
        )

    assert response.status_code == 422
    assert error_of(response, f"id_reclamo-{claim.pk}-claim_code") == "Código repetido."
    html = response.content.decode()
    assert f'href="#id_reclamo-{claim.pk}-claim_code"' in html  # in the error summary
    assert 'value="R-2026-000009"' in html  # what the agent typed stays
    claim.refresh_from_db()
    assert claim.state == ClaimState.PENDING_CODE and claim.claim_code is None


def test_an_invalid_code_is_shown_on_its_field(client, agent, citizen):
    claim = request_claim(overdue_case(citizen))

    with NothingWritten():
        response = client.post(
            f"/operadora/reclamos/{claim.pk}/codigo/", {f"reclamo-{claim.pk}-claim_code": "  "}
        )

    assert response.status_code == 422
    assert "El código de reclamo tiene de 1 a 40" in error_of(
        response, f"id_reclamo-{claim.pk}-claim_code"
    )
    assert Claim.objects.get(pk=claim.pk).state == ClaimState.PENDING_CODE


def test_a_claim_already_coded_is_refused_with_a_message(client, agent, citizen):
    claim = assign_code(request_claim(overdue_case(citizen)), "R-2026-000010")

    response = client.post(
        f"/operadora/reclamos/{claim.pk}/codigo/", {f"reclamo-{claim.pk}-claim_code": "OTRO-1"}
    )

    assert response.status_code == 302
    assert "Este reclamo ya tiene el código R-2026-000010" in text(client.get(CLAIMS))
    assert Claim.objects.get(pk=claim.pk).claim_code == "R-2026-000010"


def test_another_operators_claim_is_404_and_nothing_changes(client, agent, citizen):
    theirs = request_claim(overdue_case(citizen, operator="MOVISTAR"))

    with NothingWritten():
        response = client.post(
            f"/operadora/reclamos/{theirs.pk}/codigo/",
            {f"reclamo-{theirs.pk}-claim_code": "R-2026-000011"},
        )

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.state == ClaimState.PENDING_CODE and theirs.claim_code is None
    assert client.post("/operadora/reclamos/999999/codigo/").status_code == 404


def test_the_operator_case_page_shows_the_claim_and_links_to_the_tray(client, agent, citizen):
    claim = request_claim(overdue_case(citizen))

    response = client.get(f"/operadora/casos/{claim.case.code}/")

    shown = text(response)
    assert "Reclamo del usuario" in shown and CLAIM_REASON in shown
    assert f'href="/operadora/reclamos/?state=PENDING_CODE#reclamo-{claim.pk}"' in (
        response.content.decode()
    )


# --- the operator returns a case that is not theirs -------------------------------------------


def return_post(client, case, reason="La línea 987654321 no pertenece a Claro."):
    return client.post(f"/operadora/casos/{case.code}/devolver/", {"reason": reason})


def test_the_return_form_is_offered_only_while_the_case_is_open(client, agent, citizen):
    open_case = register_case(citizen)
    answered = answer(register_case(citizen))

    html = client.get(f"/operadora/casos/{open_case.code}/").content.decode()
    assert "Devolver (no corresponde a la operadora)</button>" in html
    assert f'action="/operadora/casos/{open_case.code}/devolver/"' in html

    html = client.get(f"/operadora/casos/{answered.code}/").content.decode()
    assert "Devolver (no corresponde a la operadora)" not in html


def test_returning_a_case_moves_it_and_tells_the_citizen(client, agent, citizen, mailbox, tasks):
    case = register_case(citizen)

    response = return_post(client, case)

    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).state == State.RETURNED
    page = client.get(response["Location"])
    assert f"Devolvió el caso {case.code}" in text(page)
    assert "Devuelto por la operadora" in text(page)
    tasks()
    sent = mailbox.wait_for(citizen.email, "no le corresponde")
    assert "no pertenece a Claro" in Mailbox.text(sent)


def test_a_return_without_a_real_reason_is_shown_on_its_field(client, agent, citizen):
    case = register_case(citizen)

    with NothingWritten():
        response = return_post(client, case, reason="no es")

    assert response.status_code == 422
    assert error_of(response, "id_reason") == (
        "Explique por qué el caso no corresponde (al menos 10 caracteres)."
    )
    assert Case.objects.get(pk=case.pk).state == State.FORWARDED


def test_returning_another_operators_case_is_404(client, agent, citizen):
    theirs = register_case(citizen, operator="MOVISTAR")

    with NothingWritten():
        assert return_post(client, theirs).status_code == 404

    assert Case.objects.get(pk=theirs.pk).state == State.FORWARDED


def test_returning_an_answered_case_is_refused_with_a_message(client, agent, citizen):
    case = answer(register_case(citizen))

    response = return_post(client, case)

    assert response.status_code == 302
    assert "Solo se puede devolver un caso abierto" in text(client.get(response["Location"]))
    assert Case.objects.get(pk=case.pk).state == State.ANSWERED


def test_citizens_list_marks_the_overdue_case_in_red(client, logged_citizen):
    case = overdue_case(logged_citizen)
    other = make_citizen()
    register_case(other)

    html = client.get("/casos/").content.decode()

    overdue_card = r'<li class="card card--overdue">\s*<h2[^>]*><a href="/casos/'
    assert re.search(overdue_card + case.code, html)

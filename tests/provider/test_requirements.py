"""The register of requirements (issue 18, source 2.4.6 and 2.4.9): each stage's plazo in
business days, computed by hand here; the provider's clock stopped while the client owes
precisions; who owes the next step; on time / late per stage and the % of compliance.

Calendar used by hand: 2026-11-25 is a Wednesday; 8 and 9 December 2026 are holidays
(Inmaculada Concepción, Batalla de Ayacucho); 25 December and 1 January are holidays. A
plazo of n business days is due at 23:59:59 Lima of the n-th business day after the day
received (received the same day before 17:00, the next business day after it).

That calendar is the law's holidays alone: this module declares its own calendar, with no
day decreed by the administrator — a day the run declares non-working (SGU_TEST_NON_WORKING,
e.g. Monday 7 December) would move the plazos computed here by hand."""

import pytest

from factories import lima
from provider.helpers import P, file, to_replica_stage
from sgu.core.calendar import load_calendar
from sgu.core.errors import Conflict, Forbidden, ValidationFailed
from sgu.core.models import CalendarDay
from sgu.provider import selectors, services
from sgu.provider.models import Requirement, RequirementStep, Stage

pytestmark = pytest.mark.django_db

END = (23, 59, 59)


@pytest.fixture(autouse=True)
def calendar_by_hand(clock, db):
    """The calendar of the docstring: no administrator's CalendarDay rows (those the clock
    fixture wrote for the run included)."""
    CalendarDay.objects.all().delete()
    assert load_calendar().non_working == {} and load_calendar().working == {}


def status(req, now):
    req = Requirement.objects.prefetch_related("steps").get(pk=req.pk)
    return selectors.status_of(req, now, load_calendar())


def steps(req):
    return list(RequirementStep.objects.filter(requirement=req).order_by("started_at", "id"))


def test_filed_requirement_gets_a_yearly_correlative_code_and_one_day_to_validate(team, cliente):
    first = file(team, cliente, now=lima(2026, 11, 25, 10))
    second = file(team, cliente, now=lima(2026, 11, 25, 11))

    assert (first.code, second.code) == ("REQ-2026-00001", "REQ-2026-00002")
    assert first.stage == Stage.VALIDATION
    # Received Wednesday 25 before the cut-off: due Thursday 26 at the end of the day.
    assert first.stage_due_at == lima(2026, 11, 26, *END)


def test_the_code_restarts_each_year(team, cliente):
    file(team, cliente, now=lima(2026, 12, 30, 10))
    assert file(team, cliente, now=lima(2027, 1, 4, 10)).code == "REQ-2027-00001"


@pytest.mark.parametrize(
    ("filed", "due"),
    [
        (lima(2026, 11, 25, 16, 59), lima(2026, 11, 26, *END)),  # before the cut-off
        (lima(2026, 11, 25, 17, 0), lima(2026, 11, 27, *END)),  # at the cut-off: Thursday
        (lima(2026, 11, 27, 10), lima(2026, 11, 30, *END)),  # Friday: Monday
        (lima(2026, 11, 28, 10), lima(2026, 12, 1, *END)),  # Saturday: received Monday
        (lima(2026, 12, 7, 10), lima(2026, 12, 10, *END)),  # Monday: 8 and 9 are holidays
    ],
)
def test_validation_plazo_is_one_business_day(team, cliente, filed, due):
    assert file(team, cliente, now=filed).stage_due_at == due


def test_every_stage_has_its_plazo_and_whoever_owes_it(team, cliente):
    req = file(team, cliente, type="SYSTEM_CHANGE", now=lima(2026, 12, 2, 10))
    assert status(req, lima(2026, 12, 2, 10)).owes.startswith("Experiencia Cliente")

    req = services.accept(requirement=req, by=P(team.cx), now=lima(2026, 12, 3, 9))
    # Operations supervisor: 1 day from the acceptance (Thursday 3 → Friday 4).
    assert (req.stage, req.stage_due_at) == (Stage.OPS_AWARENESS, lima(2026, 12, 4, *END))
    assert status(req, lima(2026, 12, 3, 9)).owes.startswith("Supervisor de operaciones")

    req = services.acknowledge(requirement=req, by=P(team.ops), now=lima(2026, 12, 4, 16))
    # Feasibility: 1 day from Friday 4 → Monday 7.
    assert (req.stage, req.stage_due_at) == (Stage.FEASIBILITY, lima(2026, 12, 7, *END))

    req = services.confirm_feasibility(
        requirement=req, by=P(team.cx), granted_days=20, now=lima(2026, 12, 7, 16)
    )
    # Announcing the deployment: 1 day from Monday 7, skipping the holidays 8 and 9.
    assert (req.stage, req.granted_days) == (Stage.DEPLOYMENT_START, 20)
    assert req.stage_due_at == lima(2026, 12, 10, *END)

    req = services.start_deployment(requirement=req, by=P(team.cx), now=lima(2026, 12, 10, 10))
    # 20 business days from Thursday 10 December: 11,14,15,16,17,18,21,22,23,24 (10),
    # 28,29,30,31 (14; 25 is Christmas), 4,5,6,7,8 January (19; 1 is New Year), 11 (20).
    assert (req.stage, req.stage_due_at) == (Stage.REPLICA, lima(2027, 1, 11, *END))
    assert status(req, lima(2026, 12, 10, 10)).remaining == "Vence en 20 días hábiles"

    req = services.complete_replica(requirement=req, by=P(team.trainer), now=lima(2027, 1, 8, 9))
    # Final status: 1 day from Friday 8 January → Monday 11.
    assert (req.stage, req.stage_due_at) == (Stage.FINAL_REPORT, lima(2027, 1, 11, *END))

    req = services.report_final_status(
        requirement=req, by=P(team.cx), status="Cambio implementado.", now=lima(2027, 1, 11, 9)
    )
    assert (req.stage, req.stage_due_at, req.closed_at) == (
        Stage.CLOSED,
        None,
        lima(2027, 1, 11, 9),
    )
    final = status(req, lima(2027, 1, 12, 9))
    assert final.owes.startswith("Nadie")
    assert final.final == "Cerrado en plazo"
    assert final.compliance.percent == 100.0
    assert [s.stage for s in steps(req)] == [
        "VALIDATION",
        "OPS_AWARENESS",
        "FEASIBILITY",
        "DEPLOYMENT_START",
        "REPLICA",
        "FINAL_REPORT",
    ]


@pytest.mark.parametrize("type_", ["NEW_INFO", "TRAINING", "REINFORCEMENT", "SYSTEM_ACCESS"])
def test_information_training_reinforcement_and_access_get_one_day_to_deploy(team, cliente, type_):
    req = file(team, cliente, type=type_, now=lima(2026, 11, 25, 9))
    req = to_replica_stage(req, team, cliente, now=lima(2026, 11, 25, 10))
    assert (req.granted_days, req.stage_due_at) == (1, lima(2026, 11, 26, *END))


@pytest.mark.parametrize("days", [None, 14, 31])
def test_a_system_change_needs_15_to_30_days_granted(team, cliente, days):
    req = file(team, cliente, type="SYSTEM_CHANGE", now=lima(2026, 11, 25, 9))
    req = services.accept(requirement=req, by=P(team.cx), now=lima(2026, 11, 25, 9))
    req = services.acknowledge(requirement=req, by=P(team.ops), now=lima(2026, 11, 25, 9))
    with pytest.raises(ValidationFailed) as exc:
        services.confirm_feasibility(requirement=req, by=P(team.cx), granted_days=days)
    assert exc.value.errors[0].field == "granted_days"
    assert Requirement.objects.get(pk=req.pk).stage == Stage.FEASIBILITY


def test_one_day_types_refuse_another_plazo(team, cliente):
    req = file(team, cliente, now=lima(2026, 11, 25, 9))
    req = services.accept(requirement=req, by=P(team.cx), now=lima(2026, 11, 25, 9))
    req = services.acknowledge(requirement=req, by=P(team.ops), now=lima(2026, 11, 25, 9))
    with pytest.raises(ValidationFailed):
        services.confirm_feasibility(requirement=req, by=P(team.cx), granted_days=5)


def test_provider_clock_stops_while_the_client_owes_precisions(team, cliente):
    req = file(team, cliente, now=lima(2026, 11, 25, 10))  # due Thursday 26
    req = services.observe(
        requirement=req,
        by=P(team.cx),
        questions="¿Desde qué fecha rige el nuevo plazo de portabilidad?",
        now=lima(2026, 11, 26, 9),
    )
    assert (req.stage, req.stage_due_at) == (Stage.OBSERVED, None)

    # Tuesday 1 December: the provider's due day (Thursday 26) passed, yet nothing is late;
    # the client has had the question for Friday 27, Monday 30 and Tuesday 1.
    waiting = status(req, lima(2026, 12, 1, 10))
    assert waiting.clock_stopped and not waiting.overdue
    assert waiting.owes.startswith("El cliente")
    assert waiting.remaining == "Reloj del proveedor detenido; el cliente lleva 3 días hábiles"
    assert waiting.compliance.late == 0

    req = services.answer_observation(
        requirement=req,
        by=P(cliente),
        answer="Rige desde el 1 de diciembre.",
        now=lima(2026, 12, 1, 11),
    )
    # A new validation day from the answer: Tuesday 1 → Wednesday 2.
    assert (req.stage, req.stage_due_at) == (Stage.VALIDATION, lima(2026, 12, 2, *END))
    observed = next(s for s in steps(req) if s.stage == Stage.OBSERVED)
    assert (observed.due_at, observed.note) == (None, "Rige desde el 1 de diciembre.")
    assert selectors.step_verdict(observed, lima(2026, 12, 2)) == selectors.NOT_COUNTED


def test_operations_supervisor_doubts_go_back_to_the_client_too(team, cliente):
    req = file(team, cliente, now=lima(2026, 11, 25, 10))
    req = services.accept(requirement=req, by=P(team.cx), now=lima(2026, 11, 25, 11))
    req = services.observe(
        requirement=req,
        by=P(team.coordinator),
        questions="Los asesores preguntan si aplica también a líneas prepago.",
        now=lima(2026, 11, 25, 15),
    )
    assert req.stage == Stage.OBSERVED


def test_remaining_time_and_overdue(team, cliente):
    req = file(team, cliente, now=lima(2026, 11, 25, 10))
    assert status(req, lima(2026, 11, 25, 12)).remaining == "Vence en 1 día hábil"
    assert status(req, lima(2026, 11, 26, 12)).remaining == "Vence hoy a las 23:59"
    late = status(req, lima(2026, 11, 27, 12))
    assert late.overdue and late.remaining == "Vencido hace 1 día hábil"
    assert (late.compliance.on_time, late.compliance.late) == (0, 1)


def test_compliance_percent_on_a_hand_computed_register(team, cliente):
    now = lima(2026, 12, 4, 12)
    # A: every stage on time (6 of 6).
    a = file(team, cliente, type="SYSTEM_ACCESS", now=lima(2026, 11, 25, 10))
    a = to_replica_stage(a, team, cliente, now=lima(2026, 11, 25, 11))
    a = services.complete_replica(requirement=a, by=P(team.trainer), now=lima(2026, 11, 26, 10))
    services.report_final_status(
        requirement=a, by=P(team.cx), status="Accesos otorgados.", now=lima(2026, 11, 26, 11)
    )
    # B: validated on time, observed (not counted), validated again on time, the operations
    # supervisor late (due Friday 27, took knowledge Monday 30), feasibility due Tuesday 1
    # and still running on Friday 4 (late) → 2 on time, 2 late.
    b = file(team, cliente, now=lima(2026, 11, 25, 10))
    b = services.observe(
        requirement=b,
        by=P(team.cx),
        questions="¿A qué servicios aplica el cambio?",
        now=lima(2026, 11, 25, 12),
    )
    b = services.answer_observation(
        requirement=b, by=P(cliente), answer="A todos los móviles.", now=lima(2026, 11, 26, 9)
    )
    b = services.accept(requirement=b, by=P(team.cx), now=lima(2026, 11, 26, 10))
    services.acknowledge(requirement=b, by=P(team.ops), now=lima(2026, 11, 30, 10))
    # C: validation due Thursday 3, still not done on Friday 4 → 1 late.
    file(team, cliente, now=lima(2026, 12, 2, 10))
    # D: validation due Monday 7, running on Friday 4 → not evaluated yet.
    file(team, cliente, now=lima(2026, 12, 4, 10))

    register = list(selectors.register(cliente))
    by_code = {r.code: selectors.status_of(r, now, load_calendar()) for r in register}
    assert by_code["REQ-2026-00001"].compliance.percent == 100.0
    assert (
        by_code["REQ-2026-00002"].compliance.on_time,
        by_code["REQ-2026-00002"].compliance.late,
    ) == (2, 2)
    assert by_code["REQ-2026-00002"].compliance.percent == 50.0
    assert by_code["REQ-2026-00003"].compliance.percent == 0.0
    assert by_code["REQ-2026-00004"].compliance.percent is None
    total = selectors.register_compliance(register, now)
    # 6 + 2 + 0 on time, 0 + 2 + 1 late: 8 of 11 = 72.7 %.
    assert (total.on_time, total.late, total.percent) == (8, 3, 72.7)
    # The same, counted by the database over the whole filtered register (the API's and the
    # page's total), and over a filter: the requirements still open are B, C and D.
    whole = selectors.register_totals(selectors.register(cliente), now)
    assert (whole.on_time, whole.late, whole.percent) == (8, 3, 72.7)
    still_open = selectors.register(cliente, selectors.RegisterFilter(open_only=True))
    assert selectors.register_totals(still_open, now).percent == round(100 * 2 / 5, 1)


def test_roles_and_stages_are_checked_and_nothing_changes(team, cliente):
    req = file(team, cliente, now=lima(2026, 11, 25, 10))
    with pytest.raises(Forbidden):
        services.accept(requirement=req, by=P(team.advisors[0]))
    with pytest.raises(Forbidden):
        services.accept(requirement=req, by=P(cliente))
    with pytest.raises(Conflict):
        services.acknowledge(requirement=req, by=P(team.ops))
    with pytest.raises(ValidationFailed):
        services.observe(requirement=req, by=P(team.cx), questions="corto")
    assert Requirement.objects.get(pk=req.pk).stage == Stage.VALIDATION
    assert len(steps(req)) == 1


def test_another_providers_staff_cannot_move_it(team, other_team, cliente):
    req = file(team, cliente, now=lima(2026, 11, 25, 10))
    with pytest.raises(Forbidden):
        services.accept(requirement=req, by=P(other_team.cx))
    assert Requirement.objects.get(pk=req.pk).stage == Stage.VALIDATION


def test_bad_input_when_filing_reports_every_field(team, cliente):
    with pytest.raises(ValidationFailed) as exc:
        services.file_requirement(
            provider=team.provider,
            data=services.RequirementInput(
                type="OTRO", topic="x", description="corta", requested_date="2026-13-01"
            ),
            by=P(cliente),
        )
    assert {e.field for e in exc.value.errors} == {"type", "topic", "description", "requested_date"}
    assert not Requirement.objects.exists()


def test_only_the_regulator_files(team):
    with pytest.raises(Forbidden):
        services.file_requirement(
            provider=team.provider,
            data=services.RequirementInput(
                type="NEW_INFO", topic="Tema", description="Una descripción suficiente."
            ),
            by=P(team.cx),
        )


def test_complete_needs_closed_replicas_for_information_types(team, cliente):
    req = file(team, cliente, now=lima(2026, 11, 25, 9))
    req = to_replica_stage(req, team, cliente, now=lima(2026, 11, 25, 10))
    with pytest.raises(Conflict):
        services.complete_replica(requirement=req, by=P(team.trainer))

"""The requirement's stages, who owes each one, their plazos and who may take each action
(issue 18; the source's 2.4.6 and 2.4.9). One table: services ask `transition(...)` before
moving a requirement, pages and the API ask `allowed_actions(...)` which buttons to show.

Plazos, in business days of the platform's calendar (`BusinessCalendar.add_business_days`:
received day by the 17:00 cut-off, due 23:59:59 Lima of the n-th business day after it):

| stage            | who owes                                   | plazo, counted from          |
|------------------|--------------------------------------------|------------------------------|
| VALIDATION       | Experiencia Cliente: accept or observe     | 1, filing / client's answer  |
| OBSERVED         | the client (regulator): precisions         | none: provider clock stopped |
| OPS_AWARENESS    | operations supervisor: takes knowledge     | 1, acceptance                |
| FEASIBILITY      | Experiencia Cliente: feasibility and plazo | 1, supervisor's knowledge    |
| DEPLOYMENT_START | Experiencia Cliente: tells deployment start| 1, feasibility               |
| REPLICA          | trainers and advisors                      | granted days, deployment start|
| FINAL_REPORT     | Experiencia Cliente: final status          | 1, replica completed         |

Granted days at feasibility: 1 for new information, training, reinforcement and system
access; 15 to 30, by complexity, for a change in the provider's systems."""

from dataclasses import dataclass

from sgu.accounts.models import REGULATOR_ROLES, Role
from sgu.core.errors import Conflict, Forbidden
from sgu.provider.models import RequirementType, Stage

ONE_DAY_TYPES = frozenset(
    {
        RequirementType.NEW_INFO,
        RequirementType.TRAINING,
        RequirementType.REINFORCEMENT,
        RequirementType.SYSTEM_ACCESS,
    }
)
SYSTEM_CHANGE_DAYS = (15, 30)
# Types whose deployment may end without a replica to the advisors (a system is changed or
# an access granted); every other type is completed by its replicas.
REPLICA_OPTIONAL = frozenset({RequirementType.SYSTEM_CHANGE, RequirementType.SYSTEM_ACCESS})

# Business days each provider stage has (REPLICA: the days granted at feasibility).
STAGE_DAYS: dict[str, int] = {
    Stage.VALIDATION: 1,
    Stage.OPS_AWARENESS: 1,
    Stage.FEASIBILITY: 1,
    Stage.DEPLOYMENT_START: 1,
    Stage.FINAL_REPORT: 1,
}

OWES: dict[str, str] = {
    Stage.VALIDATION: "Experiencia Cliente (proveedor): validar o observar",
    Stage.OBSERVED: "El cliente (regulador): absolver las precisiones",
    Stage.OPS_AWARENESS: "Supervisor de operaciones (proveedor): tomar conocimiento",
    Stage.FEASIBILITY: "Experiencia Cliente (proveedor): confirmar viabilidad y plazo",
    Stage.DEPLOYMENT_START: "Experiencia Cliente (proveedor): comunicar el inicio del despliegue",
    Stage.REPLICA: "Formadores y asesores (proveedor): completar la réplica",
    Stage.FINAL_REPORT: "Experiencia Cliente (proveedor): informar el estatus final",
    Stage.CLOSED: "Nadie: requerimiento cerrado",
}

CX = frozenset({Role.PROVIDER_CX_SUPERVISOR, Role.PROVIDER_COORDINATOR})
OPS = frozenset({Role.PROVIDER_OPS_SUPERVISOR, Role.PROVIDER_CX_SUPERVISOR})
TRAINERS = CX | {Role.PROVIDER_TRAINER}


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    sources: frozenset
    target: Stage
    roles: frozenset


ACTIONS = {
    a.name: a
    for a in (
        Action("accept", "Validar y derivar al supervisor de operaciones",
               frozenset({Stage.VALIDATION}), Stage.OPS_AWARENESS, CX),
        Action("observe", "Observar y devolver al cliente",
               frozenset({Stage.VALIDATION, Stage.OPS_AWARENESS}), Stage.OBSERVED, CX),
        Action("answer", "Absolver las precisiones",
               frozenset({Stage.OBSERVED}), Stage.VALIDATION, REGULATOR_ROLES),
        Action("acknowledge", "Tomar conocimiento (supervisor de operaciones)",
               frozenset({Stage.OPS_AWARENESS}), Stage.FEASIBILITY, OPS),
        Action("feasibility", "Confirmar viabilidad y plazo",
               frozenset({Stage.FEASIBILITY}), Stage.DEPLOYMENT_START, CX),
        Action("start", "Comunicar el inicio del despliegue",
               frozenset({Stage.DEPLOYMENT_START}), Stage.REPLICA, TRAINERS),
        Action("complete", "Dar por completada la réplica",
               frozenset({Stage.REPLICA}), Stage.FINAL_REPORT, TRAINERS),
        Action("report", "Informar el estatus final al cliente",
               frozenset({Stage.FINAL_REPORT}), Stage.CLOSED, CX),
    )
}  # fmt: skip


def transition(action: str, stage: str, role: str) -> Action:
    """The action if `role` may take it from `stage`; otherwise the Spanish reason."""
    found = ACTIONS.get(action)
    if found is None:
        raise Conflict("Acción no válida para un requerimiento.")
    if role not in found.roles:
        raise Forbidden(f"Su rol no puede «{found.label.lower()}».")
    if stage not in found.sources:
        raise Conflict(
            f"El requerimiento está en la etapa «{Stage(stage).label}»: no admite "
            f"«{found.label.lower()}»."
        )
    return found


def allowed_actions(stage: str, role: str) -> list[Action]:
    return [a for a in ACTIONS.values() if stage in a.sources and role in a.roles]


@dataclass(frozen=True)
class Prompt:
    """What an action's form asks for (the page asks this, never compares action names)."""

    text_label: str = ""  # the text box's label; empty: no text box
    text_required: bool = False
    asks_days: bool = False  # the plazo granted, 15 to 30 business days
    hint: str = ""


_PROMPTS = {
    "observe": Prompt("Precisiones que pide al cliente (todas en un solo mensaje)", True),
    "answer": Prompt("Respuesta a las precisiones", True),
    "report": Prompt("Estatus final para el cliente", True),
}


def action_prompt(action: str, type_: str) -> Prompt:
    if action == "feasibility":
        one_day = type_ in ONE_DAY_TYPES
        return Prompt(
            "Análisis de viabilidad (opcional)",
            asks_days=not one_day,
            hint="Plazo para este tipo: 1 día hábil." if one_day else "",
        )
    return _PROMPTS.get(action, Prompt())


def provider_clock_runs(stage: str) -> bool:
    """False while the client owes precisions (and once closed)."""
    return stage not in (Stage.OBSERVED, Stage.CLOSED)


def attachable(stage: str) -> bool:
    """The regulator may add files to a requirement until it is closed."""
    return stage != Stage.CLOSED


def may_attach(stage: str, role: str) -> bool:
    return role in REGULATOR_ROLES and attachable(stage)


def granted_days_for(type_: str, requested: int | None) -> tuple[int | None, str | None]:
    """The deployment plazo granted at feasibility, or the reason it is not valid."""
    if type_ in ONE_DAY_TYPES:
        if requested not in (None, 1):
            return None, "Para este tipo de requerimiento el plazo es de 1 día hábil."
        return 1, None
    low, high = SYSTEM_CHANGE_DAYS
    if requested is None or not low <= requested <= high:
        return None, (
            f"Un cambio en los sistemas tiene un plazo de {low} a {high} días hábiles: "
            "indíquelo según su complejidad."
        )
    return requested, None

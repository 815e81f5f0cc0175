"""What must always hold in the SGU's data, checked over the whole database (after a restore,
an incident or a manual fix): `manage.py check_integrity` runs every check and reports each
broken invariant with a few examples. Set-wise SQL where the rows are many (timelines), one pass
over a single column where a code must be parsed."""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Model

from sgu.attention.models import Query, QuerySequence
from sgu.cases.models import Case, CaseEvent, CaseSequence, Claim, ClaimState
from sgu.cases.workflow import Action
from sgu.notifications.models import OutboundEmail
from sgu.operators.models import WebhookAttempt, WebhookDelivery
from sgu.provider.models import Requirement
from sgu.suggestions.models import Suggestion, SuggestionSequence

EXAMPLES = 5  # examples shown per broken invariant

# Emails that belong to an account, an invitation, a suggestion or the daily report: they carry
# no case or consulta code. Every other email names the case or consulta it is about.
EMAILS_WITHOUT_CODE = {
    "confirm_email",
    "password_reset",
    "password_changed",
    "correction_received",
    "operator_invitation",
    "suggestion_received",
    "suggestion_answered",
    "daily_report",
    "provider_report",  # the provider's periodic report: about a period, not one requirement
}


@dataclass
class Finding:
    check: str
    count: int
    examples: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        shown = ", ".join(self.examples[:EXAMPLES])
        more = f" (y {self.count - EXAMPLES} más)" if self.count > EXAMPLES else ""
        return f"{self.check}: {self.count} — {shown}{more}"


def _rows(sql: str, params: list | None = None) -> list[tuple]:
    with connection.cursor() as cur:
        cur.execute(sql, params or [])
        return cur.fetchall()


def _t(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _finding(check: str, examples: list[str]) -> list[Finding]:
    return [Finding(check, len(examples), examples)] if examples else []


# --- timelines -------------------------------------------------------------------------------


def cases_without_timeline() -> list[Finding]:
    rows = _rows(
        f"SELECT c.code FROM {_t(Case)} c WHERE NOT EXISTS "
        f"(SELECT 1 FROM {_t(CaseEvent)} e WHERE e.case_id = c.id) ORDER BY c.code"
    )
    return _finding("casos sin línea de tiempo", [r[0] for r in rows])


def timelines_not_starting_with_register() -> list[Finding]:
    rows = _rows(
        f"SELECT c.code, f.kind FROM ("
        f"  SELECT case_id, kind, ROW_NUMBER() OVER (PARTITION BY case_id ORDER BY at, id) AS n"
        f"  FROM {_t(CaseEvent)}) f JOIN {_t(Case)} c ON c.id = f.case_id "
        f"WHERE f.n = 1 AND f.kind <> %s ORDER BY c.code",
        [Action.REGISTER],
    )
    return _finding(
        "líneas de tiempo que no empiezan por REGISTER", [f"{code} ({kind})" for code, kind in rows]
    )


def registered_twice() -> list[Finding]:
    rows = _rows(
        f"SELECT c.code, COUNT(*) FROM {_t(CaseEvent)} e JOIN {_t(Case)} c ON c.id = e.case_id "
        f"WHERE e.kind = %s GROUP BY c.code HAVING COUNT(*) > 1 ORDER BY c.code",
        [Action.REGISTER],
    )
    return _finding("casos registrados más de una vez", [f"{c} ({n})" for c, n in rows])


def events_out_of_order() -> list[Finding]:
    """An event written after another (higher id) never bears an earlier instant: the timeline
    read by instant is the timeline as it was written."""
    rows = _rows(
        f"SELECT DISTINCT c.code FROM ("
        f"  SELECT case_id, at, LAG(at) OVER (PARTITION BY case_id ORDER BY id) AS before"
        f"  FROM {_t(CaseEvent)}) e JOIN {_t(Case)} c ON c.id = e.case_id "
        f"WHERE e.before IS NOT NULL AND e.at < e.before ORDER BY c.code"
    )
    return _finding("líneas de tiempo fuera de orden", [r[0] for r in rows])


def states_not_chained() -> list[Finding]:
    """Each state change starts where the previous one ended, and the last one is the case's
    state."""
    rows = _rows(
        f"SELECT DISTINCT c.code FROM ("
        f"  SELECT case_id, from_state, LAG(to_state) OVER (PARTITION BY case_id ORDER BY at, id)"
        f"  AS previous FROM {_t(CaseEvent)} WHERE to_state <> '') e "
        f"JOIN {_t(Case)} c ON c.id = e.case_id "
        f"WHERE e.previous IS NOT NULL AND e.from_state <> '' AND e.from_state <> e.previous "
        f"ORDER BY c.code"
    )
    found = _finding("cambios de estado que no siguen al anterior", [r[0] for r in rows])
    rows = _rows(
        f"SELECT c.code, c.state, l.to_state FROM {_t(Case)} c JOIN ("
        f"  SELECT case_id, to_state,"
        f"  ROW_NUMBER() OVER (PARTITION BY case_id ORDER BY at DESC, id DESC) AS n"
        f"  FROM {_t(CaseEvent)} WHERE to_state <> '') l ON l.case_id = c.id AND l.n = 1 "
        f"WHERE c.state <> l.to_state ORDER BY c.code"
    )
    found += _finding(
        "casos cuyo estado no es el del último evento",
        [f"{code} ({state} ≠ {last})" for code, state, last in rows],
    )
    return found


# --- codes and their counters ------------------------------------------------------------------

# (what, the rows with a code, the per-year counter that gives their numbers)
CODED: list[tuple[str, type[Model], type[Model]]] = [
    ("casos", Case, CaseSequence),
    ("consultas", Query, QuerySequence),
    ("sugerencias", Suggestion, SuggestionSequence),
]


def _parse(code: str) -> tuple[int, int] | None:
    """PREFIX-YYYY-NNNNNNN → (year, number)."""
    parts = code.rsplit("-", 2)
    if len(parts) != 3 or not (parts[1].isdigit() and parts[2].isdigit()):
        return None
    return int(parts[1]), int(parts[2])


def codes_and_counters() -> list[Finding]:
    found: list[Finding] = []
    for what, model, sequence in CODED:
        seen: dict[tuple[int, int], str] = {}
        duplicates, malformed = [], []
        highest: dict[int, int] = defaultdict(int)
        for code in model.objects.values_list("code", flat=True).iterator(chunk_size=5000):
            parsed = _parse(code)
            if parsed is None:
                malformed.append(code)
                continue
            if parsed in seen:
                duplicates.append(f"{seen[parsed]} = {code}")
            seen[parsed] = code
            highest[parsed[0]] = max(highest[parsed[0]], parsed[1])
        found += _finding(f"{what}: códigos mal formados", malformed)
        found += _finding(f"{what}: número repetido en el año", duplicates)
        counters = dict(sequence.objects.values_list("year", "last_number"))
        behind = [
            f"{year}: contador {counters.get(year, 'sin fila')} < {number}"
            for year, number in sorted(highest.items())
            if counters.get(year, 0) < number
        ]
        # The next code of that year would repeat one already given.
        found += _finding(f"{what}: contador del año por debajo del mayor código", behind)
    return found


def claims_consistent() -> list[Finding]:
    rows = Claim.objects.filter(state=ClaimState.CODED, claim_code__isnull=True)
    return _finding(
        "reclamos con código asignado sin código",
        [str(pk) for pk in rows.values_list("pk", flat=True)[:100]],
    )


# --- what every email and webhook belongs to ------------------------------------------------


def emails_belong() -> list[Finding]:
    known = (
        f"SELECT code FROM {_t(Case)} UNION SELECT code FROM {_t(Query)} "
        f"UNION SELECT code FROM {_t(Suggestion)} UNION SELECT code FROM {_t(Requirement)}"
    )
    rows = _rows(
        f"SELECT id, case_code FROM {_t(OutboundEmail)} "
        f"WHERE case_code <> '' AND case_code NOT IN ({known}) ORDER BY id"
    )
    found = _finding(
        "correos de un caso o consulta que no existe", [f"#{pk} ({code})" for pk, code in rows]
    )
    loose = (
        # Not yet rendered: the worker gives it its case's code when it renders it.
        OutboundEmail.objects.filter(case_code="", context__isnull=True)
        .exclude(template__in=EMAILS_WITHOUT_CODE)
        .values_list("pk", "template")
    )
    found += _finding(
        "correos de un caso sin código de caso", [f"#{pk} ({tpl})" for pk, tpl in loose[:100]]
    )
    return found


def webhooks_belong() -> list[Finding]:
    rows = _rows(
        f"SELECT id, case_code FROM {_t(WebhookDelivery)} "
        f"WHERE case_code <> '' AND case_code NOT IN (SELECT code FROM {_t(Case)}) ORDER BY id"
    )
    found = _finding("webhooks de un caso que no existe", [f"#{pk} ({code})" for pk, code in rows])
    rows = _rows(
        f"SELECT a.id FROM {_t(WebhookAttempt)} a WHERE NOT EXISTS "
        f"(SELECT 1 FROM {_t(WebhookDelivery)} d WHERE d.id = a.delivery_id) ORDER BY a.id"
    )
    found += _finding("intentos de webhook sin su entrega", [f"#{r[0]}" for r in rows])
    return found


CHECKS: list[tuple[str, Callable[[], list[Finding]]]] = [
    ("casos con línea de tiempo", cases_without_timeline),
    ("la línea de tiempo empieza por REGISTER", timelines_not_starting_with_register),
    ("un solo REGISTER por caso", registered_twice),
    ("eventos en orden", events_out_of_order),
    ("estados encadenados", states_not_chained),
    ("códigos únicos por año y contadores al día", codes_and_counters),
    ("reclamos coherentes", claims_consistent),
    ("cada correo pertenece a algo", emails_belong),
    ("cada webhook pertenece a algo", webhooks_belong),
]


def run_checks() -> list[tuple[str, list[Finding]]]:
    return [(name, check()) for name, check in CHECKS]

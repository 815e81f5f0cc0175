"""The regulator's tracking tray: its filters, parsed the same way for the web page and the
API (GET /api/v1/staff/cases), and its orderings (each one has an index, see Case.Meta)."""

from datetime import date

from django.utils import timezone

from sgu.cases import selectors
from sgu.cases.models import Channel
from sgu.cases.workflow import State
from sgu.core.errors import ErrorCollector

SORTS = {
    "recientes": (["-registered_at", "-id"], "los más recientes primero"),
    "vence": (["due_at", "id"], "los que vencen primero (casos en curso)"),
}
SERVICES = ["MOVIL", "FIJO", "INTERNET", "TV"]
FILTER_NAMES = (
    "operator",
    "service",
    "category",
    "subcategory",
    "state",
    "overdue",
    "claim_code_late",
    "channel",
    "office",
    "registered_from",
    "registered_to",
    "q",
)


def _date(raw: str, name: str, errors: ErrorCollector) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors.add(name, "Use una fecha AAAA-MM-DD.")
        return None


def parse(params) -> tuple[dict, list[str], ErrorCollector]:
    """(selector keyword arguments, ordering, errors) from GET parameters."""
    errors = ErrorCollector()
    raw = {n: (params.get(n) or "").strip() for n in (*FILTER_NAMES, "sort")}
    out: dict = {}
    for name in ("operator", "category", "subcategory", "office"):
        if raw[name]:
            out[name] = raw[name][:60]
    if raw["service"]:
        if raw["service"] in SERVICES:
            out["service"] = raw["service"]
        else:
            errors.add("service", "Servicio no válido; use MOVIL, FIJO, INTERNET o TV.")
    if raw["state"]:
        if raw["state"] in State.values:
            out["state"] = raw["state"]
        else:
            errors.add("state", "Estado no válido.")
    if raw["channel"]:
        if raw["channel"] in Channel.values:
            out["channel"] = raw["channel"]
        else:
            errors.add("channel", "Canal no válido.")
    overdue = {"si": True, "true": True, "no": False, "false": False}.get(raw["overdue"].lower())
    if raw["overdue"] and overdue is None:
        errors.add("overdue", "Use si o no (true o false).")
    if overdue is not None:
        out["overdue"] = overdue
    late = {"si": True, "true": True, "no": False, "false": False}.get(
        raw["claim_code_late"].lower()
    )
    if raw["claim_code_late"] and late is None:
        errors.add("claim_code_late", "Use si o no (true o false).")
    if late is not None:
        out["claim_code_late"] = late
    out["registered_from"] = _date(raw["registered_from"], "registered_from", errors)
    out["registered_to"] = _date(raw["registered_to"], "registered_to", errors)
    if raw["q"]:
        out["q"] = raw["q"][:40]
    sort = raw["sort"] or "recientes"
    if sort not in SORTS:
        errors.add("sort", "Orden no válido.")
        sort = "recientes"
    return {k: v for k, v in out.items() if v is not None}, SORTS[sort][0], errors


def tray(filters: dict, ordering: list[str]):
    qs = selectors.regulator_tray(now=timezone.now(), **filters)
    if ordering[0] == "due_at":
        qs = qs.filter(state__in=selectors.RUNNING, due_at__isnull=False)
    return qs

"""The header menu of each role, grouped by task (Bandejas · Estadísticas · Atención ·
Operadoras · Administración). Decided here — who sees what — so the template only draws it
and never compares roles itself. Before the second factor is passed, there is no menu."""

from dataclasses import dataclass, field

from django.urls import reverse

from sgu.accounts.middleware import pending_step
from sgu.accounts.models import Role


@dataclass
class Item:
    label: str
    url: str
    current: bool = False
    badge: int = 0
    badge_late: int = 0
    badge_text: str = ""


@dataclass
class Group:
    label: str
    items: list[Item] = field(default_factory=list)

    @property
    def current(self) -> bool:
        return any(i.current for i in self.items)


def _item(label: str, url_name: str, nav: str, *keys: str) -> Item:
    return Item(label, reverse(url_name), nav in (keys or ()))


def _regulator(user, nav: str) -> list[Group]:
    supervisor = user.role == Role.REGULATOR_SUPERVISOR
    groups = [
        Group(
            "Bandejas",
            [
                _item("Seguimiento", "staff:home", nav, "staff"),
                _item("Bandeja de casos", "staff:tray", nav, "tray"),
                _item("Casos devueltos", "staff:returns", nav, "returns"),
                _item("Registrar un caso", "staff:new_case", nav, "assisted"),
            ],
        ),
        Group(
            "Atención",
            [
                _item("Atención por niveles", "attention:home", nav, "attention", "queries"),
                _item("Base de conocimiento", "knowledge:search", nav, "knowledge"),
                _item("Sugerencias", "suggestions_staff:list", nav, "suggestions"),
                _item("Correcciones de datos", "accounts:corrections", nav, "corrections"),
                _item("Proveedor", "provider:register", nav, "provider"),
            ],
        ),
        Group(
            "Operadoras",
            [
                _item("Inoperatividad", "outages:regulator_events", nav, "outages"),
                _item("Contingencias", "outages:windows", nav, "contingency"),
                _item("Bajas y migraciones", "service_requests:monitor", nav, "service_requests"),
                _item("Información para usuarios", "operator_info:freshness", nav, "operator_info"),
            ],
        ),
    ]
    if supervisor:
        groups.insert(
            1,
            Group(
                "Estadísticas",
                [
                    _item("Estadísticas de casos", "reporting:dashboard", nav, "stats"),
                    _item(
                        "Indicadores de atención", "attention:indicators", nav, "attention_stats"
                    ),
                ],
            ),
        )
    if user.is_staff:
        groups.append(Group("Administración", [_item("Administración", "admin:index", nav)]))
    return groups


def _operator(user, nav: str, claims: dict) -> list[Group]:
    tray = Group(
        "Bandejas",
        [
            _item("Bandeja de casos", "operators:tray", nav, "tray"),
            _item("Reclamos", "operators:claims", nav, "claims"),
        ],
    )
    pending, late = claims.get("pending", 0), claims.get("late", 0)
    if pending:
        reclamos = tray.items[1]
        reclamos.badge, reclamos.badge_late = pending, late
        reclamos.badge_text = " esperando código" + (f", {late} fuera de plazo" if late else "")
    groups = [
        tray,
        Group(
            "Reportes al regulador",
            [
                _item("Inoperatividad", "outages:events", nav, "outages"),
                _item("Bajas y migraciones", "service_requests:batches", nav, "service_requests"),
            ],
        ),
    ]
    if user.role == Role.OPERATOR_ADMIN:
        groups.append(
            Group(
                "Administración",
                [
                    _item("Personal", "operators:staff", nav, "staff"),
                    _item("Información para usuarios", "operators:information", nav, "information"),
                    _item("Claves de API", "operators:api_keys", nav, "keys"),
                    _item("Webhook", "operators:webhook", nav, "webhook"),
                ],
            )
        )
    return groups


def _citizen(nav: str) -> list[Group]:
    return [
        Group("", [_item("Mis casos", "cases:list", nav, "cases")]),
        Group("", [_item("Reportar un problema", "cases:new", nav, "new")]),
        Group("", [_item("Encuestas", "survey:mine", nav, "survey")]),
    ]


def _provider(nav: str) -> list[Group]:
    return [
        Group("", [_item("Requerimientos", "provider:register", nav, "provider")]),
        Group("", [_item("Mis capacitaciones", "provider:mine", nav, "provider_mine")]),
        Group("", [_item("Reportes", "provider:reports", nav, "provider_reports")]),
    ]


def menu_for(request, nav: str = "", claims: dict | None = None) -> dict:
    """What the header shows: `groups` (a group of one link is drawn as that link), whether
    the person may see a menu at all (`signed_in`: past the second factor too)."""
    user = request.user
    if not user.is_authenticated:
        return {"signed_in": False, "pending": False, "groups": []}
    if pending_step(request) is not None:
        return {"signed_in": True, "pending": True, "groups": []}
    if user.is_citizen:
        groups = _citizen(nav)
    elif user.is_operator_staff:
        groups = _operator(user, nav, claims or {})
    elif user.is_regulator_staff:
        groups = _regulator(user, nav)
    elif user.is_provider_staff:
        groups = _provider(nav)
    elif user.is_staff:
        groups = [Group("Administración", [_item("Administración", "admin:index", nav)])]
    else:
        groups = []
    # Staff menus (groups of several pages) fold behind «Menú» on a phone; a citizen's three
    # links fit as they are.
    foldable = any(len(g.items) > 1 for g in groups)
    return {"signed_in": True, "pending": False, "groups": groups, "foldable": foldable}

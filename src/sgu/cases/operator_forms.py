"""The operator's tray forms: filters, the answer, returns, claim codes."""

from django import forms
from django.utils import timezone

from sgu.cases.models import ClaimState, Outcome
from sgu.cases.selectors import VISIBLE_TO_OPERATOR
from sgu.cases.services import SolutionInput
from sgu.cases.workflow import State
from sgu.catalog import selectors as catalog
from sgu.core.forms import ParsedDateField, ServiceForm
from sgu.core.web import parse_date
from sgu.core.widgets import QuickSelect

# Tray orderings: (label, keyset ordering). The last field is the primary key.
SORTS = {
    # Claims waiting for their code, then cases owing an answer (overdue first), then the rest.
    "pendientes": ("Pendientes primero", ["pending_rank", "due_at", "id"]),
    "vence": ("Vencen primero", ["due_at", "id"]),
    "vence-desc": ("Vencen al final", ["-due_at", "-id"]),
    "registro": ("Registrados más recientes", ["-registered_at", "-id"]),
    "registro-asc": ("Registrados más antiguos", ["registered_at", "id"]),
}
DEFAULT_SORT = "pendientes"


class TrayFilterForm(forms.Form):
    """The tray's filters, read from the query string. Unknown values are ignored."""

    q = forms.CharField(
        label="Código, línea o documento",
        required=False,
        max_length=40,
        help_text="Coincidencia exacta.",
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    show = forms.ChoiceField(
        label="Mostrar",
        required=False,
        widget=QuickSelect,
        choices=[("", "Por atender"), ("todos", "Todos los casos")],
        help_text="«Por atender»: reclamos esperando código y casos por responder.",
    )
    state = forms.ChoiceField(label="Estado", required=False, widget=QuickSelect)
    subcategory = forms.ChoiceField(label="Problema", required=False, widget=QuickSelect)
    overdue = forms.ChoiceField(
        label="Plazo",
        required=False,
        widget=QuickSelect,
        choices=[("", "Todos"), ("si", "Solo vencidos"), ("no", "Solo dentro del plazo")],
    )
    sort = forms.ChoiceField(
        label="Ordenar por",
        required=False,
        widget=QuickSelect,
        choices=[(key, label) for key, (label, _) in SORTS.items()],
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [
            ("", "Todos"),
            *((s, State(s).label) for s in VISIBLE_TO_OPERATOR),
        ]
        groups: dict[str, list] = {}
        for s in catalog.active_subcategories().prefetch_related(None):  # no fields
            groups.setdefault(s.category.name, []).append((s.code, s.name))
        self.fields["subcategory"].choices = [("", "Todos"), *groups.items()]

    def filters(self) -> dict:
        """The selector's filters. By default only the pending work; a search or a state
        chosen looks at every case (a closed one is found by its code)."""
        self.is_valid()  # a bad value only drops that filter (cleaned_data keeps the rest)
        data = self.cleaned_data
        q = (data.get("q") or "").strip() or None
        state = data.get("state") or None
        return {
            "pending_only": data.get("show") != "todos" and not q and not state,
            "q": q,
            "state": state,
            "subcategory": data.get("subcategory") or None,
            "overdue": {"si": True, "no": False}.get(data.get("overdue") or ""),
        }

    def _sort(self) -> tuple[str, list[str]]:
        self.is_valid()
        return SORTS[self.cleaned_data.get("sort") or DEFAULT_SORT]

    def ordering(self) -> list[str]:
        return self._sort()[1]

    def sort_label(self) -> str:
        return self._sort()[0]


class SolutionForm(ServiceForm):
    outcome = forms.CharField(
        label="Resultado",
        widget=forms.RadioSelect(choices=Outcome.choices),
    )
    detail = forms.CharField(
        label="Respuesta al usuario",
        help_text="Explique con claridad qué encontró y qué hizo. El usuario recibe este texto "
        "por correo.",
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": 4000}),
    )
    actions = forms.CharField(
        label="Acciones realizadas (opcional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 4000}),
    )
    executed_at = ParsedDateField(label="Fecha de ejecución")
    responsible = forms.CharField(
        label="Responsable",
        widget=forms.TextInput(attrs={"maxlength": 120, "autocomplete": "name"}),
    )

    def __init__(self, *args, agent=None, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["executed_at"].widget.attrs["max"] = today.isoformat()
        if not self.is_bound:
            self.initial.setdefault("executed_at", today.isoformat())
            if agent is not None:
                self.initial.setdefault("responsible", agent.get_full_name())

    def solution_input(self) -> SolutionInput:
        return SolutionInput(
            outcome=self.value("outcome"),
            detail=self.value("detail"),
            actions=self.value("actions"),
            executed_at=parse_date(self.value("executed_at")),
            responsible=self.value("responsible"),
        )


class ReturnForm(ServiceForm):
    reason = forms.CharField(
        label="¿Por qué no corresponde a su empresa?",
        help_text="Por ejemplo: la línea no es de su empresa o el usuario no es su cliente. El "
        "usuario y el regulador leen este texto; el regulador revisa la devolución.",
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": 4000}),
    )


# The claims tray: (label, state filter, keyset ordering). Pending first, the one due soonest
# on top (the index claim_tray_idx follows it); coded ones, the most recent first.
CLAIM_VIEWS = {
    "": ("Todos", None, ["-state", "code_due_at", "id"]),
    ClaimState.PENDING_CODE: (
        "Esperando código",
        ClaimState.PENDING_CODE,
        ["code_due_at", "id"],
    ),
    ClaimState.CODED: ("Con código", ClaimState.CODED, ["-coded_at", "-id"]),
}


class ClaimFilterForm(forms.Form):
    state = forms.ChoiceField(
        label="Estado",
        required=False,
        choices=[(key, label) for key, (label, _, _) in CLAIM_VIEWS.items()],
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def _view(self) -> tuple[str, str | None, list[str]]:
        self.is_valid()  # an unknown value shows every claim
        return CLAIM_VIEWS[self.cleaned_data.get("state") or ""]

    def state_filter(self) -> str | None:
        return self._view()[1]

    def ordering(self) -> list[str]:
        return self._view()[2]


class ClaimCodeForm(ServiceForm):
    """One per pending claim in the tray (prefixed by the claim's id: ids stay unique)."""

    claim_code = forms.CharField(
        label="Código de reclamo",
        widget=forms.TextInput(attrs={"maxlength": 40, "autocomplete": "off"}),
    )

    def __init__(self, *args, claim, **kwargs):
        kwargs.setdefault("prefix", f"reclamo-{claim.pk}")
        super().__init__(*args, **kwargs)
        self.claim = claim

"""Web forms of the inoperatividad register and contingency windows. They parse; the services
validate (sgu.core.forms.ServiceForm), so the web shows exactly the API's messages."""

from datetime import datetime, time, timedelta

from django import forms

from sgu.catalog import selectors as catalog
from sgu.core.calendar import LIMA
from sgu.core.forms import ServiceForm
from sgu.core.web import parse_date
from sgu.outages import policies, selectors
from sgu.outages.models import (
    ApplicationGroup,
    AttentionPointKind,
    ClosingReason,
    ContingencyScope,
    ProcedureType,
    Scenario,
)
from sgu.outages.services import ApplicationInput, OutageInput, PointInput, WindowInput

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def parse_local_datetime(value: str) -> datetime | None:
    """What <input type="datetime-local"> sends (AAAA-MM-DDTHH:MM), as a Lima instant."""
    text = (value or "").strip()
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=LIMA)


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=DATETIME_FORMAT)


def _choices(enum, blank: str | None = None) -> list[tuple[str, str]]:
    items = list(enum.choices)
    return [("", blank), *items] if blank is not None else items


class PointForm(ServiceForm):
    code = forms.CharField(
        label="Código",
        help_text="El código interno de su empresa, p. ej. CAC-MIRAFLORES o CC-123.",
        widget=forms.TextInput(attrs={"maxlength": 40, "autocapitalize": "characters"}),
        required=True,
    )
    name = forms.CharField(
        label="Nombre", widget=forms.TextInput(attrs={"maxlength": 120}), required=True
    )
    kind = forms.ChoiceField(
        label="Tipo", choices=_choices(AttentionPointKind, "Elija el tipo"), required=True
    )
    ubigeo = forms.CharField(
        label="Ubigeo",
        help_text="Código INEI de 6 dígitos del distrito, p. ej. 150122 (Miraflores, Lima).",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 6}),
        required=True,
    )
    address = forms.CharField(
        label="Dirección", widget=forms.TextInput(attrs={"maxlength": 200}), required=False
    )
    active = forms.BooleanField(
        label="Activo (se puede elegir al registrar eventos)", required=False, initial=True
    )

    def point_input(self) -> PointInput:
        return PointInput(
            code=self.value("code"),
            name=self.value("name"),
            kind=self.value("kind"),
            ubigeo=self.value("ubigeo"),
            address=self.value("address"),
            active=bool(self.data.get("active")) if self.is_bound else True,
        )


class OutageForm(ServiceForm):
    attention_point = forms.ChoiceField(label="Punto de atención", required=True)
    procedure_type = forms.ChoiceField(
        label="Tipo de procedimiento",
        choices=_choices(ProcedureType, "Elija el procedimiento"),
        required=True,
    )
    scenario = forms.ChoiceField(
        label="Escenario", widget=forms.RadioSelect, choices=Scenario.choices, required=True
    )
    applications = forms.MultipleChoiceField(
        label="Aplicativos afectados",
        help_text="Uno o más. SICAR solo cuando hay que pagar para terminar la transacción "
        "registrada en SISACT o SISACT Prepago.",
        widget=forms.CheckboxSelectMultiple,
        required=True,
    )
    systems = forms.CharField(
        label="Detalle (opcional)",
        help_text="Lo que ayude a entender la caída, p. ej. «no carga la pantalla de pagos».",
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 500}),
        required=False,
    )
    started_at = forms.CharField(
        label="Inicio (hora de Lima)", widget=LocalDateTimeInput(), required=True
    )
    manual = forms.BooleanField(
        label="Registro manual posterior (regularización de un formulario en papel)",
        required=False,
    )

    def __init__(self, *args, operator, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attention_point"].choices = [
            ("", "Elija el punto de atención"),
            *(
                (p.code, f"{p.name} ({p.code})")
                for p in selectors.operator_points(operator, active=True)
            ),
        ]
        self.fields["applications"].choices = [
            (a.code, a.name) for a in selectors.operator_applications(operator)
        ]

    def outage_input(self) -> OutageInput:
        return OutageInput(
            attention_point=self.value("attention_point"),
            procedure_type=self.value("procedure_type"),
            scenario=self.value("scenario"),
            systems=self.value("systems"),
            started_at=parse_local_datetime(self.value("started_at")),
            manual=bool(self.data.get("manual")),
            applications=self.data.getlist("applications") if self.is_bound else [],
        )


class CloseForm(ServiceForm):
    ended_at = forms.CharField(
        label="Fin (hora de Lima)", widget=LocalDateTimeInput(), required=True
    )
    closing_reason = forms.ChoiceField(
        label="Motivo de cierre",
        choices=_choices(ClosingReason, "Elija el motivo"),
        required=True,
    )
    closing_justification = forms.CharField(
        label="Sustento",
        help_text="Obligatorio con «Error de usuario» (registro por error o prueba): ese "
        "evento no se reporta al regulador.",
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 2000}),
        required=False,
    )

    def __init__(self, *args, scenario: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if scenario:
            allowed = policies.allowed_closing_reasons(scenario)
            self.fields["closing_reason"].choices = [
                ("", "Elija el motivo"),
                *((r, ClosingReason(r).label) for r in allowed),
            ]

    def close_input(self) -> tuple[datetime | None, str]:
        return parse_local_datetime(self.value("ended_at")), self.value("closing_reason")


class ConfirmForm(ServiceForm):
    failure_started_at = forms.CharField(
        label="Inicio de la falla masiva (hora de Lima)",
        help_text="Según el comunicado de Fallas de Sistemas y Plataforma.",
        widget=LocalDateTimeInput(),
        required=True,
    )
    failure_ended_at = forms.CharField(
        label="Fin de la falla masiva (si ya terminó)", widget=LocalDateTimeInput(), required=False
    )


class EvaluateForm(ServiceForm):
    proceeds = forms.ChoiceField(
        label="¿Procede reportar el evento al regulador?",
        widget=forms.RadioSelect,
        choices=[("si", "Sí, procede"), ("no", "No procede")],
        required=True,
    )
    note = forms.CharField(
        label="Observación",
        help_text="Obligatoria si no procede: explique por qué.",
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 2000}),
        required=False,
    )

    def proceeds_value(self):
        return {"si": True, "no": False}.get(self.value("proceeds"))


class ApplicationForm(ServiceForm):
    code = forms.CharField(
        label="Código",
        help_text="p. ej. CRM-VENTAS",
        widget=forms.TextInput(attrs={"maxlength": 40, "autocapitalize": "characters"}),
        required=True,
    )
    name = forms.CharField(
        label="Nombre", widget=forms.TextInput(attrs={"maxlength": 80}), required=True
    )
    group = forms.ChoiceField(
        label="Tipo", choices=_choices(ApplicationGroup, "Elija el tipo"), required=True
    )
    note = forms.CharField(
        label="Nota", widget=forms.TextInput(attrs={"maxlength": 200}), required=False
    )

    def application_input(self) -> ApplicationInput:
        return ApplicationInput(
            code=self.value("code"),
            name=self.value("name"),
            group=self.value("group"),
            note=self.value("note"),
        )


class WindowForm(ServiceForm):
    starts_at = forms.CharField(
        label="Inicio (hora de Lima)", widget=LocalDateTimeInput(), required=True
    )
    ends_at = forms.CharField(
        label="Fin (hora de Lima)", widget=LocalDateTimeInput(), required=True
    )
    scope = forms.ChoiceField(
        label="Alcance",
        widget=forms.RadioSelect,
        choices=ContingencyScope.choices,
        initial=ContingencyScope.SGU,
        required=True,
    )
    operator = forms.ChoiceField(
        label="Operadora",
        help_text="Solo si el alcance es una operadora.",
        required=False,
    )
    reason = forms.CharField(
        label="Motivo",
        help_text="Se muestra en la línea de tiempo de cada caso ampliado.",
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 2000}),
        required=True,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["operator"].choices = [
            ("", "—"),
            *((o.code, o.name) for o in catalog.active_operators()),
        ]

    def window_input(self) -> WindowInput:
        return WindowInput(
            starts_at=parse_local_datetime(self.value("starts_at")),
            ends_at=parse_local_datetime(self.value("ends_at")),
            scope=self.value("scope"),
            operator=self.value("operator") if self.value("scope") == "OPERATOR" else "",
            reason=self.value("reason"),
        )


class EventFilterForm(forms.Form):
    """The regulator's filters, read from the query string. A bad value only drops itself."""

    operator = forms.ChoiceField(label="Operadora", required=False)
    point = forms.CharField(label="Punto de atención (código o nombre)", required=False)
    ubigeo = forms.CharField(
        label="Ubigeo",
        help_text="2, 4 o 6 dígitos: departamento, provincia o distrito.",
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 6}),
    )
    procedure_type = forms.ChoiceField(
        label="Procedimiento", choices=_choices(ProcedureType, "Todos"), required=False
    )
    scenario = forms.ChoiceField(
        label="Escenario",
        choices=[("", "Todos"), *(c for c in Scenario.choices if c[0] != "ERROR_O_PRUEBA")],
        required=False,
    )
    status = forms.ChoiceField(
        label="Estado",
        choices=[("", "Todos"), ("ABIERTO", "Abiertos"), ("CERRADO", "Cerrados")],
        required=False,
    )
    flagged = forms.ChoiceField(
        label="Alertas",
        choices=[("", "Todos"), ("si", "Solo los que tienen alguna alerta")],
        required=False,
    )
    review_state = forms.ChoiceField(
        label="Revisión",
        choices=[
            ("", "Todos"),
            ("REPORTADO", "Aprobados y reportados"),
            ("PENDIENTE", "Cerrados y aún sin aprobar"),
            ("NO_PROCEDE", "Evaluados: no procede reportar"),
        ],
        required=False,
    )
    started_from = forms.CharField(
        label="Inicio desde",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    started_to = forms.CharField(
        label="Inicio hasta",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["operator"].choices = [
            ("", "Todas"),
            *((o.code, o.name) for o in catalog.active_operators()),
        ]

    def filters(self) -> selectors.EventFilters:
        self.is_valid()
        data = self.cleaned_data
        ubigeo = (data.get("ubigeo") or "").strip()
        if not (ubigeo.isdigit() and len(ubigeo) in (2, 4, 6)):
            ubigeo = ""
        start = parse_date(data.get("started_from") or "")
        end = parse_date(data.get("started_to") or "")
        return selectors.EventFilters(
            operator=data.get("operator") or "",
            point=(data.get("point") or "").strip()[:120],
            ubigeo=ubigeo,
            procedure_type=data.get("procedure_type") or "",
            scenario=data.get("scenario") or "",
            status=data.get("status") or "",
            flagged=data.get("flagged") == "si",
            review_state=data.get("review_state") or "",
            started_from=datetime.combine(start, time.min, tzinfo=LIMA) if start else None,
            started_to=(
                datetime.combine(end + timedelta(days=1), time.min, tzinfo=LIMA) if end else None
            ),
        )

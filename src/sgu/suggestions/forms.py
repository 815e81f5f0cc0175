"""Web forms of the suggestions box. They parse; the services validate."""

from django import forms

from sgu.core.forms import ServiceForm
from sgu.suggestions import selectors
from sgu.suggestions.models import STAFF_CHANNELS, RedirectedAs, SuggestionState
from sgu.suggestions.services import SuggestionInput


class SuggestionForm(ServiceForm):
    name = forms.CharField(
        label="Nombre (opcional)",
        widget=forms.TextInput(attrs={"maxlength": 120, "autocomplete": "name"}),
        required=False,
    )
    email = forms.CharField(
        label="Correo electrónico",
        help_text="Le enviaremos ahí el código y la respuesta.",
        widget=forms.EmailInput(attrs={"maxlength": 254, "autocomplete": "email"}),
        required=True,
    )
    topic = forms.ChoiceField(label="Tema", required=False)
    text = forms.CharField(
        label="Su sugerencia",
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": 4000}),
        required=True,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].choices = [
            ("", "Elija un tema (opcional)"),
            *[(t.code, t.name) for t in selectors.active_topics()],
        ]

    def suggestion_input(self) -> SuggestionInput:
        return SuggestionInput(
            name=self.value("name"),
            email=self.value("email"),
            text=self.value("text"),
            topic=self.value("topic"),
        )


def _area_choices(blank: str) -> list[tuple[str, str]]:
    return [("", blank), *[(a.code, str(a)) for a in selectors.active_areas()]]


class FilterForm(forms.Form):
    state = forms.ChoiceField(label="Estado", required=False)
    area = forms.ChoiceField(label="Área", required=False)
    year = forms.CharField(
        label="Año", required=False, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", "Todos"), *SuggestionState.choices]
        self.fields["area"].choices = [
            *_area_choices("Todas"),
            ("-", "Sin derivar"),
        ]

    def filters(self) -> selectors.Filters:
        year = (self.data.get("year") or "").strip()
        return selectors.Filters(
            state=(self.data.get("state") or "").strip(),
            area=(self.data.get("area") or "").strip(),
            year=int(year) if year.isdigit() and 2000 <= int(year) <= 2100 else None,
        )


class RouteForm(ServiceForm):
    area = forms.ChoiceField(label="Área responsable", required=True)
    note = forms.CharField(
        label="Nota (opcional)", widget=forms.TextInput(attrs={"maxlength": 500}), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = _area_choices("Elija el área")


class AnswerForm(ServiceForm):
    answer = forms.CharField(
        label="Respuesta al remitente",
        help_text="Se le envía por correo tal cual.",
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": 4000}),
        required=True,
    )
    actions = forms.CharField(
        label="Acciones adoptadas (opcional)",
        help_text="Lo que el regulador hizo o hará a raíz de la sugerencia; va en la respuesta "
        "y en el informe anual.",
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 4000}),
        required=False,
    )


class ActionForm(ServiceForm):
    note = forms.CharField(
        label="Acción adoptada",
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 4000}),
        required=True,
    )


class TriageForm(ServiceForm):
    is_suggestion = forms.ChoiceField(
        label="¿Es una sugerencia?",
        choices=[
            ("si", "Sí: registrarla como sugerencia"),
            ("no", "No: es una consulta o un reclamo"),
        ],
        widget=forms.RadioSelect,
        required=True,
    )
    redirected_as = forms.ChoiceField(
        label="Si no lo es, se atiende como",
        choices=[("", "—"), *RedirectedAs.choices],
        required=False,
    )
    reference = forms.CharField(
        label="Código de la consulta o del reclamo (opcional)",
        required=False,
        widget=forms.TextInput(attrs={"maxlength": 40}),
    )
    answer = forms.CharField(
        label="Qué se le responde al remitente",
        help_text="Se le envía por correo: cómo se atenderá su consulta o su reclamo.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": 4000}),
    )


class StaffEntryForm(ServiceForm):
    channel = forms.ChoiceField(
        label="Medio por el que llegó",
        choices=[(c.value, c.label) for c in STAFF_CHANNELS],
        widget=forms.RadioSelect,
        required=True,
    )
    name = forms.CharField(label="Nombre del remitente (opcional)", required=False)
    email = forms.CharField(
        label="Correo del remitente (opcional)",
        help_text="Si lo dio, se le envía la constancia y la respuesta.",
        required=False,
        widget=forms.EmailInput(),
    )
    topic = forms.ChoiceField(label="Tema", required=False)
    text = forms.CharField(
        label="Sugerencia",
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": 4000}),
        required=True,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].choices = [
            ("", "Sin tema"),
            *[(t.code, t.name) for t in selectors.active_topics()],
        ]


class AreaReportForm(ServiceForm):
    area = forms.ChoiceField(label="Área", required=True)
    summary = forms.CharField(
        label="Informe: sugerencias recibidas y acciones implementadas",
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": 20000}),
        required=True,
    )

    def __init__(self, *args, areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [("", "Elija el área"), *[(a.code, a.name) for a in areas]]

"""Forms of the attention pages: they parse and render; the services validate."""

from django import forms

from sgu.attention.models import (
    Complexity,
    Coordination,
    Criticality,
    Outcome,
    Priority,
    QueryChannel,
    QueryState,
    Region,
    WaitingOn,
)
from sgu.core.forms import ServiceForm
from sgu.core.identity import DocumentType

TEXTAREA = {"rows": 4, "maxlength": 4000}
REGION_CHOICES = [("", "Sin indicar"), *Region.choices]


class QueryForm(ServiceForm):
    channel = forms.ChoiceField(
        label="Canal", choices=QueryChannel.choices, widget=forms.RadioSelect, required=True
    )
    anonymous = forms.BooleanField(
        label="La persona prefiere no dar sus datos (consulta anónima)",
        help_text="No se guarda nombre, documento, correo ni teléfono; no se le envía nada.",
        required=False,
    )
    name = forms.CharField(label="Nombre de quien consulta", required=False)
    document_type = forms.ChoiceField(
        label="Tipo de documento",
        choices=[("", "Sin documento"), *DocumentType.choices],
        required=False,
    )
    document_number = forms.CharField(label="Número de documento", required=False)
    email = forms.CharField(
        label="Correo",
        help_text="Para enviarle la respuesta y la encuesta sobre nuestra atención.",
        required=False,
        widget=forms.EmailInput(),
    )
    phone = forms.CharField(label="Teléfono", required=False)
    region = forms.ChoiceField(
        label="Región (departamento) de quien consulta",
        choices=REGION_CHOICES,
        required=False,
        help_text="Para los totales de Lima y regiones.",
    )
    motive = forms.ChoiceField(
        label="Motivo (tipificación)",
        help_text="Del catálogo de motivos; las legales pasan por la revisión de calidad.",
        required=True,
    )
    topic = forms.CharField(
        label="Asunto (opcional)",
        help_text="Si lo deja vacío, se usa el motivo.",
        required=False,
        widget=forms.TextInput(attrs={"maxlength": 200}),
    )

    def __init__(self, *args, families=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["motive"].choices = motive_choices(families)

    question = forms.CharField(
        label="Consulta", required=True, widget=forms.Textarea(attrs=TEXTAREA)
    )


def motive_choices(families, *, blank="Elija el motivo") -> list:
    """Grouped choices: each family with its sub-motives."""
    return [
        ("", blank),
        *[(family.name, [(m.code, m.name) for m in children]) for family, children in families],
    ]


class QueryFilterForm(ServiceForm):
    motivo = forms.ChoiceField(label="Motivo", required=False)

    def __init__(self, *args, families=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["motivo"].choices = [
            ("", "Todos"),
            *[
                (
                    family.name,
                    [(family.code, f"{family.name} (toda la familia)")]
                    + [(m.code, m.name) for m in children],
                )
                for family, children in families
            ],
        ]

    estado = forms.ChoiceField(
        label="Estado", choices=[("", "Todas"), *QueryState.choices], required=False
    )
    plazo = forms.ChoiceField(
        label="Plazo",
        choices=[("", "Todas"), ("vencidas", "Fuera de plazo (canal virtual)")],
        required=False,
    )
    q = forms.CharField(label="Buscar (código, documento, correo o nombre)", required=False)


class AnswerForm(ServiceForm):
    answer = forms.CharField(
        label="Respuesta", required=True, widget=forms.Textarea(attrs=TEXTAREA)
    )
    outcome = forms.ChoiceField(
        label="Resultado",
        choices=Outcome.choices,
        initial=Outcome.SOLVED,
        widget=forms.RadioSelect,
        required=False,
        help_text="Si la solución exige un desarrollo funcional o una regla de negocio, no es "
        "un defecto: pasa a la lista de requerimientos del área usuaria.",
    )
    requirement_title = forms.CharField(
        label="Requerimiento funcional (una línea)",
        required=False,
        max_length=200,
        help_text="Solo si pasa a requerimiento funcional.",
    )
    coordination = forms.ChoiceField(
        label="¿Hubo que coordinar para responder?",
        choices=Coordination.choices,
        initial=Coordination.NONE,
        required=False,
    )
    coordination_with = forms.CharField(
        label="Coordinado con",
        required=False,
        max_length=200,
        help_text="Áreas del regulador, la operadora, un proveedor, otra entidad…",
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "responder")
        super().__init__(*args, **kwargs)


class ReviewForm(ServiceForm):
    decision = forms.ChoiceField(
        label="Revisión",
        choices=[("APPROVE", "Conforme: enviar al ciudadano"), ("RETURN", "Observar y devolver")],
        widget=forms.RadioSelect,
        required=True,
    )
    observations = forms.CharField(
        label="Observaciones",
        help_text="Obligatorias al devolver.",
        required=False,
        widget=forms.Textarea(attrs=TEXTAREA),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "revisar")
        super().__init__(*args, **kwargs)


class EscalateForm(ServiceForm):
    code = forms.CharField(
        label="Código del caso o de la consulta",
        help_text="Por ejemplo SGU-2026-0000123 o CON-2026-0000045.",
        required=True,
    )
    area = forms.CharField(label="Área", widget=forms.Select(), required=True)
    criticality = forms.ChoiceField(
        label="Criticidad", choices=Criticality.choices, widget=forms.RadioSelect, required=True
    )
    complexity = forms.ChoiceField(
        label="Complejidad", choices=Complexity.choices, required=True, initial="INDEFINIDA"
    )
    priority = forms.ChoiceField(
        label="Prioridad", choices=Priority.choices, required=True, initial="MEDIA"
    )
    reason = forms.CharField(
        label="Qué necesita del área", required=True, widget=forms.Textarea(attrs=TEXTAREA)
    )
    region = forms.ChoiceField(
        label="Región del ciudadano",
        choices=REGION_CHOICES,
        required=False,
        help_text="Vacío: la de la consulta o la de la oficina que la registró.",
    )

    def __init__(self, *args, areas=(), criticality_days=None, with_code=True, **kwargs):
        kwargs.setdefault("prefix", "escalar")
        super().__init__(*args, **kwargs)
        self.fields["area"].widget.choices = [
            ("", "Elija el área"),
            *((a.code, a.name) for a in areas),
        ]
        if criticality_days:
            self.fields["criticality"].choices = [
                (c, f"{label} (responde en {criticality_days[c]} días hábiles como máximo)")
                for c, label in Criticality.choices
            ]
        if not with_code:
            del self.fields["code"]
            del self.fields["region"]


class SendBackForm(ServiceForm):
    reason = forms.CharField(
        label="Por qué no corresponde al área",
        required=True,
        widget=forms.Textarea(attrs=TEXTAREA),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "devolver")
        super().__init__(*args, **kwargs)


class InformForm(ServiceForm):
    message = forms.CharField(
        label="Lo que se informa al ciudadano",
        help_text="Se envía a su correo. Si no tiene correo, anote también cómo se le informó.",
        required=True,
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": 4000}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "informar")
        super().__init__(*args, **kwargs)


class CloseForm(ServiceForm):
    note = forms.CharField(
        label="Qué se hizo con la devolución", required=True, widget=forms.Textarea(attrs=TEXTAREA)
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "cerrar")
        super().__init__(*args, **kwargs)


class SurveyForm(ServiceForm):
    score = forms.ChoiceField(
        label="¿Cómo calificaría la atención del regulador?",
        choices=[
            ("5", "5 — Muy buena"),
            ("4", "4 — Buena"),
            ("3", "3 — Regular"),
            ("2", "2 — Mala"),
            ("1", "1 — Muy mala"),
        ],
        widget=forms.RadioSelect,
        required=True,
    )
    comment = forms.CharField(
        label="Comentario (opcional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 1000}),
    )


class ExtendForm(ServiceForm):
    days = forms.IntegerField(label="Días hábiles de ampliación", min_value=1, required=True)
    reason = forms.CharField(
        label="Motivo de la ampliación (se envía al ciudadano)",
        required=True,
        widget=forms.Textarea(attrs=TEXTAREA),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "ampliar")
        super().__init__(*args, **kwargs)


class PauseForm(ServiceForm):
    waiting_on = forms.ChoiceField(
        label="Se espera a", choices=WaitingOn.choices, widget=forms.RadioSelect, required=True
    )
    waiting_on_name = forms.CharField(label="Proveedor o entidad", max_length=200, required=True)
    reason = forms.CharField(
        label="Qué se espera y por qué", required=True, widget=forms.Textarea(attrs=TEXTAREA)
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "pausar")
        super().__init__(*args, **kwargs)


class ResumeForm(ServiceForm):
    note = forms.CharField(
        label="Qué respondió (opcional)", required=False, widget=forms.Textarea(attrs=TEXTAREA)
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "reanudar")
        super().__init__(*args, **kwargs)

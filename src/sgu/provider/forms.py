"""Web forms of the provider's pages. They parse; the services validate."""

from datetime import date

from django import forms

from sgu.core.forms import MultipleFileInput, ServiceForm
from sgu.provider.models import ReplicaState, RequirementType, Stage
from sgu.provider.selectors import PERIODS, RegisterFilter, ReplicaFilter
from sgu.provider.services import Question

ACCEPTED_FILES = "application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png"


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        return None


class RegisterFilterForm(forms.Form):
    stage = forms.ChoiceField(
        label="Etapa", required=False, choices=[("", "Todas"), *Stage.choices]
    )
    type = forms.ChoiceField(
        label="Tipo", required=False, choices=[("", "Todos"), *RequirementType.choices]
    )
    topic = forms.CharField(label="Tema", required=False, max_length=200)
    provider = forms.ChoiceField(label="Proveedor", required=False)
    filed_from = forms.DateField(
        label="Registrado desde", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    filed_to = forms.DateField(
        label="Registrado hasta", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    open_only = forms.BooleanField(label="Solo en curso", required=False)

    def __init__(self, *args, providers=(), **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = [("", "Todos"), *[(p.code, p.name) for p in providers]]

    def filters(self) -> RegisterFilter:
        """Unknown values are ignored (a hand-edited link shows the whole register)."""
        d = self.data
        stage = d.get("stage", "")
        type_ = d.get("type", "")
        return RegisterFilter(
            stage=stage if stage in Stage.values else "",
            type=type_ if type_ in RequirementType.values else "",
            topic=(d.get("topic") or "").strip()[:200],
            provider=(d.get("provider") or "").strip().upper()[:30],
            filed_from=_date(d.get("filed_from", "")),
            filed_to=_date(d.get("filed_to", "")),
            open_only=d.get("open_only") in ("on", "1", "true"),
        )


class ReplicaFilterForm(forms.Form):
    topic = forms.CharField(label="Tema", required=False, max_length=200)
    state = forms.ChoiceField(
        label="Estado", required=False, choices=[("", "Todos"), *ReplicaState.choices]
    )
    provider = forms.ChoiceField(label="Proveedor (equipo)", required=False)
    scheduled_from = forms.DateField(
        label="Programada desde", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    scheduled_to = forms.DateField(
        label="Programada hasta", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, providers=(), **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = [("", "Todos"), *[(p.code, p.name) for p in providers]]

    def filters(self) -> ReplicaFilter:
        """Unknown values are ignored (a hand-edited link shows every replica)."""
        d = self.data
        state = d.get("state", "")
        return ReplicaFilter(
            topic=(d.get("topic") or "").strip()[:200],
            state=state if state in ReplicaState.values else "",
            provider=(d.get("provider") or "").strip().upper()[:30],
            scheduled_from=_date(d.get("scheduled_from", "")),
            scheduled_to=_date(d.get("scheduled_to", "")),
        )


class RequirementForm(ServiceForm):
    provider = forms.ChoiceField(label="Proveedor", required=True)
    type = forms.ChoiceField(label="Tipo", required=True, choices=RequirementType.choices)
    topic = forms.CharField(label="Tema", required=True, max_length=200)
    description = forms.CharField(
        label="Descripción", required=True, widget=forms.Textarea(attrs={"rows": 5})
    )
    requested_date = forms.CharField(
        label="Fecha solicitada", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    attachments = forms.Field(
        label="Adjuntos",
        help_text="PDF, JPG o PNG de hasta 10 MB cada uno.",
        required=False,
        widget=MultipleFileInput(attrs={"accept": ACCEPTED_FILES}),
    )

    error_prefixes = ("attachments[",)

    def __init__(self, *args, providers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = [(p.code, p.name) for p in providers]


class AttachmentForm(ServiceForm):
    """More files for a requirement already filed (the regulator, until it is closed)."""

    attachments = forms.Field(
        label="Agregar archivos",
        help_text="PDF, JPG o PNG de hasta 10 MB cada uno.",
        required=False,
        widget=MultipleFileInput(attrs={"accept": ACCEPTED_FILES}),
    )

    error_aliases = {"file": "attachments"}

    def form_field_for(self, error_field: str) -> str | None:
        if error_field.startswith("file["):
            return "attachments"
        return super().form_field_for(error_field)


class ActionForm(ServiceForm):
    text = forms.CharField(label="Nota", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    granted_days = forms.CharField(label="Plazo otorgado (días hábiles)", required=False)
    error_aliases = {
        "note": "text",
        "questions": "text",
        "answer": "text",
        "status": "text",
    }

    def granted(self) -> int | str | None:
        raw = self.value("granted_days").strip()
        if not raw:
            return None
        try:
            return int(raw)
        except ValueError:
            return raw  # the service says why


class ReplicaForm(ServiceForm):
    article_version = forms.ChoiceField(label="Material: versión del artículo", required=True)
    memory_aid = forms.CharField(
        label="Ayuda memoria", required=True, widget=forms.Textarea(attrs={"rows": 4})
    )
    scheduled_for = forms.CharField(
        label="Fecha de la réplica", required=True, widget=forms.DateInput(attrs={"type": "date"})
    )
    trainer = forms.ChoiceField(label="Formador", required=True)
    advisors = forms.MultipleChoiceField(
        label="Asesores (ninguno marcado: todos)",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, versions=(), trainers=(), advisors=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["article_version"].choices = [
            (v.pk, f"{v.article.code} v{v.number} — {v.question}") for v in versions
        ]
        self.fields["trainer"].choices = [(u.pk, str(u)) for u in trainers]
        self.fields["advisors"].choices = [(u.pk, str(u)) for u in advisors]


class EvaluationForm(ServiceForm):
    questions = forms.CharField(
        label="Preguntas",
        required=True,
        help_text="Una pregunta por línea: «pregunta | opción | opción | …», con un * delante "
        "de la opción correcta.",
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    pass_mark = forms.CharField(label="Nota aprobatoria (%)", required=True, initial="70")
    max_attempts = forms.CharField(label="Intentos permitidos", required=True, initial="2")

    def parsed(self):
        out = []
        for line in self.value("questions").splitlines():
            if not line.strip():
                continue
            text, *options = [p.strip() for p in line.split("|")]
            answer = next((i for i, o in enumerate(options) if o.startswith("*")), -1)
            out.append(Question(text, [o.lstrip("*").strip() for o in options], answer))
        return out

    def number(self, name: str):
        try:
            return int(self.value(name).strip())
        except ValueError:
            return -1


class ReportForm(forms.Form):
    period = forms.ChoiceField(label="Periodicidad", choices=list(PERIODS.items()))
    count = forms.IntegerField(label="Periodos", min_value=1, max_value=24, initial=6)

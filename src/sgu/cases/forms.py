import json

from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from sgu.cases.models import Channel
from sgu.cases.services import CaseInput, CitizenInput
from sgu.cases.workflow import State
from sgu.catalog import selectors as catalog
from sgu.catalog.fields import OTHER, OTHER_SUFFIX
from sgu.catalog.models import FieldType, Office, Subcategory
from sgu.core.errors import FieldError, ValidationFailed
from sgu.core.forms import MultipleFileInput, ParsedDateField, ServiceForm
from sgu.core.widgets import QuickSelect
from sgu.operators import selectors as operator_info

ACCEPTED_FILES = "application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png"
EXTRA_PREFIX = "fields."


def subcategory_choices(subcategories: list[Subcategory]) -> list:
    """Grouped by category (<optgroup>), each with its plazo."""
    services = {s.category.service_id for s in subcategories}
    groups: dict[str, list] = {}
    for s in subcategories:
        group = s.category.name
        if len(services) > 1:
            group = f"{s.category.service.name}: {group}"
        groups.setdefault(group, []).append((s.code, f"{s.name} · plazo: {s.deadline_label}"))
    return [("", "Elija el problema"), *groups.items()]


def extra_field(definition, operator_choices: list[str] | None = None) -> forms.Field:
    """The form field for one SubcategoryField, with the input type that fits it."""
    attrs: dict = {}
    kind = definition.type
    if kind == FieldType.OPERATOR_INFO:
        # The chosen operator's current list, and "otro" for what is not on it.
        options = [(name, name) for name in operator_choices or []]
        widget = forms.Select(
            choices=[("", "Elija una opción"), *options, (OTHER, "Otro (escríbalo abajo)")]
        )
        help_text = definition.help_text or (
            "Las opciones son las que informó su operadora. Si no está, elija «Otro»."
            if options
            else "Elija primero la operadora; si no aparece su opción, elija «Otro»."
        )
    elif kind == FieldType.DATE:
        attrs["max"] = timezone.localdate().isoformat()
        widget: forms.Widget = forms.DateInput(attrs={"type": "date", **attrs})
        help_text = definition.help_text or "Día, mes y año."
    elif kind == FieldType.NUMBER:
        widget = forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"})
        help_text = definition.help_text
    elif kind == FieldType.MONEY:
        widget = forms.TextInput(
            attrs={"inputmode": "decimal", "autocomplete": "off", "placeholder": "0.00"}
        )
        help_text = definition.help_text or "En soles, por ejemplo 25.50."
    elif kind == FieldType.CHOICE:
        options = [(str(c), str(c)) for c in definition.choices or []]
        widget = forms.Select(choices=[("", "Elija una opción"), *options])
        help_text = definition.help_text
    else:
        widget = forms.TextInput(attrs={"maxlength": 500})
        help_text = definition.help_text
    return forms.CharField(
        label=definition.label, required=definition.required, widget=widget, help_text=help_text
    )


class CaseForm(ServiceForm):
    """A new problem report. The extra fields are those of the chosen subcategory."""

    operator = forms.CharField(label="Empresa operadora", widget=forms.Select())
    subcategory = forms.CharField(
        label="¿Qué problema tiene?",
        help_text="Entre paréntesis, el plazo que tiene la operadora para responderle.",
        widget=forms.Select(),
    )
    service_number = forms.CharField(
        label="Número de la línea afectada",
        help_text="Su número de celular: 9 dígitos, empieza con 9.",
        widget=forms.TextInput(
            attrs={"type": "tel", "inputmode": "numeric", "autocomplete": "tel-national"}
        ),
    )
    description = forms.CharField(
        label="Cuéntenos qué pasó",
        help_text="Qué ocurrió, desde cuándo y qué le respondió la operadora, si ya le consultó.",
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": 4000}),
    )
    attachments = forms.Field(
        label="Adjuntar pruebas (opcional)",
        help_text=f"Hasta {settings.SGU['MAX_ATTACHMENTS']} archivos PDF, JPG o PNG de "
        f"{settings.SGU['MAX_ATTACHMENT_BYTES'] // 1048576} MB como máximo cada uno: recibos, "
        "capturas de pantalla, constancias.",
        required=False,
        widget=MultipleFileInput(attrs={"accept": ACCEPTED_FILES}),
    )
    # Set to APP by the installed app (its start_url carries ?canal=app; app.js keeps it).
    channel = forms.CharField(required=False, widget=forms.HiddenInput())
    # One report, one case: generated when the form is first shown (or by the app when the
    # report is started offline); a second submission with it shows the case already filed.
    idempotency_key = forms.CharField(required=False, widget=forms.HiddenInput())

    error_aliases = {"file": "attachments"}
    error_prefixes = ("attachments[",)
    fields_url_name = "cases:new_fields"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.subcategories = list(catalog.active_subcategories())
        self.fields["operator"].widget.choices = [
            ("", "Elija la operadora"),
            *((o.code, o.name) for o in catalog.active_operators()),
        ]
        self.fields["subcategory"].widget.choices = subcategory_choices(self.subcategories)
        self.chosen_subcategory = self._chosen_subcategory()
        self.extra_names: list[str] = []
        if self.chosen_subcategory is not None:
            for definition in self.chosen_subcategory.fields.all():
                name = EXTRA_PREFIX + definition.name
                if definition.type == FieldType.OPERATOR_INFO:
                    self.fields[name] = extra_field(
                        definition, self._operator_choices(definition.info_kind)
                    )
                    self.extra_names.append(name)
                    other = name + OTHER_SUFFIX
                    self.fields[other] = forms.CharField(
                        label=f"Otro: {definition.label.strip('¿?')}",
                        required=False,
                        help_text="Solo si eligió «Otro».",
                        widget=forms.TextInput(attrs={"maxlength": 500}),
                    )
                    self.extra_names.append(other)
                    continue
                self.fields[name] = extra_field(definition)
                self.extra_names.append(name)
            self._mark_required()
        # With JavaScript, choosing a subcategory (or another operator, whose lists the
        # extra fields may offer) brings its extra fields at once (HTMX); the values already
        # typed in them go along and come back. The two selects share one queue: a choice
        # made while an answer is on its way is asked for after it, so a slow answer to the
        # operator cannot arrive last and wipe the fields the subcategory brought.
        for name in ("operator", "subcategory"):
            self.fields[name].widget.attrs.update(
                {
                    "hx-get": reverse(self.fields_url_name),
                    "hx-trigger": "change",
                    "hx-target": "#extra-fields",
                    "hx-swap": "innerHTML",
                    "hx-include": "#id_operator, #id_subcategory, #extra-fields",
                    "hx-sync": "closest form:queue last",
                    "aria-controls": "extra-fields",
                }
            )

    def _operator_choices(self, kind: str) -> list[str]:
        code = self.value("operator").upper()
        operator = next((o for o in catalog.active_operators() if o.code == code), None)
        return operator_info.current_names(operator, kind) if operator else []

    def channel_value(self) -> str:
        """WEB, or APP from the installed app; anything else is refused (a citizen's own
        report never claims an assisted channel)."""
        raw = self.value("channel").strip().upper()
        if raw in ("", Channel.WEB):
            return Channel.WEB
        if raw == Channel.APP:
            return Channel.APP
        raise ValidationFailed.of([FieldError("channel", "Canal no válido.")])

    def fingerprint(self) -> bytes:
        """What identifies this report for its idempotency key (the files are not part of it:
        a report kept offline is sent again without them)."""
        data = self.case_input()
        return json.dumps(
            [data.operator, data.subcategory, data.service_number, data.description, data.fields],
            sort_keys=True,
            ensure_ascii=False,
        ).encode()

    def _chosen_subcategory(self) -> Subcategory | None:
        code = self.value("subcategory")
        return next((s for s in self.subcategories if s.code == code), None)

    def extra_fields(self):
        return [self[name] for name in self.extra_names]

    def form_field_for(self, error_field: str) -> str | None:
        if error_field == "fields":
            return None
        return super().form_field_for(error_field)

    def case_input(self) -> CaseInput:
        return CaseInput(
            operator=self.value("operator"),
            subcategory=self.value("subcategory"),
            service_number=self.value("service_number"),
            description=self.value("description"),
            fields={name.removeprefix(EXTRA_PREFIX): self.value(name) for name in self.extra_names},
        )


class AttachmentForm(ServiceForm):
    attachments = forms.Field(
        label="Agregar archivos",
        help_text="PDF, JPG o PNG de hasta 10 MB cada uno.",
        required=False,
        widget=MultipleFileInput(attrs={"accept": ACCEPTED_FILES}),
    )

    error_aliases = {"file": "attachments"}
    error_prefixes = ("attachments[",)


class RatingForm(ServiceForm):
    resolved = forms.CharField(
        label="¿La operadora resolvió su problema?",
        widget=forms.RadioSelect(choices=[("si", "Sí"), ("no", "No")]),
    )
    score = forms.CharField(
        label="¿Qué tan satisfecho está con la respuesta?",
        help_text="De 1 (nada satisfecho) a 5 (muy satisfecho).",
        widget=forms.RadioSelect(
            choices=[
                ("1", "1 — Nada satisfecho"),
                ("2", "2 — Poco satisfecho"),
                ("3", "3 — Ni satisfecho ni insatisfecho"),
                ("4", "4 — Satisfecho"),
                ("5", "5 — Muy satisfecho"),
            ]
        ),
    )
    comment = forms.CharField(
        label="Comentario (opcional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 2000}),
    )

    def resolved_value(self) -> bool | None:
        return {"si": True, "no": False}.get(self.value("resolved"))

    def score_value(self) -> int | None:
        value = self.value("score")
        return int(value) if value in {"1", "2", "3", "4", "5"} else None


class ClaimForm(ServiceForm):
    """ "No estoy conforme": the reclamo in one step; the satisfaction score is asked only when
    the non-conformity is also recorded as the rating (the view hides it otherwise)."""

    score = forms.CharField(
        label="¿Qué tan satisfecho está con la respuesta?",
        help_text="De 1 (nada satisfecho) a 5 (muy satisfecho). Queda como su calificación.",
        required=False,
        widget=forms.RadioSelect(choices=RatingForm.base_fields["score"].widget.choices),
    )
    reason = forms.CharField(
        label="¿Por qué reclama?",
        help_text="Cuente qué sigue sin resolverse. La operadora recibe este texto con su reclamo.",
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": 4000}),
    )
    request = forms.CharField(
        label="¿Qué pide a la operadora? (opcional)",
        help_text="Por ejemplo: que acrediten la recarga o devuelvan el cobro. Si lo deja en "
        "blanco, pedimos que se solucione el problema reportado.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 4000}),
    )

    def __init__(self, *args, **kwargs):
        # Its own element ids: the rating form on the same page has a "score" too, and a label
        # must check its own radio, not the other form's.
        kwargs.setdefault("auto_id", "reclamo_%s")
        super().__init__(*args, **kwargs)

    def score_value(self) -> int | None:
        value = self.value("score")
        return int(value) if value in {"1", "2", "3", "4", "5"} else None


class ReassignForm(ServiceForm):
    """The regulator sends a returned case to another operator."""

    operator = forms.CharField(label="Operadora que debe atenderlo", widget=forms.Select())
    note = forms.CharField(
        label="Nota (opcional)",
        help_text="Queda en el historial del caso. Si la deja en blanco, anotamos de qué "
        "operadora a cuál se trasladó.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 4000}),
    )

    def __init__(self, *args, current=None, **kwargs):
        kwargs.setdefault("prefix", "reasignar")
        super().__init__(*args, **kwargs)
        self.fields["operator"].widget.choices = [
            ("", "Elija la operadora"),
            *((o.code, o.name) for o in catalog.active_operators() if o != current),
        ]


class ConfirmReturnForm(ServiceForm):
    """The regulator agrees the case was not the operator's and closes it."""

    note = forms.CharField(
        label="Explicación para el ciudadano",
        help_text="Le enviamos este texto por correo: por qué se cierra el caso y qué puede "
        "hacer (por ejemplo, reportarlo a la operadora que corresponde).",
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": 4000}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "cerrar")
        super().__init__(*args, **kwargs)


class AssistedCaseForm(CaseForm):
    """An orientador registers a case for a citizen attended at an office or on the phone."""

    channel = forms.CharField(
        label="¿Cómo lo atiende?",
        widget=forms.RadioSelect(
            choices=[("PRESENCIAL", "Presencial, en la oficina"), ("TELEFONICO", "Por teléfono")]
        ),
    )
    document_type = forms.CharField(
        label="Tipo de documento",
        widget=forms.Select(
            choices=[
                ("DNI", "DNI"),
                ("CE", "Carné de extranjería"),
                ("RUC", "RUC"),
                ("PASAPORTE", "Pasaporte"),
            ]
        ),
    )
    document_number = forms.CharField(
        label="Número de documento",
        help_text="Si la persona ya tiene cuenta, basta con el documento.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "maxlength": 12}),
    )
    first_name = forms.CharField(
        label="Nombres", required=False, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    last_name = forms.CharField(
        label="Apellidos", required=False, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    email = forms.CharField(
        label="Correo electrónico del ciudadano",
        required=False,
        help_text="Le enviamos la constancia y un enlace para confirmar su correo.",
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    phone = forms.CharField(
        label="Celular del ciudadano",
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "numeric"}),
    )
    consent = forms.BooleanField(
        label="Leí al ciudadano el texto de tratamiento de datos personales y lo aceptó.",
        required=False,
    )

    error_aliases = {"file": "attachments"}
    fields_url_name = "staff:new_case_fields"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["attachments"]
        del self.fields["idempotency_key"]
        self.fields["service_number"].label = "Número de la línea afectada"
        self.fields["service_number"].help_text = "9 dígitos, empieza con 9."
        self.fields["description"].label = "Lo que cuenta el ciudadano"

    def form_field_for(self, error_field: str) -> str | None:
        return super().form_field_for(error_field.removeprefix("citizen."))

    def citizen_input(self):

        return CitizenInput(
            **{
                name: self.value(name)
                for name in (
                    "document_type",
                    "document_number",
                    "first_name",
                    "last_name",
                    "email",
                    "phone",
                )
            }
        )


class TrayFilterForm(ServiceForm):
    """The regulator's tracking-tray filters (GET); parsed by cases.staff_tray."""

    q = forms.CharField(
        label="Código, línea o documento",
        required=False,
        help_text="Coincidencia exacta.",
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    operator = forms.CharField(label="Operadora", required=False, widget=QuickSelect())
    service = forms.CharField(
        label="Servicio",
        required=False,
        widget=QuickSelect(
            choices=[
                ("", "Todos"),
                ("MOVIL", "Telefonía móvil"),
                ("FIJO", "Telefonía fija"),
                ("INTERNET", "Internet"),
                ("TV", "TV de paga"),
            ]
        ),
    )
    subcategory = forms.CharField(label="Problema", required=False, widget=QuickSelect())
    state = forms.CharField(label="Estado", required=False, widget=QuickSelect())
    overdue = forms.CharField(
        label="Vencidos",
        required=False,
        widget=QuickSelect(choices=[("", "Todos"), ("si", "Solo vencidos"), ("no", "Sin vencer")]),
    )
    claim_code_late = forms.CharField(
        label="Código de reclamo",
        required=False,
        widget=QuickSelect(
            choices=[("", "Todos"), ("si", "Asignado tarde o vencido"), ("no", "A tiempo")]
        ),
    )
    channel = forms.CharField(label="Canal", required=False, widget=QuickSelect())
    office = forms.CharField(label="Oficina", required=False, widget=QuickSelect())
    registered_from = ParsedDateField(label="Registrado desde", required=False)
    registered_to = ParsedDateField(label="Registrado hasta", required=False)
    sort = forms.CharField(
        label="Orden",
        required=False,
        widget=QuickSelect(
            choices=[("recientes", "Más recientes primero"), ("vence", "Vencen primero")]
        ),
    )

    def __init__(self, *args, **kwargs):

        super().__init__(*args, **kwargs)
        self.fields["operator"].widget.choices = [
            ("", "Todas"),
            *((o.code, o.name) for o in catalog.active_operators()),
        ]
        subs = list(catalog.active_subcategories().prefetch_related(None))  # no fields
        self.fields["subcategory"].widget.choices = [("", "Todos"), *subcategory_choices(subs)[1:]]
        self.fields["state"].widget.choices = [("", "Todos"), *State.choices]
        self.fields["channel"].widget.choices = [("", "Todos"), *Channel.choices]
        self.fields["office"].widget.choices = [
            ("", "Todas"),
            *((o.code, o.name) for o in Office.objects.filter(active=True)),
        ]


class SaveTrayViewForm(ServiceForm):
    name = forms.CharField(
        label="Guardar estos filtros como",
        help_text="Por ejemplo «vencidos de hoy». Con el mismo nombre, se reemplaza.",
        widget=forms.TextInput(attrs={"maxlength": 80}),
    )

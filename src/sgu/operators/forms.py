"""The operator organisation's own forms: webhook, API keys, staff and invitations."""

from datetime import date

from django import forms

from sgu.core.errors import FieldError, ValidationFailed
from sgu.core.forms import ParsedDateField, ServiceForm
from sgu.operators.services import InfoItemInput


class WebhookForm(ServiceForm):
    url = forms.CharField(
        label="Dirección HTTPS",
        required=True,
        max_length=500,
        widget=forms.URLInput(attrs={"autocomplete": "off"}),
        help_text="Recibirá un POST con {event, occurred_at, data} por cada evento.",
    )
    secret = forms.CharField(
        label="Secreto para firmar",
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="Al menos 16 caracteres. Déjelo en blanco para conservar el actual (o para "
        "que generemos uno la primera vez). Firmamos cada cuerpo con HMAC-SHA256 en la "
        "cabecera X-SGU-Signature.",
    )
    active = forms.BooleanField(label="Enviar eventos", required=False, initial=True)


class ApiKeyForm(ServiceForm):
    name = forms.CharField(
        label="Nombre de la clave",
        required=True,
        max_length=100,
        help_text="Para reconocerla después, por ejemplo «CRM producción».",
    )


STAFF_ROLE_CHOICES = [
    ("OPERATOR_AGENT", "Agente: atiende la bandeja y los reclamos"),
    ("OPERATOR_ADMIN", "Administrador: además gestiona el personal, las claves y el webhook"),
]


class InviteForm(ServiceForm):
    email = forms.CharField(
        label="Correo electrónico",
        required=True,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        help_text="Le enviaremos un enlace para crear su cuenta, válido por 72 horas.",
    )
    role = forms.ChoiceField(
        label="Rol",
        required=True,
        choices=STAFF_ROLE_CHOICES,
        initial="OPERATOR_AGENT",
        widget=forms.RadioSelect,
    )


class AcceptInvitationForm(ServiceForm):
    first_name = forms.CharField(
        label="Nombres",
        required=True,
        widget=forms.TextInput(attrs={"maxlength": 150, "autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label="Apellidos",
        required=True,
        widget=forms.TextInput(attrs={"maxlength": 150, "autocomplete": "family-name"}),
    )
    password = forms.CharField(
        label="Contraseña",
        required=True,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="Al menos 8 caracteres; que no sea común, ni solo números, ni parecida a su "
        "nombre o correo.",
    )
    password2 = forms.CharField(
        label="Repita la contraseña",
        required=True,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class InfoListForm(ServiceForm):
    """A whole list, one item per line («Nombre | detalle»), replaced as a new version."""

    items = forms.CharField(
        label="Elementos, uno por línea",
        required=True,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="Escriba cada elemento en su línea; si quiere, agregue un detalle después de "
        "una barra: «Max 69.90 | Internet ilimitado, 30 GB 4G». La lista reemplaza a la "
        "vigente; la anterior se conserva en el historial.",
    )
    valid_from = ParsedDateField(
        label="Vigente desde",
        required=False,
        help_text="Por defecto, hoy. No puede ser una fecha pasada.",
    )
    valid_to = ParsedDateField(
        label="Vigente hasta (opcional)",
        required=False,
        help_text="Último día de vigencia. En blanco: hasta que la reemplace.",
    )

    error_prefixes = ("items[",)

    def __init__(self, *args, kind: str = "", **kwargs):
        kwargs.setdefault("prefix", kind.lower() or None)
        super().__init__(*args, **kwargs)

    def item_inputs(self) -> list:
        rows = []
        for line in self.value("items").splitlines():
            if not line.strip():
                continue
            name, _, detail = line.partition("|")
            rows.append(InfoItemInput(name=name.strip(), detail=detail.strip()))
        return rows

    def day(self, name: str):
        """The typed date, or None when blank; a malformed one is refused like the API does."""
        raw = self.value(name).strip()
        if not raw:
            return None
        try:
            return date.fromisoformat(raw) if len(raw) == 10 else date.fromisoformat("x")
        except ValueError:
            raise ValidationFailed.of(
                [FieldError(name, "Debe ser una fecha AAAA-MM-DD.")]
            ) from None


class FreshnessForm(ServiceForm):
    stale_days = forms.CharField(
        label="Desactualizada si no se reemplazó en (días)",
        required=False,
        widget=forms.NumberInput(attrs={"min": 1, "max": 3650, "inputmode": "numeric"}),
    )

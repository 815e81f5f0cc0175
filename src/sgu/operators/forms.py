"""The operator organisation's own forms: webhook, API keys, staff and invitations."""

from django import forms

from sgu.core.forms import ServiceForm


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

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from sgu.accounts import services
from sgu.accounts.models import CorrectionRequest
from sgu.accounts.services import CONSENT_TEXT
from sgu.core.forms import ServiceForm
from sgu.core.identity import DocumentType
from sgu.core.ratelimit import RateLimited, client_ip


class RegisterForm(ServiceForm):
    document_type = forms.CharField(
        label="Tipo de documento",
        widget=forms.Select(choices=[("", "Elija el tipo"), *DocumentType.choices]),
    )
    document_number = forms.CharField(
        label="Número de documento",
        help_text="DNI: 8 dígitos. Carné de extranjería o pasaporte: hasta 12 letras o dígitos.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    first_name = forms.CharField(
        label="Nombres", widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        label="Apellidos", widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    email = forms.CharField(
        label="Correo electrónico",
        help_text="Le enviaremos un enlace para confirmarlo. Por este correo recibirá las "
        "respuestas de las operadoras.",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    phone = forms.CharField(
        label="Celular",
        help_text="9 dígitos, empieza con 9.",
        widget=forms.TextInput(
            attrs={"type": "tel", "inputmode": "numeric", "autocomplete": "tel-national"}
        ),
    )
    password = forms.CharField(
        label="Contraseña",
        help_text="Al menos 8 caracteres; que no sea solo números ni se parezca a sus datos.",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_confirmation = forms.CharField(
        label="Repita la contraseña",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    consent = forms.BooleanField(label="Acepto el tratamiento de mis datos personales")

    consent_text = CONSENT_TEXT

    def service_kwargs(self) -> dict:
        return {
            "document_type": self.value("document_type"),
            "document_number": self.value("document_number"),
            "first_name": self.value("first_name"),
            "last_name": self.value("last_name"),
            "email": self.value("email"),
            "phone": self.value("phone"),
            "password": self.data.get("password", ""),
            "password_confirmation": self.data.get("password_confirmation", ""),
            "consent": self.data.get("consent") in ("on", "true", "1"),
            "consent_channel": "WEB",
        }


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "Correo o contraseña incorrectos. Revíselos e intente de nuevo.",
        "inactive": "Esta cuenta está desactivada.",
    }

    def __init__(self, request=None, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(request, *args, **kwargs)
        username = self.fields["username"]
        username.label = "Correo electrónico"
        username.widget = forms.EmailInput(
            attrs={"autocomplete": "email", "autofocus": True, "spellcheck": "false"}
        )
        username.error_messages["required"] = "Ingrese su correo electrónico."
        password = self.fields["password"]
        password.label = "Contraseña"
        password.error_messages["required"] = "Ingrese su contraseña."

    def clean_username(self) -> str:
        # Accounts are stored with the email in lower case.
        return (self.cleaned_data.get("username") or "").strip().lower()

    def clean(self):

        email = self.cleaned_data.get("username") or ""
        ip = client_ip(self.request) if self.request is not None else None
        self.locked = False
        if email and self.cleaned_data.get("password"):
            try:
                services.check_login_allowed(email=email, ip=ip)
            except RateLimited as exc:
                self.locked = True
                raise forms.ValidationError(exc.detail, code="locked") from None
        try:
            return super().clean()
        except forms.ValidationError:
            if email and self.cleaned_data.get("password"):
                services.login_failed(email=email, ip=ip, request=self.request)
            raise

    def error_summary(self) -> list[tuple[str | None, str]]:
        items: list[tuple[str | None, str]] = [(None, str(m)) for m in self.non_field_errors()]
        for bound in self:
            items.extend((f"#{bound.auto_id}", str(m)) for m in bound.errors)
        return items


class ConfirmForm(ServiceForm):
    token = forms.CharField(
        label="Código de confirmación",
        help_text="Cópielo del correo que le enviamos (también puede pegar el enlace completo).",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def token_value(self) -> str:
        # A pasted link works too: the token is its last path segment.
        raw = self.value("token").strip()
        return raw.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]


class SecondFactorForm(ServiceForm):
    code = forms.CharField(
        label="Código de verificación",
        help_text="Los 6 dígitos que muestra ahora su aplicación de autenticación, o uno de sus "
        "códigos de recuperación (por ejemplo ABCD-EFGH-JKLM).",
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autofocus": True,
                "spellcheck": "false",
                "autocapitalize": "characters",
            }
        ),
    )


class TotpCodeForm(ServiceForm):
    code = forms.CharField(
        label="Código de 6 dígitos",
        help_text="El que muestra ahora su aplicación para «SGU».",
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9 ]*",
                "spellcheck": "false",
            }
        ),
    )


class PasswordResetRequestForm(ServiceForm):
    email = forms.CharField(
        label="Correo electrónico",
        help_text="El correo con el que ingresa al SGU.",
        widget=forms.EmailInput(
            attrs={"autocomplete": "email", "autofocus": True, "spellcheck": "false"}
        ),
    )


class SetPasswordForm(ServiceForm):
    password = forms.CharField(
        label="Nueva contraseña",
        help_text="Al menos 8 caracteres; que no sea solo números ni se parezca a sus datos.",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_confirmation = forms.CharField(
        label="Repita la nueva contraseña",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class CorrectionForm(ServiceForm):
    field = forms.CharField(label="Dato que desea corregir")
    requested_value = forms.CharField(
        label="Valor correcto",
        help_text="Escríbalo como debe quedar.",
        widget=forms.TextInput(attrs={"maxlength": 300}),
    )
    note = forms.CharField(
        required=False,
        label="Comentario (opcional)",
        help_text="Por ejemplo, en qué caso aparece el dato o cómo podemos comprobarlo.",
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 2000}),
    )

    def __init__(self, *args, **kwargs):

        super().__init__(*args, **kwargs)
        self.fields["field"].widget = forms.Select(
            choices=[("", "Elija el dato"), *CorrectionRequest.Field.choices],
            attrs={"required": True, "aria-required": "true"},
        )

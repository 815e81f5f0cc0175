"""Citizen accounts on the web: register, confirm the email, log in and out."""

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView, LogoutView
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from sgu.accounts import selectors, services, totp
from sgu.accounts.decorators import citizen_required, regulator_staff_required
from sgu.accounts.forms import (
    CorrectionForm,
    LoginForm,
    PasswordResetRequestForm,
    RegisterForm,
    SecondFactorForm,
    SetPasswordForm,
    TotpCodeForm,
)
from sgu.accounts.middleware import (
    forget_verification,
    is_verified,
    mark_verified,
    pending_step,
)
from sgu.core.errors import Conflict, DomainError, NotFound
from sgu.core.ratelimit import RateLimited, client_ip
from sgu.core.web import posted, safe_next


def landing_url(user) -> str:
    """Where a person starts after logging in."""
    if user.is_citizen:
        return reverse("cases:list")
    if user.is_operator_staff:
        return reverse("operators:tray")
    if user.is_regulator_staff:
        return reverse("staff:home")
    if user.is_provider_staff:
        return reverse("provider:register")
    if user.is_staff:
        return reverse("admin:index")
    return reverse("home")


@sensitive_post_parameters("password", "password_confirmation")
def register(request):
    if request.user.is_authenticated:
        return redirect(landing_url(request.user))
    if request.method != "POST":
        return render(
            request, "accounts/register.html", {"form": RegisterForm(), "nav": "register"}
        )
    form = RegisterForm(request.POST)
    try:
        user = services.register_citizen(**form.service_kwargs())
    except DomainError as exc:
        form.apply_errors(exc)
        return render(
            request, "accounts/register.html", {"form": form, "nav": "register"}, status=422
        )
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return redirect("accounts:register_done")


@login_required
def register_done(request):
    return render(request, "accounts/register_done.html")


@require_POST
@login_required
def resend(request):
    try:
        services.resend_confirmation(user=request.user)
    except Conflict as exc:
        messages.info(request, exc.detail)
    else:
        messages.success(
            request,
            f"Le enviamos un nuevo enlace de confirmación a {request.user.email}. "
            "Revise también la carpeta de correo no deseado.",
        )
    return redirect(safe_next(request, request.POST.get("next"), reverse("cases:list")))


class SguLoginView(LoginView):
    template_name = "accounts/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True
    extra_context = {"nav": "login"}

    def get_default_redirect_url(self) -> str:
        return landing_url(self.request.user)

    def form_valid(self, form):
        response = super().form_valid(form)
        # A password alone never carries over a verification from an earlier login.
        forget_verification(self.request)
        services.login_succeeded(user=form.get_user(), request=self.request)
        step = pending_step(self.request)
        if step is not None:
            return redirect(f"{reverse(step)}?{urlencode({'next': response['Location']})}")
        return response

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if getattr(form, "locked", False):
            response.status_code = 429
        return response


login_view = SguLoginView.as_view()
logout_view = LogoutView.as_view(next_page="home")


# --- two-factor authentication -------------------------------------------------------------


def _next(request, user) -> str:
    return safe_next(
        request, request.POST.get("next") or request.GET.get("next"), landing_url(user)
    )


def _refused(request, template: str, context: dict, form, exc: DomainError):
    form.apply_errors(exc)
    status = 429 if isinstance(exc, RateLimited) else 422
    return render(request, template, {**context, "form": form}, status=status)


@never_cache
@sensitive_post_parameters("code")
@login_required
def second_factor(request):
    """The code after the password: the app's 6 digits, or a recovery code."""
    user = request.user
    target = _next(request, user)
    if services.confirmed_device(user) is None:
        if services.second_factor_required(user):
            return redirect(
                f"{reverse('accounts:second_factor_setup')}?{urlencode({'next': target})}"
            )
        return redirect(target)
    if is_verified(request):
        return redirect(target)
    form = SecondFactorForm(posted(request))
    context = {"next": target, "nav": "login"}
    if request.method == "POST":
        try:
            used = services.verify_second_factor(
                user=user, code=form.value("code"), ip=client_ip(request), request=request
            )
        except DomainError as exc:
            return _refused(request, "accounts/second_factor.html", context, form, exc)
        mark_verified(request)
        if used == "recovery":
            left = services.remaining_recovery_codes(user)
            messages.warning(
                request,
                f"Ingresó con un código de recuperación; le quedan {left}. Si perdió su "
                "teléfono, configure la aplicación otra vez o genere códigos nuevos en "
                "«Seguridad de la cuenta».",
            )
        return redirect(target)
    return render(request, "accounts/second_factor.html", {**context, "form": form})


@never_cache
@sensitive_post_parameters("code")
@login_required
def second_factor_setup(request):
    """Set up the authenticator app: QR code (and the secret as text), then one code."""

    user = request.user
    target = _next(request, user)
    if services.confirmed_device(user) is not None:
        # Replacing an active device needs the second factor first.
        if is_verified(request):
            return redirect("accounts:security")
        return redirect(f"{reverse('accounts:second_factor')}?{urlencode({'next': target})}")
    device = services.start_two_factor_setup(user=user)
    form = TotpCodeForm(posted(request))
    context = {
        "next": target,
        "qr": totp.qr_svg(totp.provisioning_uri(device.secret, user.email)),
        "secret": totp.grouped(device.secret),
        "required": services.second_factor_required(user),
    }
    if request.method == "POST":
        try:
            codes = services.confirm_two_factor(
                user=user, code=form.value("code"), ip=client_ip(request), request=request
            )
        except DomainError as exc:
            return _refused(request, "accounts/second_factor_setup.html", context, form, exc)
        mark_verified(request)
        return render(
            request,
            "accounts/recovery_codes.html",
            {"codes": codes, "next": target, "enrolled": True},
        )
    return render(request, "accounts/second_factor_setup.html", {**context, "form": form})


@never_cache
@sensitive_post_parameters("code")
@login_required
def security(request):
    """Seguridad de la cuenta: the state of the second factor, new recovery codes, and (for
    citizens, for whom it is optional) turning it off."""
    user = request.user
    action = request.POST.get("action") if request.method == "POST" else None
    forms_ = {
        "regenerate": TotpCodeForm(prefix="regenerate"),
        "disable": TotpCodeForm(prefix="disable"),
    }
    if action in forms_:
        form = forms_[action] = TotpCodeForm(request.POST, prefix=action)
        try:
            if action == "regenerate":
                codes = services.regenerate_recovery_codes(
                    user=user, code=form.value("code"), ip=client_ip(request), request=request
                )
                return render(
                    request,
                    "accounts/recovery_codes.html",
                    {"codes": codes, "next": reverse("accounts:security")},
                )
            services.disable_two_factor(
                user=user, code=form.value("code"), ip=client_ip(request), request=request
            )
            messages.success(request, "Desactivó la verificación en dos pasos.")
            return redirect("accounts:security")
        except DomainError as exc:
            form.apply_errors(exc)
            context = _security_context(user, forms_)
            if not exc.errors:
                context["error"] = exc.detail
            status = 429 if isinstance(exc, RateLimited) else 422
            return render(request, "accounts/security.html", context, status=status)
    return render(request, "accounts/security.html", _security_context(user, forms_))


def _security_context(user, forms_) -> dict:
    device = services.confirmed_device(user)
    return {
        "device": device,
        "required": services.second_factor_required(user),
        "remaining": services.remaining_recovery_codes(user) if device else 0,
        "regenerate_form": forms_["regenerate"],
        "disable_form": forms_["disable"],
        "nav": "account",
    }


# --- password reset by email --------------------------------------------------------------


def password_reset(request):
    form = PasswordResetRequestForm(posted(request))
    if request.method == "POST":
        try:
            services.request_password_reset(
                email=form.value("email"), ip=client_ip(request), request=request
            )
        except DomainError as exc:
            form.apply_errors(exc)
            return render(request, "accounts/password_reset.html", {"form": form}, status=422)
        # The same answer whether the address has an account or not.
        return redirect("accounts:password_reset_sent")
    return render(request, "accounts/password_reset.html", {"form": form, "nav": "login"})


def password_reset_sent(request):
    return render(request, "accounts/password_reset_sent.html", {"nav": "login"})


@sensitive_post_parameters("password", "password_confirmation")
def password_reset_confirm(request, uidb64: str, token: str):
    if services.password_reset_user(uidb64, token) is None:
        return render(
            request,
            "accounts/password_reset_confirm.html",
            {"invalid": services.INVALID_RESET_LINK},
            status=400,
        )
    form = SetPasswordForm(posted(request))
    if request.method == "POST":
        try:
            services.reset_password(
                uidb64=uidb64,
                token=token,
                password=request.POST.get("password", ""),
                password_confirmation=request.POST.get("password_confirmation", ""),
                request=request,
            )
        except DomainError as exc:
            form.apply_errors(exc)
            return render(
                request, "accounts/password_reset_confirm.html", {"form": form}, status=422
            )
        if request.user.is_authenticated:
            logout(request)
        messages.success(
            request,
            "Listo: cambió su contraseña. Ingrese con la nueva. Cerramos las demás sesiones "
            "abiertas de su cuenta.",
        )
        return redirect("accounts:login")
    return render(request, "accounts/password_reset_confirm.html", {"form": form})


# --- personal data --------------------------------------------------------------------------


@citizen_required
def my_data(request):
    form = CorrectionForm(posted(request))
    if request.method == "POST":
        try:
            correction = services.request_correction(
                user=request.user,
                field=form.value("field"),
                requested_value=form.value("requested_value"),
                note=form.value("note"),
                request=request,
            )
        except DomainError as exc:
            form.apply_errors(exc)
            return render(
                request, "accounts/my_data.html", {"form": form, "nav": "account"}, status=422
            )
        messages.success(
            request,
            f"Registramos su solicitud de corrección de «{correction.get_field_display()}». "
            f"Le enviamos la constancia a {request.user.email}.",
        )
        return redirect("accounts:my_data")
    corrections = request.user.corrections.order_by("-created_at", "-id")
    return render(
        request,
        "accounts/my_data.html",
        {"form": form, "corrections": corrections, "nav": "account"},
    )


@regulator_staff_required
def corrections(request):
    """Regulator staff: the citizens' requests to correct their data."""

    if request.method == "POST":
        try:
            services.handle_correction(
                correction_id=int(request.POST.get("id") or 0),
                by=request.user,
                status=request.POST.get("status", ""),
                response=request.POST.get("response", ""),
            )
        except (DomainError, ValueError) as exc:
            if isinstance(exc, NotFound):
                raise Http404(exc.detail) from None
            messages.error(request, getattr(exc, "detail", "Datos no válidos."))
        else:
            messages.success(request, "Registramos lo que se hizo con la solicitud.")
        return redirect("accounts:corrections")
    return render(
        request,
        "accounts/corrections.html",
        {
            "pending": selectors.correction_requests(pending=True)[:200],
            "handled": selectors.correction_requests(pending=False)[:50],
            "nav": "corrections",
        },
    )

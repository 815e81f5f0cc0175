"""Citizen accounts on the web: register, confirm the email, log in and out."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView, LogoutView
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from sgu.accounts import services
from sgu.accounts.forms import ConfirmForm, LoginForm, RegisterForm
from sgu.core.errors import Conflict, DomainError
from sgu.core.web import safe_next


def landing_url(user) -> str:
    """Where a person starts after logging in."""
    if user.is_citizen:
        return reverse("cases:list")
    if user.is_operator_staff:
        return reverse("operators:tray")
    if user.is_regulator_staff:
        return reverse("staff:home")
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


def _confirmed(request, user):
    messages.success(
        request,
        f"¡Listo! Confirmamos su correo {user.email}. Sus casos ya se envían a la operadora.",
    )
    if request.user.is_authenticated and request.user.pk == user.pk:
        return redirect("cases:list")
    return redirect("accounts:login")


def confirm(request, token: str):
    """GET only shows a button: mail scanners that open links must not use up the token."""
    if request.method == "POST":
        try:
            user = services.confirm_email(token=token)
        except DomainError as exc:
            return render(
                request,
                "accounts/confirm.html",
                {"error": exc.detail, "form": ConfirmForm()},
                status=400,
            )
        return _confirmed(request, user)
    return render(request, "accounts/confirm.html", {"token": token})


def confirm_manual(request):
    form = ConfirmForm(request.POST or None)
    if request.method == "POST":
        try:
            user = services.confirm_email(token=form.token_value())
        except DomainError as exc:
            form.apply_errors(exc)
            return render(request, "accounts/confirm_manual.html", {"form": form}, status=422)
        return _confirmed(request, user)
    return render(request, "accounts/confirm_manual.html", {"form": form})


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
        services.login_succeeded(user=form.get_user(), request=self.request)
        return response

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if getattr(form, "locked", False):
            response.status_code = 429
        return response


login_view = SguLoginView.as_view()
logout_view = LogoutView.as_view(next_page="home")

"""The operator administrator's pages: the webhook endpoint and its deliveries."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sgu.accounts import selectors as account_selectors
from sgu.accounts import services as accounts
from sgu.accounts.decorators import operator_admin_required, regulator_staff_required
from sgu.catalog.models import OperatorInfoKind
from sgu.core.errors import DomainError
from sgu.core.principal import Actor, Principal
from sgu.core.web import confirmation_page, confirmed, or_404
from sgu.operators import selectors, services
from sgu.operators.forms import (
    STAFF_ROLE_CHOICES,
    AcceptInvitationForm,
    ApiKeyForm,
    FreshnessForm,
    InfoListForm,
    InviteForm,
    WebhookForm,
)
from sgu.operators.models import StaffDuty


@operator_admin_required
@require_http_methods(["GET", "POST"])
def webhook(request):
    operator = request.user.operator
    endpoint = selectors.webhook_of(operator)
    status = 200
    new_secret = None
    if request.method == "POST":
        form = WebhookForm(request.POST)
        try:
            _, new_secret = services.configure_webhook(
                operator=operator,
                url=form.value("url"),
                secret=form.value("secret"),
                active=bool(request.POST.get("active")),
                by=request.user,
            )
        except DomainError as exc:
            form.apply_errors(exc)
            status = 422
        else:
            if new_secret is None:
                messages.success(request, "Guardamos la configuración del webhook.")
                return redirect("operators:webhook")
            messages.success(
                request, "Guardamos la configuración. Copie el secreto: no lo volveremos a mostrar."
            )
            endpoint = selectors.webhook_of(operator)
    else:
        initial = {"url": endpoint.url, "active": endpoint.active} if endpoint else {}
        form = WebhookForm(initial=initial)
    return render(
        request,
        "operators/webhook.html",
        {
            "form": form,
            "endpoint": endpoint,
            "new_secret": new_secret,
            "deliveries": selectors.deliveries(operator),
            "nav": "webhook",
        },
        status=status,
    )


@operator_admin_required
def webhook_delivery(request, delivery_id: int):
    delivery = or_404(selectors.delivery, request.user.operator, delivery_id)
    return render(
        request, "operators/webhook_delivery.html", {"delivery": delivery, "nav": "webhook"}
    )


@operator_admin_required
@require_POST
def webhook_redeliver(request, delivery_id: int):
    try:
        copy = services.redeliver(
            operator=request.user.operator, delivery_id=delivery_id, by=request.user
        )
    except DomainError as exc:
        raise Http404(exc.detail) from None
    messages.success(request, "Reenviamos el evento; verá el resultado en unos segundos.")
    return redirect("operators:webhook_delivery", delivery_id=copy.pk)


# --- API keys ------------------------------------------------------------------------------


@operator_admin_required
@require_http_methods(["GET", "POST"])
def api_keys(request):

    operator = request.user.operator
    form = ApiKeyForm(request.POST if request.method == "POST" else None)
    new_key = None
    status = 200
    if request.method == "POST":
        try:
            new_key, _ = accounts.create_operator_key(
                operator=operator, name=form.value("name"), created_by=request.user
            )
        except DomainError as exc:
            form.apply_errors(exc)
            status = 422
        else:
            form = ApiKeyForm()
    response = render(
        request,
        "operators/api_keys.html",
        {
            "form": form,
            "new_key": new_key,
            "keys": account_selectors.operator_keys(operator),
            "nav": "keys",
        },
        status=status,
    )
    response["Cache-Control"] = "no-store"  # the new key is on this page once
    return response


@operator_admin_required
@require_POST
def revoke_api_key(request, key_id: int):

    if not confirmed(request):
        key = _one(account_selectors.operator_keys(request.user.operator), key_id)
        if key.revoked_at:
            return redirect("operators:api_keys")
        return confirmation_page(
            request,
            title=f"¿Revocar la clave «{key.name}»?",
            consequence=f"La clave que empieza con {key.prefix}… dejará de funcionar de "
            "inmediato: los sistemas de su empresa que la usen recibirán 401 hasta que "
            "configuren otra. No se puede deshacer.",
            button="Sí, revocar la clave",
            cancel_url=reverse("operators:api_keys"),
        )
    key = or_404(
        accounts.revoke_operator_key_of,
        operator=request.user.operator,
        key_id=key_id,
        by=request.user,
        request=request,
    )
    messages.success(request, f"Revocó la clave «{key.name}». Deja de funcionar de inmediato.")
    return redirect("operators:api_keys")


def _one(rows, pk: int):
    """The row with this id among the operator's own (else 404: never another's)."""
    for row in rows:
        if row.pk == pk:
            return row
    raise Http404


# --- the operator's staff ------------------------------------------------------------------------


def _staff_page(request, form, *, status: int = 200):

    operator = request.user.operator
    members = selectors.staff(operator)
    _attach_duties(operator, members)
    response = render(
        request,
        "operators/staff.html",
        {
            "form": form,
            "members": members,
            "active_admins": sum(1 for m in members if m.is_active and m.is_operator_admin),
            "invitations": selectors.pending_invitations(operator),
            "role_choices": [(value, label.split(":")[0]) for value, label in STAFF_ROLE_CHOICES],
            "nav": "staff",
        },
        status=status,
    )
    response["Cache-Control"] = "no-store"
    return response


def _attach_duties(operator, members) -> None:
    """Per member: each duty with whether they hold it (the template only ticks boxes)."""

    held = selectors.duties_by_member(operator)
    for m in members:
        m.duty_rows = [
            {"value": value, "label": label, "held": value in held.get(m.pk, set())}
            for value, label in StaffDuty.choices
        ]


@operator_admin_required
@require_POST
def staff_duties(request, user_id: int):
    member = _staff_action(
        request, services.set_staff_duties, user_id=user_id, duties=request.POST.getlist("duty")
    )
    if member is not None:
        messages.success(
            request, f"Actualizó las funciones de {member.get_full_name() or member.email}."
        )
    return redirect("operators:staff")


@operator_admin_required
@require_http_methods(["GET", "POST"])
def staff(request):

    if request.method == "GET":
        return _staff_page(request, InviteForm())
    form = InviteForm(request.POST)
    try:
        invitation = services.invite_staff(
            operator=request.user.operator,
            email=form.value("email"),
            role=form.value("role"),
            by=request.user,
            request=request,
        )
    except DomainError as exc:
        form.apply_errors(exc)
        return _staff_page(request, form, status=422)
    messages.success(
        request,
        f"Enviamos la invitación a {invitation.email}. El enlace vale 72 horas y sirve una vez.",
    )
    return redirect("operators:staff")


def _staff_action(request, fn, **kwargs):
    try:
        member = fn(operator=request.user.operator, by=request.user, request=request, **kwargs)
    except DomainError as exc:
        if exc.status == 404:
            raise Http404(exc.detail) from None
        messages.error(request, exc.detail)
        return None
    return member


@operator_admin_required
@require_POST
def staff_role(request, user_id: int):
    member = _staff_action(
        request, services.change_staff_role, user_id=user_id, role=request.POST.get("role", "")
    )
    if member is not None:
        label = services.ROLE_LABELS[member.role].lower()
        messages.success(request, f"{member.get_full_name() or member.email} ahora es {label}.")
    return redirect("operators:staff")


@operator_admin_required
@require_POST
def staff_deactivate(request, user_id: int):
    if not confirmed(request):
        member = _one(selectors.staff(request.user.operator), user_id)
        name = member.get_full_name() or member.email
        yourself = member.pk == request.user.pk
        return confirmation_page(
            request,
            title="¿Desactivar su propia cuenta?" if yourself else f"¿Desactivar a {name}?",
            consequence=(
                "Saldrá ahora y no podrá volver a ingresar hasta que otro administrador la "
                "reactive."
                if yourself
                else f"{name} ({member.email}) no podrá ingresar y sus sesiones abiertas "
                "dejarán de funcionar de inmediato. Un administrador puede reactivarla después."
            ),
            button="Sí, desactivar la cuenta",
            cancel_url=reverse("operators:staff"),
        )
    member = _staff_action(request, services.set_staff_active, user_id=user_id, active=False)
    if member is not None:
        messages.success(
            request,
            f"Desactivó la cuenta de {member.get_full_name() or member.email}: ya no puede "
            "ingresar y sus sesiones abiertas dejaron de funcionar.",
        )
    if member is not None and member.pk == request.user.pk:
        return redirect("home")
    return redirect("operators:staff")


@operator_admin_required
@require_POST
def staff_reactivate(request, user_id: int):
    member = _staff_action(request, services.set_staff_active, user_id=user_id, active=True)
    if member is not None:
        messages.success(
            request, f"Reactivó la cuenta de {member.get_full_name() or member.email}."
        )
    return redirect("operators:staff")


@operator_admin_required
@require_POST
def cancel_invitation(request, invitation_id: int):
    if not confirmed(request):
        invitation = _one(selectors.pending_invitations(request.user.operator), invitation_id)
        return confirmation_page(
            request,
            title=f"¿Anular la invitación a {invitation.email}?",
            consequence="El enlace que le enviamos dejará de servir. Si cambia de idea, tendrá "
            "que enviarle una invitación nueva.",
            button="Sí, anular la invitación",
            cancel_url=reverse("operators:staff"),
        )
    invitation = or_404(
        services.cancel_invitation,
        operator=request.user.operator,
        invitation_id=invitation_id,
        by=request.user,
        request=request,
    )
    messages.success(request, f"Anuló la invitación a {invitation.email}.")
    return redirect("operators:staff")


@require_http_methods(["GET", "POST"])
def accept_invitation(request, token: str):
    """The invitee's page (no account yet): names and password, then sign in (where the
    second factor is set up)."""

    def page(context: dict, status: int = 200):
        response = render(request, "operators/invitation.html", context, status=status)
        response["Cache-Control"] = "no-store"
        # The token is in this page's address: the site-wide "same-origin" policy keeps it from
        # other sites ("no-referrer" would make browsers send `Origin: null` with the form,
        # which Django's CSRF check refuses).
        return response

    if request.user.is_authenticated:
        return page(
            {
                "refused": "Cierre su sesión antes de aceptar una invitación: la cuenta nueva "
                "es para la persona invitada."
            },
            status=403,
        )
    try:
        invitation = services.pending_invitation(token)
    except DomainError as exc:
        return page({"refused": exc.detail}, status=exc.status)
    form = AcceptInvitationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        try:
            user = services.accept_invitation(
                token=token,
                first_name=form.value("first_name"),
                last_name=form.value("last_name"),
                password=form.value("password"),
                password2=form.value("password2"),
                request=request,
            )
        except DomainError as exc:
            if exc.status in (404, 410):
                return page({"refused": exc.detail}, status=exc.status)
            form.apply_errors(exc)
            return page({"form": form, "invitation": invitation}, status=422)
        messages.success(
            request,
            f"Creamos su cuenta en {invitation.operator.name}. Ingrese con {user.email} y su "
            "contraseña.",
        )
        return redirect("accounts:login")
    return page({"form": form, "invitation": invitation})


# --- the operator's information for the citizen's form -----------------------------------------


def _info_page(request, forms_by_kind: dict, status: int = 200):
    operator = request.user.operator
    current = selectors.current_lists(operator)
    lists = [
        {
            "kind": kind,
            "label": label,
            "current": current[kind],
            "form": forms_by_kind.get(kind) or InfoListForm(kind=kind),
            "history": selectors.info_versions(operator, kind, limit=10),
        }
        for kind, label in OperatorInfoKind.choices
    ]
    return render(
        request,
        "operators/information.html",
        {"lists": lists, "nav": "information"},
        status=status,
    )


@operator_admin_required
@require_GET
def information(request):
    return _info_page(request, {})


@operator_admin_required
@require_POST
def replace_information(request, kind: str):
    if kind not in OperatorInfoKind.values:
        raise Http404("No existe esa lista.")
    form = InfoListForm(request.POST, kind=kind)
    try:
        row = services.replace_info(
            operator=request.user.operator,
            kind=kind,
            items=form.item_inputs(),
            valid_from=form.day("valid_from"),
            valid_to=form.day("valid_to"),
            by=Principal(
                actor_role=Actor.OPERATOR, user=request.user, operator=request.user.operator
            ),
        )
    except DomainError as exc:
        form.apply_errors(exc)
        return _info_page(request, {kind: form}, status=422)
    messages.success(
        request,
        f"Guardamos la versión {row.version} de sus {row.kind_label}, vigente desde el "
        f"{row.valid_from:%d/%m/%Y}.",
    )
    return redirect(reverse("operators:information") + f"#lista-{kind.lower()}")


@regulator_staff_required
@require_GET
def information_freshness(request):
    form = FreshnessForm(request.GET or None)
    status = 200
    try:
        days = selectors.checked_stale_days(form.value("stale_days") if form.is_bound else None)
    except DomainError as exc:
        form.apply_errors(exc)
        days, status = selectors.stale_days_default(), 422
    rows = selectors.info_freshness(timezone.now(), days)
    return render(
        request,
        "operators/information_freshness.html",
        {
            "form": form,
            "rows": rows,
            "days": days,
            "stale_count": sum(1 for r in rows if r.stale),
            "nav": "operator_info",
        },
        status=status,
    )

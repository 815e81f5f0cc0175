"""The operator administrator's pages: the webhook endpoint and its deliveries."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from sgu.accounts.decorators import operator_admin_required
from sgu.core.errors import DomainError
from sgu.core.web import or_404
from sgu.operators import selectors, services
from sgu.operators.forms import WebhookForm


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
        from django.http import Http404

        raise Http404(exc.detail) from None
    messages.success(request, "Reenviamos el evento; verá el resultado en unos segundos.")
    return redirect("operators:webhook_delivery", delivery_id=copy.pk)


# --- API keys ------------------------------------------------------------------------------


@operator_admin_required
@require_http_methods(["GET", "POST"])
def api_keys(request):
    from sgu.accounts import selectors as account_selectors
    from sgu.accounts import services as accounts
    from sgu.operators.forms import ApiKeyForm

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
    from sgu.accounts import services as accounts

    key = or_404(
        accounts.revoke_operator_key_of,
        operator=request.user.operator,
        key_id=key_id,
        by=request.user,
        request=request,
    )
    messages.success(request, f"Revocó la clave «{key.name}». Deja de funcionar de inmediato.")
    return redirect("operators:api_keys")

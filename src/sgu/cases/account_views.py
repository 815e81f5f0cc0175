"""The citizen's account pages whose work crosses into their cases: confirming the email
(the waiting cases are forwarded) and downloading all their data (the cases included).
Mounted under /cuenta/ in the accounts namespace by sgu/urls.py."""

import json

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from sgu.accounts import services as accounts
from sgu.accounts.decorators import citizen_required
from sgu.accounts.forms import ConfirmForm
from sgu.cases import selectors, services
from sgu.core.errors import DomainError
from sgu.core.web import posted


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
    form = ConfirmForm(posted(request))
    if request.method == "POST":
        try:
            user = services.confirm_email(token=form.token_value())
        except DomainError as exc:
            form.apply_errors(exc)
            return render(request, "accounts/confirm_manual.html", {"form": form}, status=422)
        return _confirmed(request, user)
    return render(request, "accounts/confirm_manual.html", {"form": form})


@citizen_required
def my_data_download(request):
    data = selectors.personal_data(request.user)
    accounts.record_personal_data_download(user=request.user, request=request)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="mis-datos-sgu.json"'
    response["Cache-Control"] = "no-store"
    return response

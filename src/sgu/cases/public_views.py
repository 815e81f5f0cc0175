"""The public status lookup page of a case (no account). Thin: parse, call the selector,
render; rate-limited per IP like its API twin."""

from django import forms
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from sgu.cases.public_api import limit_lookups
from sgu.cases.public_selectors import explain_state, public_case_status
from sgu.cases.workflow import State
from sgu.core.errors import DomainError, NotFound
from sgu.core.forms import ServiceForm
from sgu.core.ratelimit import RateLimited
from sgu.core.web import refused_page

TEMPLATE = "cases/public_status.html"


class CaseLookupForm(ServiceForm):
    code = forms.CharField(
        label="Código del caso",
        help_text="Figura en la constancia y en los correos del SGU, por ejemplo SGU-2026-0000123.",
        widget=forms.TextInput(
            attrs={"maxlength": 20, "autocapitalize": "characters", "autocomplete": "off"}
        ),
        required=True,
    )
    document_number = forms.CharField(
        label="Número de documento de quien registró el caso",
        help_text="DNI, carné de extranjería, RUC o pasaporte.",
        widget=forms.TextInput(attrs={"maxlength": 15, "autocomplete": "off"}),
        required=True,
    )


@require_http_methods(["GET", "POST"])
def case_status(request):
    """POST: the document number never lands in a URL (history, logs)."""
    # Bound on any POST, even an empty one (an empty QueryDict is falsy).
    form = CaseLookupForm(request.POST if request.method == "POST" else None)
    found = None
    status = 200
    if request.method == "POST":
        try:
            limit_lookups(request)
            found = public_case_status(form.value("code"), form.value("document_number"))
            # Found: the document is not kept on the page (shared computers).
            form = CaseLookupForm(initial={"code": found.code})
        except RateLimited as exc:
            return refused_page(
                request, exc, TEMPLATE, {"form": form, "limited": exc.detail, "nav": "case_status"}
            )
        except NotFound as exc:
            form.add_error(None, exc.detail)
            status = 404
        except DomainError as exc:
            form.apply_errors(exc)
            status = 422
    context = {
        "form": form,
        "found": found,
        "explanation": explain_state(found.state) if found else "",
        "overdue_explanation": explain_state(State.OVERDUE),
        "nav": "case_status",
    }
    return render(request, TEMPLATE, context, status=status)

"""Assisted registration on the web: an orientador registers a case for a citizen at an
office or by phone (attention.services.register_assisted_case: the case, then the survey on
our attention). Mounted by sgu/urls.py under /regulador/ in the "staff" namespace, with the
cases' staff pages (the receipt it leads to is theirs)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from sgu.accounts.decorators import regulator_staff_required
from sgu.accounts.services import CONSENT_TEXT
from sgu.attention import services
from sgu.cases.forms import AssistedCaseForm
from sgu.core.errors import DomainError, FieldError, ValidationFailed


def _new_case_page(request, form, status=200):
    context = {
        "form": form,
        "consent_text": CONSENT_TEXT,
        "office": request.user.office,
        "nav": "assisted",
    }
    return render(request, "staff/new_case.html", context, status=status)


@regulator_staff_required
def new_case(request):
    if request.method != "POST":
        initial = {"channel": "PRESENCIAL", "document_type": "DNI"}
        initial["subcategory"] = request.GET.get("subcategory", "")
        return _new_case_page(request, AssistedCaseForm(initial=initial))
    form = AssistedCaseForm(request.POST)
    if "show_fields" in request.POST:
        return _new_case_page(request, form)
    try:
        if form.data.get("consent") not in ("on", "1", "true"):
            raise ValidationFailed.of(
                [
                    FieldError(
                        "consent",
                        "Lea al ciudadano el texto de datos personales y marque su aceptación.",
                    )
                ]
            )
        case = services.register_assisted_case(
            agent=request.user,
            citizen=form.citizen_input(),
            channel=form.value("channel"),
            data=form.case_input(),
        )
    except DomainError as exc:
        form.apply_errors(exc)
        return _new_case_page(request, form, status=422)
    messages.success(
        request,
        f"Registramos el caso {case.code} para {case.citizen.get_full_name()}. Imprima o envíe "
        "la constancia.",
    )
    return redirect("staff:receipt", code=case.code)


@regulator_staff_required
@require_GET
def new_case_fields(request):
    """HTMX fragment: the extra fields of one subcategory."""
    form = AssistedCaseForm(
        initial={
            "subcategory": request.GET.get("subcategory", ""),
            "operator": request.GET.get("operator", ""),
        }
    )
    return render(request, "cases/new.html#extra-fields", {"form": form})

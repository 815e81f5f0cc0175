"""HTML pages of bajas y migraciones: the operator's reports (send, follow, errors), the
public status lookup, and the regulator's monitoring with its downloads. Thin: parse, call one
service or selector, render."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sgu.accounts.auth import principal_for_user
from sgu.accounts.decorators import operator_staff_required, regulator_staff_required
from sgu.core import export
from sgu.core.calendar import LIMA, load_calendar
from sgu.core.errors import DomainError, NotFound, PayloadTooLarge
from sgu.core.ratelimit import RateLimited, limit_by_ip
from sgu.core.web import is_htmx, or_404, page_of, refused_page, send_file, vary_on_htmx
from sgu.service_requests import exports, selectors, services
from sgu.service_requests.forms import FilterForm, LookupForm, UploadForm
from sgu.service_requests.ingest import config
from sgu.service_requests.layout import COLUMNS

# --- operator ---------------------------------------------------------------------------------


def _batches_page(request, form: UploadForm, status: int = 200) -> HttpResponse:
    operator = request.user.operator
    rows, page = page_of(request, selectors.operator_batches(operator), ["-uploaded_at", "-id"])
    context = {
        "form": form,
        "batches": rows,
        "days": selectors.operator_days(operator),
        "columns": COLUMNS,
        "max_mb": config()["MAX_UPLOAD_BYTES"] // (1024 * 1024),
        "due_hour": config()["REPORT_DUE"],
        "nav": "service_requests",
        **page,
    }
    if is_htmx(request) and page["cursor"]:
        return vary_on_htmx(render(request, "service_requests/batches.html#batch-rows", context))
    return vary_on_htmx(render(request, "service_requests/batches.html", context, status=status))


@operator_staff_required
@require_GET
def batches(request):
    return _batches_page(request, UploadForm())


@operator_staff_required
@csrf_exempt  # checked below, once the size is known to be acceptable (see _upload)
@require_POST
def upload(request):
    # Refused before the body is read: a 300 MB upload is not received to be refused.
    length = request.META.get("CONTENT_LENGTH") or ""
    try:
        services.refuse_too_large_request(int(length) if length.isdigit() else None)
    except PayloadTooLarge as exc:
        form = UploadForm(data={})  # the body is not read: nothing to show back
        form.apply_errors(exc)
        return _batches_page(request, form, status=413)
    return _upload(request)


@csrf_protect
def _upload(request):
    form = UploadForm(request.POST, request.FILES)
    upload_file = form.upload()
    try:
        batch, created = services.receive_report(
            file=upload_file,
            report_date=form.value("report_date"),
            by=principal_for_user(request.user),
            name=upload_file.name if upload_file is not None else None,
        )
    except DomainError as exc:
        form.apply_errors(exc)
        return _batches_page(request, form, status=exc.status)
    if created:
        messages.success(
            request,
            f"Recibimos «{batch.original_name}» (reporte del {batch.report_date:%d/%m/%Y}). "
            "Lo estamos revisando: esta página muestra el avance.",
        )
    else:
        messages.info(
            request,
            f"Ese mismo archivo ya se había recibido para el {batch.report_date:%d/%m/%Y}: "
            f"es el reporte N.º {batch.pk}. No se cargó de nuevo.",
        )
    return redirect("service_requests:batch", pk=batch.pk)


@operator_staff_required
@require_GET
def template_csv(request):
    """A CSV in the published layout with three example rows, to start from."""
    return export.csv_response(list(COLUMNS), EXAMPLE_ROWS, "plantilla-bajas-migraciones.csv")


EXAMPLE_ROWS = [
    [
        "B-2026-000123", "BAJA", "TELEFONICO", "2026-03-09 10:15", "DNI", "45678912",
        "987654321", "", "MOVIL", "Max 39.90", "", "", "REGISTRADA", "2026-03-12", "", "",
        "ACTIVO",
    ],
    [
        "M-2026-000045", "MIGRACION", "WEB", "2026-03-09 11:02", "CE", "001234567",
        "912345678", "", "MOVIL", "Max 69.90", "Max 39.90", "Costo del plan", "EN_PROCESO",
        "2026-04-01", "", "", "ACTIVO",
    ],
    [
        "B-2026-000124", "BAJA", "PRESENCIAL", "2026-03-09 16:30", "RUC", "20100047218",
        "", "CTR-88812", "INTERNET", "Hogar 200 Mbps", "", "", "RECHAZADA", "", "",
        "Equipo en comodato pendiente de devolución", "ACTIVO",
    ],
]  # fmt: skip


@operator_staff_required
@require_GET
def batch_detail(request, pk: int):
    batch = or_404(selectors.operator_batch, request.user.operator, pk)
    context = {
        "batch": batch,
        "errors": selectors.batch_errors(batch, 200) if batch.finished else [],
        "nav": "service_requests",
    }
    if is_htmx(request):
        return vary_on_htmx(render(request, "service_requests/batch.html#status", context))
    return vary_on_htmx(render(request, "service_requests/batch.html", context))


@operator_staff_required
@require_GET
def batch_errors(request, pk: int):
    batch = or_404(selectors.operator_batch, request.user.operator, pk)
    return export.csv_response(
        exports.ERROR_HEADERS, exports.error_rows(batch), exports.error_filename(batch)
    )


@operator_staff_required
@require_GET
def batch_file(request, pk: int):
    batch = or_404(selectors.operator_batch, request.user.operator, pk)
    content_type = "text/csv" if batch.source != "XLSX" else export.XLSX_CONTENT_TYPE
    return send_file(batch.file, filename=batch.original_name, content_type=content_type)


# --- public -----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def lookup(request):
    """Status of one request, by its code and the holder's document. POST: the document
    number never lands in a URL (history, logs)."""
    # Bound on any POST, even an empty one (an empty QueryDict is falsy).
    form = LookupForm(request.POST if request.method == "POST" else None)
    found = None
    status = 200
    if request.method == "POST":
        cfg = config()
        try:
            limit_by_ip(
                request,
                "sr-lookup",
                limit=int(cfg["LOOKUP_LIMIT"]),
                window=int(cfg["LOOKUP_WINDOW_SECONDS"]),
            )
            found = selectors.public_status(
                form.value("request_code"), form.value("document_number")
            )
        except RateLimited as exc:
            return refused_page(
                request,
                exc,
                "service_requests/lookup.html",
                {"form": form, "limited": exc.detail, "nav": "lookup"},
            )
        except NotFound as exc:
            form.add_error(None, exc.detail)
            status = 404
        except DomainError as exc:
            form.apply_errors(exc)
            status = 422
    return render(
        request,
        "service_requests/lookup.html",
        {"form": form, "found": found, "nav": "lookup"},
        status=status,
    )


# --- regulator --------------------------------------------------------------------------------

ALERTS = {
    "bajas-vencidas": {
        "title": "Bajas no ejecutadas en su fecha programada",
        "help": "Bajas que siguen registradas o en proceso después de su fecha programada, y "
        "bajas ejecutadas después de esa fecha. La más antigua primero.",
        "query": lambda f: selectors.overdue_bajas(f),
        "ordering": ["scheduled_date", "id"],
    },
    "migraciones-sin-respuesta": {
        "title": "Migraciones sin respuesta después de 3 días hábiles",
        "help": "Migraciones que siguen REGISTRADA (la operadora no aceptó ni rechazó) cuando "
        "ya pasaron 3 días hábiles desde su recepción. Una migración se responde de inmediato "
        "o dentro de 3 días hábiles. La más antigua primero.",
        "query": lambda f: selectors.unanswered_migrations(f),
        "ordering": ["requested_at", "id"],
    },
    "bajas-rechazadas": {
        "title": "Bajas rechazadas",
        "help": "Una baja no necesita justificación: cada rechazo es una alerta. Con el motivo "
        "que dio la operadora. La más reciente primero.",
        "query": lambda f: selectors.rejected_bajas(f),
        "ordering": ["-requested_at", "-id"],
    },
}


@regulator_staff_required
@require_GET
def monitor(request):
    form = FilterForm(request.GET)
    return render(
        request,
        "service_requests/monitor.html",
        {
            "form": form,
            "rows": selectors.summary(form.filters()),
            "alerts": ALERTS,
            "plain_query": request.GET.urlencode(),
            "nav": "service_requests",
        },
    )


def _alert(name: str) -> dict:
    alert = ALERTS.get(name)
    if alert is None:
        raise Http404("No existe esa alerta.")
    return alert


@regulator_staff_required
@require_GET
def alert_list(request, alert: str):
    spec = _alert(alert)
    form = FilterForm(request.GET)
    rows, page = page_of(request, spec["query"](form.filters()), spec["ordering"])
    if alert == "migraciones-sin-respuesta":
        cal = load_calendar()
        for r in rows:
            r.answer_due_at = selectors.answer_due(cal, r.requested_at)
    context = {
        "form": form,
        "alert": alert,
        "spec": spec,
        "rows": rows,
        "today": timezone.localtime(timezone.now(), LIMA).date(),
        "nav": "service_requests",
        **page,
    }
    if is_htmx(request):
        return vary_on_htmx(render(request, "service_requests/alert.html#alert-rows", context))
    return vary_on_htmx(render(request, "service_requests/alert.html", context))


def _stamp() -> str:
    return f"{timezone.localtime(timezone.now(), LIMA):%Y%m%d-%H%M}"


@regulator_staff_required
@require_GET
def alert_export(request, alert: str, fmt: str):
    spec = _alert(alert)
    qs = spec["query"](FilterForm(request.GET).filters())
    name = f"{alert}-{_stamp()}.{fmt}"
    rows = exports.request_rows(qs)
    if fmt == "csv":
        return export.csv_response(exports.REQUEST_HEADERS, rows, name)
    return export.xlsx_response(exports.REQUEST_HEADERS, rows, name, sheet=spec["title"][:31])


@regulator_staff_required
@require_GET
def days(request):
    form = FilterForm(request.GET, days=True)
    rows, page = page_of(request, selectors.daily_reports(form.filters()), ["-report_date", "-id"])
    context = {
        "form": form,
        "rows": rows,
        "due_hour": config()["REPORT_DUE"],
        "nav": "service_requests",
        **page,
    }
    if is_htmx(request):
        return vary_on_htmx(render(request, "service_requests/days.html#day-rows", context))
    return vary_on_htmx(render(request, "service_requests/days.html", context))


@regulator_staff_required
@require_GET
def days_export(request, fmt: str):
    qs = selectors.daily_reports(FilterForm(request.GET, days=True).filters())
    name = f"dias-reportados-{_stamp()}.{fmt}"
    rows = exports.day_rows(qs)
    if fmt == "csv":
        return export.csv_response(exports.DAY_HEADERS, rows, name)
    return export.xlsx_response(
        exports.DAY_HEADERS, rows, name, sheet="Días reportados", numeric=exports.DAY_NUMERIC
    )


def home(request):
    """/bajas-migraciones/: where each person starts."""
    user = request.user
    if user.is_authenticated and user.is_operator_staff:
        return redirect("service_requests:batches")
    if user.is_authenticated and user.is_regulator_staff:
        return redirect("service_requests:monitor")
    return redirect(reverse("service_requests:lookup"))

"""Knowledge base pages: agents search and confirm reading; supervisors write, review and
follow the read confirmations. Thin: parse, call one service or selector, render."""

from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sgu.accounts.auth import principal_for_user
from sgu.accounts.decorators import regulator_staff_required, role_required
from sgu.accounts.models import Role
from sgu.attention import selectors as attention_selectors
from sgu.core.errors import Conflict, DomainError, Forbidden
from sgu.core.web import is_htmx, or_404, page_of, safe_next, send_file, vary_on_htmx
from sgu.knowledge import selectors, services
from sgu.knowledge.forms import ArticleForm, MatrixEntryForm, ReviewForm, SearchForm
from sgu.knowledge.models import VersionStatus

supervisor_required = role_required(Role.REGULATOR_SUPERVISOR)


def _is_supervisor(user) -> bool:
    return user.role == Role.REGULATOR_SUPERVISOR


# --- agents (and supervisors) --------------------------------------------------------------------


@regulator_staff_required
@require_GET
def search(request):
    form = SearchForm(request.GET, categories=selectors.categories())
    q, category = form.query()
    results = selectors.search(q, category)
    read = set(
        request.user.kb_reads.filter(version__in=[v.pk for v in results]).values_list(
            "version_id", flat=True
        )
    )
    context = {
        "form": form,
        "results": results,
        "read": read,
        "q": q,
        "category": category,
        "pending_count": selectors.pending_reads(request.user).count(),
        "nav": "knowledge",
    }
    if is_htmx(request):
        return vary_on_htmx(render(request, "knowledge/search.html#results", context))
    return vary_on_htmx(render(request, "knowledge/search.html", context))


@regulator_staff_required
@require_GET
def pending(request):
    return render(
        request,
        "knowledge/pending.html",
        {"versions": list(selectors.pending_reads(request.user)), "nav": "knowledge"},
    )


@regulator_staff_required
@require_GET
def article(request, pk: int):
    user = request.user
    context: dict = {"nav": "knowledge", "is_supervisor": _is_supervisor(user)}
    if _is_supervisor(user):
        found = or_404(selectors.article, pk)
        versions = selectors.history(found)
        current = next((v for v in selectors.in_force().filter(article=found)), None)
        context.update(
            {
                "article": found,
                "versions": versions,
                "version": current or versions[0],
                "in_force": current,
                "draft": next((v for v in versions if v.status == VersionStatus.DRAFT), None),
            }
        )
        if current is not None:
            confirmed, missing = selectors.readers(current)
            context.update(
                {
                    "stats": selectors.read_stats([current.pk])[current.pk],
                    "confirmed": confirmed,
                    "missing": missing,
                }
            )
    else:
        current = or_404(selectors.in_force_version, pk)
        context.update({"article": current.article, "version": current, "in_force": current})
    if context["in_force"] is not None:
        context["has_read"] = selectors.has_read(user, context["in_force"])
    return render(request, "knowledge/article.html", context)


@regulator_staff_required
@require_POST
def confirm(request, pk: int):
    version = or_404(selectors.readable_version, request.user, pk)
    try:
        services.confirm_read(version=version, by=principal_for_user(request.user))
    except DomainError as exc:
        if is_htmx(request):
            return render(
                request,
                "knowledge/_read_button.html",
                {"error": exc.detail, "v": version},
                status=409,
            )
        messages.error(request, exc.detail)
    else:
        if is_htmx(request):
            return render(request, "knowledge/_read_button.html", {"done": True, "v": version})
        messages.success(
            request, f"Registró que leyó {version.article.code} (versión {version.number})."
        )
    default = reverse("knowledge:article", args=[version.article_id])
    return redirect(safe_next(request, request.POST.get("next"), default))


@regulator_staff_required
@require_GET
def document(request, pk: int):
    version = or_404(selectors.readable_version, request.user, pk)
    if not version.source_file:
        raise Http404("Esta versión no tiene un archivo de sustento.")
    return send_file(
        version.source_file,
        filename=version.source_name or "sustento",
        content_type="application/octet-stream",
    )


# --- supervisors ---------------------------------------------------------------------------------


@supervisor_required
@require_GET
def manage(request):
    only_drafts = request.GET.get("borradores") == "1"
    return render(
        request,
        "knowledge/manage.html",
        {
            "rows": selectors.overview(only_drafts=only_drafts),
            "only_drafts": only_drafts,
            "agents": selectors.active_agents().count(),
            "nav": "knowledge",
        },
    )


def _form_page(request, form, *, article=None, previous=None, status=200):
    return render(
        request,
        "knowledge/article_form.html",
        {
            "form": form,
            "article": article,
            "previous": previous,
            "categories": selectors.categories(),
            "nav": "knowledge",
        },
        status=status,
    )


@supervisor_required
@require_http_methods(["GET", "POST"])
def new(request):
    if request.method == "POST":
        form = ArticleForm(request.POST, request.FILES)
        try:
            version = services.propose_article(
                data=form.article_input(),
                source_file=form.upload(),
                by=principal_for_user(request.user),
            )
        except DomainError as exc:
            form.apply_errors(exc)
        else:
            messages.success(
                request,
                f"Registró el artículo {version.article.code} como borrador. Otro supervisor "
                "debe aprobarlo para que lo vean los orientadores.",
            )
            return redirect("knowledge:version", pk=version.pk)
    else:
        form = ArticleForm(initial={"valid_from": f"{selectors.today():%Y-%m-%d}"})
    return _form_page(request, form, status=422 if form.errors else 200)


@supervisor_required
@require_http_methods(["GET", "POST"])
def change(request, pk: int):
    found = or_404(selectors.article, pk)
    previous = selectors.latest_version(found)
    if request.method == "POST":
        form = ArticleForm(request.POST, request.FILES)
        try:
            version = services.propose_change(
                article=found,
                data=form.article_input(),
                source_file=form.upload(),
                by=principal_for_user(request.user),
            )
        except Conflict as exc:
            if exc.errors:
                form.apply_errors(exc)
            else:
                form.add_error(None, exc.detail)
        except DomainError as exc:
            form.apply_errors(exc)
        else:
            messages.success(
                request,
                f"Registró la versión {version.number} de {found.code} como borrador; la "
                "versión vigente se sigue mostrando hasta que otro supervisor la apruebe.",
            )
            return redirect("knowledge:version", pk=version.pk)
    else:
        form = ArticleForm(
            initial={
                "question": previous.question,
                "answer": previous.answer,
                "category": previous.category,
                "valid_from": f"{max(previous.valid_from, selectors.today()):%Y-%m-%d}",
                "valid_to": f"{previous.valid_to:%Y-%m-%d}" if previous.valid_to else "",
                "source_reference": previous.source_reference,
                "source_url": previous.source_url,
            }
        )
    return _form_page(
        request, form, article=found, previous=previous, status=422 if form.errors else 200
    )


@supervisor_required
@require_GET
def version(request, pk: int):
    found = or_404(selectors.readable_version, request.user, pk)
    return render(
        request,
        "knowledge/version.html",
        {
            "version": found,
            "form": ReviewForm(),
            "own": found.written_by_id == request.user.pk,
            "nav": "knowledge",
        },
    )


def _review(request, pk: int, action, success):
    """Approve or reject: one service call; refusals go back to the version page."""
    found = or_404(selectors.readable_version, request.user, pk)
    form = ReviewForm(request.POST)
    try:
        done = action(version=found, by=principal_for_user(request.user), note=form.value("note"))
    except (Conflict, Forbidden) as exc:
        messages.error(request, exc.detail)
        return redirect("knowledge:version", pk=found.pk)
    except DomainError as exc:
        form.apply_errors(exc)
        return render(
            request,
            "knowledge/version.html",
            {"version": found, "form": form, "own": False, "nav": "knowledge"},
            status=422,
        )
    messages.success(request, success(done))
    return redirect("knowledge:article", pk=done.article_id)


@supervisor_required
@require_POST
def approve(request, pk: int):
    return _review(
        request,
        pk,
        services.approve_version,
        lambda v: (
            f"Aprobó la versión {v.number} de {v.article.code}; rige desde el "
            f"{v.valid_from:%d/%m/%Y}."
        ),
    )


@supervisor_required
@require_POST
def reject(request, pk: int):
    return _review(
        request,
        pk,
        services.reject_version,
        lambda v: f"Rechazó la versión {v.number} de {v.article.code}.",
    )


# --- the incident matrix (the regulator's attention staff) ----------------------------------------


def matrix_reader_required(view):
    """The regulator's attention staff (its levels and supervisors); nobody else."""

    @regulator_staff_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not attention_selectors.is_attention_staff(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


@matrix_reader_required
@require_GET
def matrix(request):
    q = (request.GET.get("q") or "")[:200]
    entries, paging = page_of(request, selectors.matrix_search(q), ["-created_at", "-id"])
    return render(
        request,
        "knowledge/matrix.html",
        {"entries": entries, **paging, "q": q, "nav": "knowledge"},
    )


@matrix_reader_required
@require_GET
def matrix_entry(request, pk: int):
    entry = or_404(selectors.matrix_entry, pk)
    return render(request, "knowledge/matrix_entry.html", {"entry": entry, "nav": "knowledge"})


@matrix_reader_required
@require_GET
def matrix_suggest(request, hop_pk: int):
    hop = or_404(attention_selectors.escalation_for, request.user, hop_pk)
    context = {"hop": hop, "suggestions": selectors.matrix_suggestions(hop), "nav": "knowledge"}
    if is_htmx(request):
        return vary_on_htmx(render(request, "knowledge/matrix_suggest.html#list", context))
    return vary_on_htmx(render(request, "knowledge/matrix_suggest.html", context))


@matrix_reader_required
@require_http_methods(["GET", "POST"])
def matrix_new(request, hop_pk: int):
    hop = or_404(attention_selectors.escalation_for, request.user, hop_pk)
    if request.method == "GET":
        form = MatrixEntryForm(
            initial={
                "typification": selectors.incident_typification(hop),
                "solution": hop.answer,
            }
        )
        return render(
            request, "knowledge/matrix_form.html", {"form": form, "hop": hop, "nav": "knowledge"}
        )
    form = MatrixEntryForm(request.POST)
    try:
        entry = services.record_incident(
            escalation_id=hop.pk,
            by=principal_for_user(request.user),
            typification=form.value("typification"),
            cause=form.value("cause"),
            solution=form.value("solution"),
        )
    except (Conflict, Forbidden) as exc:
        messages.error(request, exc.detail)
        return redirect("attention:escalation", pk=hop.pk)
    except DomainError as exc:
        form.apply_errors(exc)
        return render(
            request,
            "knowledge/matrix_form.html",
            {"form": form, "hop": hop, "nav": "knowledge"},
            status=422,
        )
    messages.success(request, f"Registramos la incidencia en la matriz como {entry.code}.")
    return redirect("knowledge:matrix_entry", pk=entry.pk)

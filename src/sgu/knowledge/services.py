"""Every write on the knowledge base: proposing an article or a change (a new draft
version), approving or rejecting a draft (a supervisor other than its author), confirming
that one has read a version. Versions are never edited nor deleted."""

from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone

from sgu.accounts.models import Role, User
from sgu.attention import selectors as attention_selectors
from sgu.attention.models import Escalation
from sgu.attention.workflow import incident_solved
from sgu.cases.attachments import check_upload
from sgu.core import audit
from sgu.core.errors import Conflict, ErrorCollector, FieldError, Forbidden, ValidationFailed
from sgu.core.principal import Principal
from sgu.knowledge.models import (
    Article,
    ArticleVersion,
    IncidentMatrixEntry,
    ReadConfirmation,
    VersionStatus,
)
from sgu.knowledge.selectors import normalize, today

MAX_ANSWER = 20_000


@dataclass(frozen=True)
class ArticleInput:
    question: str
    answer: str
    category: str
    valid_from: date | str | None
    valid_to: date | str | None = None
    source_url: str = ""
    source_reference: str = ""
    change_note: str = ""


def _user(by: Principal) -> User:
    user: User | None = by.user
    if (
        user is None
        or not user.is_active
        or user.role
        not in (
            Role.REGULATOR_AGENT,
            Role.REGULATOR_SUPERVISOR,
        )
    ):
        raise Forbidden("La base de conocimiento es para el personal del regulador.")
    return user


def _supervisor(by: Principal) -> User:
    user = _user(by)
    if user.role != Role.REGULATOR_SUPERVISOR:
        raise Forbidden("Solo un supervisor del regulador redacta y aprueba artículos.")
    return user


def _date(
    value: date | str | None, field: str, label: str, errors: ErrorCollector, *, required: bool
) -> date | None:
    if value is None or value == "":
        if required:
            errors.add(field, f"Indique la fecha {label} (AAAA-MM-DD).")
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        errors.add(field, f"La fecha {label} no es válida; use AAAA-MM-DD.")
        return None


def _clean(
    data: ArticleInput, upload: UploadedFile | None, previous: ArticleVersion | None
) -> dict[str, object]:
    errors = ErrorCollector()
    question = " ".join((data.question or "").split())
    if len(question) < 10:
        errors.add("question", "Escriba la pregunta (al menos 10 caracteres).")
    elif len(question) > 300:
        errors.add("question", "La pregunta admite hasta 300 caracteres.")
    answer = (data.answer or "").strip().replace("\r\n", "\n")
    if len(answer) < 20:
        errors.add("answer", "Escriba la respuesta (al menos 20 caracteres).")
    elif len(answer) > MAX_ANSWER:
        errors.add("answer", f"La respuesta admite hasta {MAX_ANSWER} caracteres.")
    category = " ".join((data.category or "").split())
    if len(category) < 2:
        errors.add("category", "Indique la categoría (p. ej. Portabilidad, Reclamos).")
    elif len(category) > 80:
        errors.add("category", "La categoría admite hasta 80 caracteres.")
    valid_from = _date(
        data.valid_from, "valid_from", "de inicio de vigencia", errors, required=True
    )
    valid_to = _date(data.valid_to, "valid_to", "de fin de vigencia", errors, required=False)
    if valid_from and valid_to and valid_to < valid_from:
        errors.add("valid_to", "El fin de la vigencia no puede ser anterior a su inicio.")
    url = (data.source_url or "").strip()
    if url:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            errors.add("source_url", "El enlace debe ser una dirección web completa (https://…).")
        if len(url) > 500:
            errors.add("source_url", "El enlace admite hasta 500 caracteres.")
    reference = " ".join((data.source_reference or "").split())
    if len(reference) > 300:
        errors.add("source_reference", "La referencia admite hasta 300 caracteres.")
    note = " ".join((data.change_note or "").split())
    if len(note) > 300:
        errors.add("change_note", "El motivo del cambio admite hasta 300 caracteres.")
    checked = check_upload(upload, errors, "source_file") if upload is not None else None
    keeps_file = upload is None and previous is not None and bool(previous.source_file)
    if upload is None and not keeps_file and not url and not reference:
        errors.add(
            "source_reference",
            "Indique el documento de sustento: adjunte el archivo o escriba su referencia "
            "o su enlace.",
        )
    if previous is not None and not note:
        errors.add("change_note", "Explique brevemente qué cambia y por qué.")
    errors.raise_if_any()
    values: dict[str, object] = {
        "question": question,
        "answer": answer,
        "category": category,
        "valid_from": valid_from,
        "valid_to": valid_to,
        "source_url": url,
        "source_reference": reference,
        "change_note": note,
        "search_text": normalize(f"{question} {answer} {category}"),
    }
    if checked is not None:
        values["source_file"] = checked.upload
        values["source_name"] = checked.name
    elif keeps_file and previous is not None:  # (keeps_file says it is not None)
        values["source_file"] = previous.source_file.name
        values["source_name"] = previous.source_name
    if (
        previous is not None
        and all(
            getattr(previous, k) == v
            for k, v in values.items()
            if k not in ("change_note", "search_text", "source_file", "source_name")
        )
        and checked is None
    ):
        raise Conflict(
            f"No hay cambios respecto de la versión {previous.number}.",
            [FieldError("answer", "Cambie algún dato del artículo.")],
        )
    return values


@transaction.atomic
def propose_article(
    *,
    data: ArticleInput,
    by: Principal,
    source_file: UploadedFile | None = None,
    now: datetime | None = None,
) -> ArticleVersion:
    """A new article: its version 1, a draft until another supervisor approves it."""
    user = _supervisor(by)
    values = _clean(data, source_file, None)
    now = now or timezone.now()
    article = Article.objects.create(created_by=user)
    version = ArticleVersion.objects.create(
        article=article, number=1, written_by=user, written_at=now, **values
    )
    audit.record(
        "knowledge.draft_written", actor=user, target=str(version), data={"version": version.pk}
    )
    return version


@transaction.atomic
def propose_change(
    *,
    article: Article,
    data: ArticleInput,
    by: Principal,
    source_file: UploadedFile | None = None,
    now: datetime | None = None,
) -> ArticleVersion:
    """A change to an article: a new draft version; the versions before it stay as they
    are (the one in force keeps being shown until the draft is approved and in force)."""
    user = _supervisor(by)
    locked = Article.objects.select_for_update().get(pk=article.pk)
    previous = locked.versions.order_by("-number").first()
    if locked.versions.filter(status=VersionStatus.DRAFT).exists():
        raise Conflict(
            f"El artículo {locked.code} ya tiene un cambio pendiente de aprobación; "
            "apruébelo o recházelo antes de proponer otro."
        )
    values = _clean(data, source_file, previous)
    assert previous is not None  # an article is created with its version 1
    now = now or timezone.now()
    try:
        with transaction.atomic():
            version = ArticleVersion.objects.create(
                article=locked,
                number=previous.number + 1,
                written_by=user,
                written_at=now,
                **values,
            )
    except IntegrityError:
        raise Conflict(
            f"El artículo {locked.code} ya tiene un cambio pendiente de aprobación."
        ) from None
    audit.record(
        "knowledge.draft_written", actor=user, target=str(version), data={"version": version.pk}
    )
    return version


def _review(version: ArticleVersion, by: Principal) -> tuple[User, ArticleVersion]:
    user = _supervisor(by)
    locked = ArticleVersion.objects.select_for_update().get(pk=version.pk)
    if locked.status != VersionStatus.DRAFT:
        raise Conflict(
            f"La versión {locked.number} del artículo {locked.article.code} ya fue revisada "
            f"({locked.get_status_display().lower()})."
        )
    if locked.written_by_id == user.pk:
        raise Forbidden("Otro supervisor debe revisar el borrador que usted redactó.")
    return user, locked


@transaction.atomic
def approve_version(
    *, version: ArticleVersion, by: Principal, note: str = "", now: datetime | None = None
) -> ArticleVersion:
    """The draft becomes an approved version: in force from its `valid_from`."""
    user, locked = _review(version, by)
    note = " ".join((note or "").split())
    if len(note) > 300:
        raise ValidationFailed.of(
            [FieldError("note", "La observación admite hasta 300 caracteres.")]
        )
    locked.status = VersionStatus.APPROVED
    locked.reviewed_by = user
    locked.reviewed_at = now or timezone.now()
    locked.review_note = note
    locked.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])
    audit.record(
        "knowledge.version_approved",
        actor=user,
        target=str(locked),
        data={
            "version": locked.pk,
            "written_by": locked.written_by_id,
            "valid_from": locked.valid_from.isoformat(),
            "valid_to": locked.valid_to.isoformat() if locked.valid_to else None,
        },
    )
    return locked


@transaction.atomic
def reject_version(
    *, version: ArticleVersion, by: Principal, note: str, now: datetime | None = None
) -> ArticleVersion:
    """The draft is kept, marked rejected with the reason; the article keeps its version
    in force."""
    note = " ".join((note or "").split())
    if len(note) < 5:
        raise ValidationFailed.of(
            [FieldError("note", "Explique por qué rechaza el cambio (al menos 5 caracteres).")]
        )
    user, locked = _review(version, by)
    locked.status = VersionStatus.REJECTED
    locked.reviewed_by = user
    locked.reviewed_at = now or timezone.now()
    locked.review_note = note[:300]
    locked.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])
    audit.record(
        "knowledge.version_rejected", actor=user, target=str(locked), data={"version": locked.pk}
    )
    return locked


def confirm_read(
    *, version: ArticleVersion, by: Principal, now: datetime | None = None
) -> ReadConfirmation:
    """ "I have read it": once per person and version (a second click changes nothing)."""
    user = _user(by)
    if version.status != VersionStatus.APPROVED or version.valid_from > today():
        raise Conflict("Solo se confirma la lectura de una versión aprobada y vigente.")
    confirmation, _ = ReadConfirmation.objects.get_or_create(
        version=version, user=user, defaults={"confirmed_at": now or timezone.now()}
    )
    return confirmation


# --- the incident matrix -------------------------------------------------------------------------

MAX_MATRIX_TEXT = 4000


@transaction.atomic
def record_incident(
    *,
    escalation_id: int,
    by: Principal,
    typification: str,
    cause: str,
    solution: str,
    now: datetime | None = None,
) -> IncidentMatrixEntry:
    """A solved incident feeds the incident matrix: its cause, its solution and its
    typification, linked to the incident (one entry per incident). Recorded by the regulator's
    attention staff who can read the incident (its areas, the 1st level, supervisors)."""
    user = _user(by)
    hop = attention_selectors.escalation_for(user, escalation_id)  # NotFound: not theirs
    if hop.parent_id is not None:
        raise Conflict("La matriz se alimenta con la incidencia completa (la del 2.º nivel).")
    if not incident_solved(hop):
        raise Conflict("Solo se registra en la matriz una incidencia ya solucionada.")
    errors = ErrorCollector()
    values = {}
    for field, value, limit, message in (
        ("typification", typification, 200, "Indique la tipificación de la incidencia."),
        ("cause", cause, MAX_MATRIX_TEXT, "Describa la causa que la originó."),
        ("solution", solution, MAX_MATRIX_TEXT, "Describa la solución."),
    ):
        value = (value or "").strip().replace("\r\n", "\n")
        if not value:
            errors.add(field, message)
        elif len(value) > limit:
            errors.add(field, f"Escriba como máximo {limit} caracteres.")
        values[field] = value
    errors.raise_if_any()
    Escalation.objects.select_for_update().filter(pk=hop.pk).first()
    if IncidentMatrixEntry.objects.filter(escalation=hop).exists():
        raise Conflict("Esta incidencia ya está en la matriz.")
    entry = IncidentMatrixEntry(
        escalation=hop,
        created_at=now or timezone.now(),
        created_by=user,
        search_text=normalize(
            " ".join([values["typification"], values["cause"], values["solution"]])
        ),
        **values,
    )
    entry.save(force_insert=True)
    audit.record(
        "incident_matrix_entry",
        actor=user,
        target=f"escalation:{hop.pk}",
        data={"entry": entry.pk},
    )
    return entry

"""Reads of the knowledge base, scoped to who asks.

Agents (and supervisors while attending) see only the version of each article that is in
force today: approved, its validity started, not ended. Drafts, rejected versions and the
history are for supervisors. Every list is one or two SQL statements, whatever its size.
"""

import unicodedata
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from sgu.accounts.models import Role, User
from sgu.attention.models import Escalation
from sgu.core.calendar import LIMA
from sgu.core.errors import NotFound
from sgu.knowledge.models import (
    Article,
    ArticleVersion,
    IncidentMatrixEntry,
    ReadConfirmation,
    VersionStatus,
)

ARTICLE_NOT_FOUND = "No existe ese artículo en la base de conocimiento."
VERSION_NOT_FOUND = "No existe esa versión en la base de conocimiento."
MAX_RESULTS = 50


def today() -> date:
    return timezone.localtime(timezone.now(), LIMA).date()


def normalize(text: str) -> str:
    """Lower case, no accents, single spaces: how questions are stored for the search."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.lower().split())


def _in_force_id(on: date) -> Subquery:
    """For each article (OuterRef), the id of the approved version with the highest number
    whose validity has started by `on`."""
    return Subquery(
        ArticleVersion.objects.filter(
            article=OuterRef("article_id"), status=VersionStatus.APPROVED, valid_from__lte=on
        )
        .order_by("-number")
        .values("pk")[:1]
    )


def in_force(on: date | None = None) -> QuerySet[ArticleVersion]:
    """The version of each article in force on `on` (today by default)."""
    on = on or today()
    return (
        ArticleVersion.objects.filter(status=VersionStatus.APPROVED, valid_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .filter(pk=_in_force_id(on))
        .select_related("article")
        .defer("search_text")
    )


def search(query: str = "", category: str = "", on: date | None = None) -> list[ArticleVersion]:
    """Versions in force whose question, answer or category contain every word typed
    (accents and case ignored); those with the words in the question come first."""
    qs = in_force(on)
    words = [w for w in normalize(query).split() if len(w) >= 2][:8]
    for word in words:
        qs = qs.filter(search_text__contains=word)
    if category:
        qs = qs.filter(category=category)
    rows = list(qs.order_by("category", "question", "article_id")[: MAX_RESULTS * 4])
    if words:
        rows.sort(key=lambda v: -sum(w in normalize(v.question) for w in words))
    return rows[:MAX_RESULTS]


def categories(on: date | None = None) -> list[str]:
    return list(in_force(on).order_by("category").values_list("category", flat=True).distinct())


def pending_reads(user: User, on: date | None = None) -> QuerySet[ArticleVersion]:
    """Versions in force that this person has not confirmed yet (new or changed articles)."""
    read = ReadConfirmation.objects.filter(version=OuterRef("pk"), user=user)
    return in_force(on).exclude(Exists(read)).order_by("-reviewed_at", "article_id")


def has_read(user: User, version: ArticleVersion) -> bool:
    return ReadConfirmation.objects.filter(version=version, user=user).exists()


def in_force_version(article_id: int, on: date | None = None) -> ArticleVersion:
    """What an agent sees of an article: its version in force, or "not found"."""
    version = (
        in_force(on)
        .select_related("written_by", "reviewed_by")
        .filter(article_id=article_id)
        .first()
    )
    if version is None:
        raise NotFound(ARTICLE_NOT_FOUND)
    return version


def readable_version(user: User, pk: int, on: date | None = None) -> ArticleVersion:
    """A version this person may open: supervisors any, agents only one in force."""
    qs = (
        ArticleVersion.objects if user.role == Role.REGULATOR_SUPERVISOR else in_force(on)
    ).select_related("article", "written_by", "reviewed_by")
    version = qs.filter(pk=pk).first()
    if version is None:
        raise NotFound(VERSION_NOT_FOUND)
    return version


# --- supervisors ---------------------------------------------------------------------------------


def article(pk: int) -> Article:
    found = Article.objects.filter(pk=pk).first()
    if found is None:
        raise NotFound(ARTICLE_NOT_FOUND)
    return found


def history(article: Article) -> list[ArticleVersion]:
    return list(article.versions.select_related("written_by", "reviewed_by").order_by("-number"))


def latest_version(article: Article) -> ArticleVersion | None:
    return article.versions.order_by("-number").first()


def active_agents() -> QuerySet[User]:
    """Who must read the knowledge base: the regulator's active agents (orientadores)."""
    return User.objects.filter(role=Role.REGULATOR_AGENT, is_active=True)


@dataclass(frozen=True)
class ReadStats:
    read: int
    agents: int

    @property
    def pct(self) -> float | None:
        if not self.agents:
            return None
        return round(100 * self.read / self.agents, 1)


def read_stats(version_ids: list[int]) -> dict[int, ReadStats]:
    """Per version: how many active agents confirmed it, out of all active agents."""
    agents = active_agents().count()
    counts = dict(
        ReadConfirmation.objects.filter(
            version_id__in=version_ids, user__role=Role.REGULATOR_AGENT, user__is_active=True
        )
        .values("version_id")
        .annotate(n=Count("id"))
        .values_list("version_id", "n")
    )
    return {vid: ReadStats(counts.get(vid, 0), agents) for vid in version_ids}


@dataclass(frozen=True)
class ArticleRow:
    article_id: int
    question: str
    category: str
    in_force_number: int | None
    in_force_valid_to: date | None
    draft_id: int | None
    draft_number: int | None
    draft_author: str
    stats: ReadStats | None

    @property
    def code(self) -> str:
        return f"BC-{self.article_id:05d}"


def overview(on: date | None = None, *, only_drafts: bool = False) -> list[ArticleRow]:
    """Every article for the supervisors' page: its latest text, the version in force, a
    pending draft and the read-confirmation percentage of the version in force. Four
    statements whatever the number of articles; plain rows, no model instances."""
    on = on or today()
    newer = ArticleVersion.objects.filter(
        article_id=OuterRef("article_id"), number__gt=OuterRef("number")
    )
    latest = (
        ArticleVersion.objects.exclude(Exists(newer))
        .order_by("category", "question", "article_id")
        .values_list("article_id", "question", "category")
    )
    forced = {
        a: (pk, n, to)
        for pk, a, n, to in in_force(on).values_list("pk", "article_id", "number", "valid_to")
    }
    drafts = {
        a: (pk, n, " ".join(f"{first} {last}".split()) or email)
        for pk, a, n, first, last, email in ArticleVersion.objects.filter(
            status=VersionStatus.DRAFT
        ).values_list(
            "pk",
            "article_id",
            "number",
            "written_by__first_name",
            "written_by__last_name",
            "written_by__email",
        )
    }
    stats = read_stats([pk for pk, _, _ in forced.values()])
    rows = []
    for article_id, question, category in latest:
        current = forced.get(article_id)
        draft = drafts.get(article_id)
        if only_drafts and draft is None:
            continue
        rows.append(
            ArticleRow(
                article_id=article_id,
                question=question,
                category=category,
                in_force_number=current[1] if current else None,
                in_force_valid_to=current[2] if current else None,
                draft_id=draft[0] if draft else None,
                draft_number=draft[1] if draft else None,
                draft_author=draft[2] if draft else "",
                stats=stats.get(current[0]) if current else None,
            )
        )
    return rows


def readers(version: ArticleVersion) -> tuple[list[ReadConfirmation], list[User]]:
    """Active agents who confirmed this version (with when) and those who have not."""
    confirmed = list(
        version.confirmations.filter(user__role=Role.REGULATOR_AGENT, user__is_active=True)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user_id")
    )
    done = {c.user_id for c in confirmed}
    missing = [
        u for u in active_agents().order_by("last_name", "first_name", "id") if u.pk not in done
    ]
    return confirmed, missing


# --- the incident matrix (attention manual 8.3.2.3, 9.3) -----------------------------------------

MATRIX_NOT_FOUND = "No existe esa entrada de la matriz de incidencias."
# Words too common to tell two incidents apart.
_STOPWORDS = frozenset(
    [
        "para",
        "como",
        "cuando",
        "donde",
        "desde",
        "este",
        "esta",
        "estos",
        "estas",
        "pero",
        "porque",
        "sobre",
        "tiene",
        "tengo",
        "hace",
        "hacer",
        "puede",
        "pueden",
        "entre",
        "hasta",
        "segun",
        "sigue",
        "sino",
        "solo",
        "tambien",
        "todo",
        "todos",
        "tras",
        "una",
        "unos",
        "unas",
        "usuario",
        "usuaria",
        "cliente",
        "favor",
        "gracias",
        "buenos",
        "buenas",
        "dias",
        "tardes",
        "consulta",
        "caso",
        "problema",
    ]
)
MAX_KEYWORDS = 8


def matrix_keywords(text: str) -> list[str]:
    """The words of an incident worth matching (4+ letters, not common), longest first."""
    words = {w.strip(".,;:¿?¡!()\"'«»-") for w in normalize(text).split()}
    useful = [w for w in words if len(w) >= 4 and w.isalpha() and w not in _STOPWORDS]
    return sorted(useful, key=lambda w: (-len(w), w))[:MAX_KEYWORDS]


def incident_text(hop: Escalation) -> str:
    """What an incident says: why it was escalated and the consulta's or the case's words."""
    parts = [hop.reason]
    if hop.query is not None:
        parts += [hop.query.topic, hop.query.question]
    elif hop.case is not None:
        parts.append(hop.case.description)
    return " ".join(parts)


def incident_typification(hop: Escalation) -> str:
    """The typification of origin of an incident, as the reports name it."""
    if hop.query is not None and hop.query.motive_id:
        return str(hop.query.motive)[:200]
    if hop.case is not None:
        sub = hop.case.subcategory
        return f"{sub.category.name} › {sub.name}"[:200]
    return ""


def matrix_search(query: str = "") -> QuerySet[IncidentMatrixEntry]:
    qs = IncidentMatrixEntry.objects.select_related("escalation", "created_by").order_by(
        "-created_at", "-id"
    )
    for word in normalize(query).split()[:MAX_KEYWORDS]:
        qs = qs.filter(search_text__contains=word)
    return qs


def matrix_suggestions(hop: Escalation, limit: int = 5) -> list[IncidentMatrixEntry]:
    """Entries of the matrix like this incident: those sharing most of its keywords (the
    same typification counts double), the most recent first among equals."""
    words = matrix_keywords(incident_text(hop))
    typification = normalize(incident_typification(hop))
    if not words and not typification:
        return []
    cond = Q()
    for w in words:
        cond |= Q(search_text__contains=w)
    if typification:
        cond |= Q(search_text__startswith=typification)
    candidates = list(
        IncidentMatrixEntry.objects.filter(cond)
        .exclude(escalation=hop)
        .select_related("escalation")
        .order_by("-created_at", "-id")[:200]
    )
    scored = []
    for entry in candidates:
        score = sum(1 for w in words if w in entry.search_text)
        if typification and entry.search_text.startswith(typification):
            score += 2
        if score:
            scored.append((score, entry))
    scored.sort(key=lambda se: -se[0])  # stable: the most recent first among equals
    return [e for _, e in scored[:limit]]


def matrix_entry(pk: int) -> IncidentMatrixEntry:
    entry = (
        IncidentMatrixEntry.objects.select_related("escalation__area", "created_by")
        .filter(pk=pk)
        .first()
    )
    if entry is None:
        raise NotFound(MATRIX_NOT_FOUND)
    return entry

from datetime import datetime

from django.utils import timezone

from sgu.accounts.models import ApiToken, OperatorApiKey, TwoFactorDevice, User
from sgu.accounts.services import LAST_USED_EVERY, token_hash, touch_last_used


def _stale(last_used_at: datetime | None, now: datetime) -> bool:
    # The row was just read: when it says "used less than a minute ago" the UPDATE in
    # touch_last_used would match nothing, so skip the round trip (hot path: every request).
    return last_used_at is None or last_used_at <= now - LAST_USED_EVERY


def user_for_token(raw: str) -> User | None:
    """The active user behind a live (unexpired, unrevoked) bearer token."""
    if not raw or len(raw) > 200:
        return None
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(
            token_hash=token_hash(raw),
            revoked_at__isnull=True,
            expires_at__gt=now,
            user__is_active=True,
        )
        .first()
    )
    if token is None:
        return None
    if _stale(token.last_used_at, now):
        touch_last_used(ApiToken, token.pk, now)
    return token.user


def operator_key(raw: str) -> OperatorApiKey | None:
    """The live API key with this value, with its (active) operator."""
    if not raw or len(raw) > 200:
        return None
    now = timezone.now()
    key = (
        OperatorApiKey.objects.select_related("operator")
        .filter(key_hash=token_hash(raw), revoked_at__isnull=True, operator__active=True)
        .first()
    )
    if key is None:
        return None
    if _stale(key.last_used_at, now):
        touch_last_used(OperatorApiKey, key.pk, now)
    return key


def citizen_by_document(document_type: str, document_number: str) -> User | None:
    return User.objects.filter(
        role="CITIZEN", document_type=document_type, document_number=document_number
    ).first()


def operator_keys(operator) -> list[OperatorApiKey]:
    return list(OperatorApiKey.objects.filter(operator=operator).order_by("-created_at", "-id"))


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def personal_data(user: User) -> dict:
    """Everything the platform keeps about a citizen, for them to download (Ley 29733):
    profile, consent, cases with their timeline (never the internal notes), answers,
    ratings, claims and the attachments' metadata. Only this person's rows."""
    from sgu.accounts.models import CorrectionRequest
    from sgu.cases.selectors import citizen_cases

    cases = (
        citizen_cases(user)
        .select_related("claim", "subcategory__category__service")
        .prefetch_related("attachments", "events")
    )
    out_cases = []
    for case in cases:
        solution = getattr(case, "solution", None)
        rating = getattr(case, "rating", None)
        claim = getattr(case, "claim", None)
        out_cases.append(
            {
                "code": case.code,
                "operator": case.operator.name,
                "service": case.service,
                "category": case.subcategory.category.name,
                "subcategory": case.subcategory.name,
                "channel": case.channel,
                "service_number": case.service_number,
                "description": case.description,
                "fields": case.fields,
                "state": case.state,
                "registered_at": _iso(case.registered_at),
                "forwarded_at": _iso(case.forwarded_at),
                "due_at": _iso(case.due_at),
                "answered_at": _iso(case.answered_at),
                "closed_at": _iso(case.closed_at),
                "timeline": [
                    {
                        "at": _iso(event.at),
                        "event": event.kind,
                        "by": event.actor_role,
                        "from_state": event.from_state,
                        "to_state": event.to_state,
                        "note": event.note,
                    }
                    for event in case.events.all()
                    if not event.internal
                ],
                "solution": None
                if solution is None
                else {
                    "outcome": solution.outcome,
                    "detail": solution.detail,
                    "actions": solution.actions,
                    "executed_at": _iso(solution.executed_at),
                    "responsible": solution.responsible,
                    "recorded_at": _iso(solution.recorded_at),
                    "on_time": solution.on_time,
                },
                "rating": None
                if rating is None
                else {
                    "resolved": rating.resolved,
                    "score": rating.score,
                    "comment": rating.comment,
                    "rated_at": _iso(rating.rated_at),
                },
                "claim": None
                if claim is None
                else {
                    "state": claim.state,
                    "claim_code": claim.claim_code,
                    "holder_name": claim.holder_name,
                    "holder_document_type": claim.holder_document_type,
                    "holder_document_number": claim.holder_document_number,
                    "service_number": claim.service_number,
                    "reason": claim.reason,
                    "request": claim.request,
                    "amount": str(claim.amount) if claim.amount is not None else None,
                    "notify_email": claim.notify_email,
                    "requested_at": _iso(claim.requested_at),
                    "coded_at": _iso(claim.coded_at),
                    "resolution_due_at": _iso(claim.resolution_due_at),
                },
                "attachments": [
                    {
                        "name": a.name,
                        "content_type": a.content_type,
                        "size": a.size,
                        "uploaded_at": _iso(a.uploaded_at),
                    }
                    for a in case.attachments.all()
                ],
            }
        )
    corrections = CorrectionRequest.objects.filter(user=user).order_by("created_at", "id")
    return {
        "generated_at": _iso(timezone.now()),
        "profile": {
            "email": user.email,
            "email_verified_at": _iso(user.email_verified_at),
            "first_name": user.first_name,
            "last_name": user.last_name,
            "document_type": user.document_type,
            "document_number": user.document_number,
            "phone": user.phone,
            "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
            "two_factor_enabled": TwoFactorDevice.objects.filter(
                user=user, confirmed_at__isnull=False
            ).exists(),
        },
        "consent": {
            "given_at": _iso(user.consent_at),
            "text_version": user.consent_version,
            "channel": user.consent_channel,
        },
        "cases": out_cases,
        "correction_requests": [
            {
                "field": c.field,
                "requested_value": c.requested_value,
                "note": c.note,
                "created_at": _iso(c.created_at),
                "status": c.status,
                "response": c.response,
            }
            for c in corrections
        ],
    }


def correction_requests(*, pending: bool):
    """For regulator staff: the pending ones oldest first, or the handled ones newest first."""
    from sgu.accounts.models import CorrectionRequest

    qs = CorrectionRequest.objects.select_related("user", "handled_by")
    if pending:
        return qs.filter(status=CorrectionRequest.Status.PENDING).order_by("created_at", "id")
    return qs.exclude(status=CorrectionRequest.Status.PENDING).order_by("-handled_at", "-id")

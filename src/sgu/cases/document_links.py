"""Secure, expiring links to a case's documents, for the claim email when they are too big
to attach (reclamo point 3). A link names one attachment of one case for one person and is
signed with the site's key (salted); it expires after `SGU["CLAIM_DOCUMENT_LINK_DAYS"]`.
Opening it still requires that person's session: the link alone opens nothing."""

from dataclasses import dataclass

from django.conf import settings
from django.core import signing

_SALT = "sgu.cases.claim-document"


@dataclass(frozen=True)
class DocumentLink:
    case_code: str
    attachment_id: int
    user_id: int


class LinkExpired(Exception):
    pass


class LinkInvalid(Exception):
    pass


def link_days() -> int:
    return int(settings.SGU["CLAIM_DOCUMENT_LINK_DAYS"])


def sign(*, case_code: str, attachment_id: int, user_id: int) -> str:
    return signing.dumps([case_code, attachment_id, user_id], salt=_SALT, compress=False)


def read(token: str) -> DocumentLink:
    """The link's contents; LinkExpired / LinkInvalid otherwise (time from the clock)."""
    try:
        code, attachment_id, user_id = signing.loads(token, salt=_SALT, max_age=link_days() * 86400)
    except signing.SignatureExpired:
        raise LinkExpired from None
    except (signing.BadSignature, ValueError, TypeError):
        raise LinkInvalid from None
    return DocumentLink(str(code), int(attachment_id), int(user_id))

"""A logging filter that keeps secrets and personal data out of the logs: passwords, tokens,
API keys, Authorization headers and full document numbers are masked before any handler
writes the line."""

import json
import logging
import re
from collections.abc import Callable
from datetime import UTC, datetime

from sgu.core import requestid

_Replacement = str | Callable[[re.Match[str]], str]
_PATTERNS: list[tuple[re.Pattern[str], _Replacement]] = [
    # key=value / "key": "value" for secret-looking names
    (
        re.compile(
            r"""(?i)(["']?(?:password|passwd|contrase[ñn]a|secret|secreto|token|api[_-]?key|"""
            r"""authorization|otp|code_2fa|totp)["']?\s*[:=]\s*["']?)([^"'\s,;&}]+)"""
        ),
        r"\1[oculto]",
    ),
    (re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9._~+/=-]+"), r"\1 [oculto]"),
    (re.compile(r"\bsgu_[A-Za-z0-9_-]{8,}"), "sgu_[oculto]"),
    # Document numbers (DNI 8, CE 9, RUC 11 digits…): keep the last 3 digits only.
    (re.compile(r"(?<![\d-])(\d{5,9})(\d{3})(?!\d)"), lambda m: "*" * len(m.group(1)) + m.group(2)),
]


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:
            return True
        cleaned = redact(message)
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


class RequestIdFilter(logging.Filter):
    """Put the current request id (sgu.core.requestid) on every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = requestid.current() or "-"
        return True


# The attributes every LogRecord has; anything else was passed in `extra=` and is kept.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, request_id,
    the `extra=` fields, and the traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-").strip("-") or None,
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in entry:
                entry[key] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False, default=str)

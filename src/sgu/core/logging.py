"""A logging filter that keeps secrets and personal data out of the logs: passwords, tokens,
API keys, Authorization headers and full document numbers are masked before any handler
writes the line."""

import logging
import re
from collections.abc import Callable

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

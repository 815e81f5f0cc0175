"""Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP), small enough to own.

Codes are 6 digits, a new one every 30 seconds, HMAC-SHA1 (what every authenticator app
reads from an `otpauth://` link). A code is accepted in the step before, the current one and
the one after (clock drift), and never twice: the caller keeps the last step used."""

import base64
import hashlib
import hmac
import secrets
import struct
import time
from urllib.parse import quote, urlencode

STEP_SECONDS = 30
DIGITS = 6
ISSUER = "SGU"


def new_secret() -> str:
    """160 random bits in base32 (RFC 4226 recommends 160), as authenticator apps expect."""
    return base64.b32encode(secrets.token_bytes(20)).decode()


def _key(secret: str) -> bytes:
    cleaned = "".join(secret.split()).upper()
    return base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))


def hotp(key: bytes, counter: int, *, digits: int = DIGITS, digest=hashlib.sha1) -> str:
    mac = hmac.new(key, struct.pack(">Q", counter), digest).digest()
    offset = mac[-1] & 0x0F
    number = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


def step_at(timestamp: float) -> int:
    return int(timestamp // STEP_SECONDS)


def code_at(secret: str, timestamp: float, *, digits: int = DIGITS) -> str:
    """The code an authenticator app shows at `timestamp` (seconds since the epoch)."""
    return hotp(_key(secret), step_at(timestamp), digits=digits)


def now_code(secret: str) -> str:
    return code_at(secret, time.time())


def matching_step(
    secret: str, code: str, *, last_step: int | None = None, timestamp: float | None = None
) -> int | None:
    """The time step whose code is `code` (±1 step around now), or None.

    A step at or before `last_step` is refused: the same code cannot be used twice, and an
    older one cannot be used after a newer one."""
    code = "".join((code or "").split())
    if len(code) != DIGITS or not code.isdigit():
        return None
    key = _key(secret)
    current = step_at(time.time() if timestamp is None else timestamp)
    for step in (current - 1, current, current + 1):
        if last_step is not None and step <= last_step:
            continue
        if hmac.compare_digest(hotp(key, step), code):
            return step
    return None


def provisioning_uri(secret: str, account: str) -> str:
    """The `otpauth://` link an authenticator app reads from the QR code."""
    label = quote(f"{ISSUER}:{account}", safe="@:")
    query = urlencode({"secret": secret, "issuer": ISSUER, "digits": DIGITS, "period": 30})
    return f"otpauth://totp/{label}?{query}"


def qr_svg(data: str) -> str:
    """The QR code as an inline <svg> element (no image request, no inline style)."""
    import segno  # only the 2FA set-up page draws a QR: not loaded by every process

    return segno.make(data, error="m").svg_inline(
        scale=5, border=4, dark="#000", light="#fff", svgclass="qr", lineclass=None
    )


def grouped(secret: str) -> str:
    """The secret in groups of four, easier to type by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))

"""Security middleware: a strict Content-Security-Policy (and a few more headers), rate limits
on the API and the public forms, and idle expiry of web sessions."""

import hashlib
import time
from collections.abc import Callable
from typing import cast

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse

from sgu.core.errors import PROBLEM_CONTENT_TYPE, problem
from sgu.core.ratelimit import Check, RateLimited, client_ip, hit_all
from sgu.core.web import refused_page

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'self'; object-src 'none'"
)
# Narrow exceptions: Django's admin and the API docs (Swagger UI) set inline styles.
CSP_EXCEPTIONS = {
    "/admin/": CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'"),
    "/api/v1/docs": CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'"),
}


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:  # downloads set a stricter one
            policy = CSP
            for prefix, exception in CSP_EXCEPTIONS.items():
                if request.path.startswith(prefix):
                    policy = exception
                    break
            response["Content-Security-Policy"] = policy
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        response.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response


def _limits() -> dict[str, tuple[int, int]]:
    return cast(dict[str, tuple[int, int]], settings.SGU["RATE_LIMITS"])


# (path prefix, method or None for any) -> limit name; the first that matches wins.
SENSITIVE = [
    ("/api/v1/auth/token", "POST", "auth"),
    ("/api/v1/accounts", "POST", "auth"),
    ("/cuenta/ingresar/", "POST", "auth"),
    ("/cuenta/registro/", "POST", "auth"),
    ("/cuenta/recuperar/", "POST", "auth"),
    ("/cuenta/verificar/", "POST", "auth"),
    ("/api/v1/public/", None, "public"),
]


# The schema and its docs page are static documents (cacheable; no database).
UNLIMITED = ("/api/v1/openapi.json", "/api/v1/docs")


class RateLimitMiddleware:
    """Per IP on every API call and on the forms that anyone can post; per credential on
    authenticated API calls. Over the limit: 429 problem+json (API) or a 429 page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            self._check(request)
        except RateLimited as exc:
            return self._refuse(request, exc)
        return self.get_response(request)

    def _check(self, request: HttpRequest) -> None:
        limits = _limits()
        if not limits.get("ENABLED", True):
            return
        path, ip = request.path, client_ip(request)
        checks: list[Check] = []
        for prefix, method, name in SENSITIVE:
            if path.startswith(prefix) and (method is None or request.method == method):
                limit, window = limits[name]
                checks.append((f"{name}:ip:{ip}", limit, window))
                break
        if path.startswith("/api/") and not path.startswith(UNLIMITED):
            limit, window = limits["api_ip"]
            checks.append((f"api:ip:{ip}", limit, window))
            header = request.headers.get("Authorization", "")
            if header.lower().startswith("bearer ") and len(header) < 300:
                credential = hashlib.sha256(header[7:].strip().encode()).hexdigest()[:32]
                limit, window = limits["api_key"]
                checks.append((f"api:key:{credential}", limit, window))
        if checks:
            # Every counter of the request at once (one round trip with Redis).
            hit_all(checks)

    def _refuse(self, request: HttpRequest, exc: RateLimited) -> HttpResponse:
        if not request.path.startswith("/api/"):
            return refused_page(request, exc)
        response = JsonResponse(
            problem(429, exc.title, exc.detail),
            status=429,
            content_type=PROBLEM_CONTENT_TYPE,
            json_dumps_params={"ensure_ascii": False},
        )
        response["Retry-After"] = str(exc.retry_after)
        return response


class IdleSessionMiddleware:
    """A signed-in web session ends after SESSION_IDLE_SECONDS without activity (on top of
    the absolute SESSION_COOKIE_AGE). The timestamp is written at most once a minute."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        idle = getattr(settings, "SESSION_IDLE_SECONDS", 0)
        if idle and user is not None and user.is_authenticated:
            now = int(time.time())
            last = request.session.get("sgu_seen")
            if last is not None and now - last > idle:
                logout(request)
            elif last is None or now - last > 60:
                request.session["sgu_seen"] = now
        return self.get_response(request)

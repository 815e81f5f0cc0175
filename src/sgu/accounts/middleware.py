"""The second step of logging in. After the password, a person who must (staff, operator
users) or chose to (citizens) use two-factor authentication reaches nothing but the code
page — or, without an authenticator app yet, the page that sets it up — until the session
is marked verified. That mark is only ever set by those two pages."""

from collections.abc import Callable

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from sgu.accounts import services
from sgu.core.web import is_htmx

SESSION_KEY = "sgu_2fa"
VERIFIED = "ok"
NOT_USED = "none"  # a citizen without 2FA: remembered so the database is asked once


def mark_verified(request: HttpRequest) -> None:
    # A new session key at each privilege change, as login() does (no session fixation).
    request.session.cycle_key()
    request.session[SESSION_KEY] = VERIFIED


def forget_verification(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)


def is_verified(request: HttpRequest) -> bool:
    return request.session.get(SESSION_KEY) == VERIFIED


def pending_step(request: HttpRequest) -> str | None:
    """The URL name of the page the signed-in person must go through first, or None."""

    user = request.user
    if not user.is_authenticated:
        return None
    state = request.session.get(SESSION_KEY)
    if state == VERIFIED:
        return None
    required = services.second_factor_required(user)
    if state == NOT_USED and not required:
        return None
    if services.confirmed_device(user) is not None:
        return "accounts:second_factor"
    if required:
        return "accounts:second_factor_setup"
    request.session[SESSION_KEY] = NOT_USED
    return None


class SecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self._open: tuple[str, ...] | None = None

    def open_paths(self) -> tuple[str, ...]:
        if self._open is None:
            self._open = (
                reverse("accounts:second_factor"),
                reverse("accounts:second_factor_setup"),
                reverse("accounts:logout"),
            )
        return self._open

    def __call__(self, request: HttpRequest) -> HttpResponse:
        step = pending_step(request)
        if step is None or request.path in self.open_paths():
            return self.get_response(request)
        if request.path.startswith("/api/"):
            # The API sees a half-logged-in session as no session (bearer tokens still work).
            request.user = AnonymousUser()
            return self.get_response(request)
        target = reverse(step)
        if request.method == "GET" and not is_htmx(request):
            target += "?" + urlencode({"next": request.get_full_path()})
        if is_htmx(request):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return redirect(target)

import sys

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import redirect, render
from django.template import loader
from django.templatetags.static import static
from django.views.decorators.http import require_GET

from sgu.core import refusals
from sgu.core.errors import Refused, problem_response
from sgu.core.web import safe_next


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {"nav": "home"})


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask /favicon.ico of pages that name no icon (the admin's, a PDF, raw JSON):
    the site's own icon, not a 404 on the console."""
    return redirect(static("sgu/favicon.svg"), permanent=True)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "core/404.html", status=404)


def forbidden(
    request: HttpRequest, exception: Exception | None = None, reason: str = ""
) -> HttpResponse:
    if not reason and isinstance(exception, Refused) and exception.args:
        reason = str(exception.args[0])
    return render(request, "core/403.html", {"reason": reason}, status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    # Called while the exception is being handled: a database that cannot be reached is a
    # 503 the client may retry, not a 500 (it may have been raised by any middleware).
    exc = sys.exc_info()[1]
    if refusals.database_unavailable(exc):
        return refusals.unavailable(request)
    if refusals.is_api(request):
        return problem_response(
            500, "Error interno", "Ocurrió un error inesperado. Intente nuevamente en unos minutos."
        )
    # No request context: whatever broke (the database…) must not break the error page too.
    return HttpResponseServerError(loader.get_template("core/500.html").render({}))


ADMIN_ONLY = (
    "La administración del sistema es solo para los administradores del regulador. "
    "Si necesita cambiar algo allí, pídaselo a un supervisor."
)


def admin_login(request: HttpRequest) -> HttpResponse:
    """The admin's login page is ours (lockout, audit, second factor). Someone signed in who
    may not use the admin gets the 403 page: sending them back to /admin/ would loop."""

    target = safe_next(request, request.GET.get("next"), "/admin/")
    if not request.user.is_authenticated:
        return redirect_to_login(target)
    if not admin.site.has_permission(request):
        return forbidden(request, reason=ADMIN_ONLY)
    return redirect(target)

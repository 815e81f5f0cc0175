"""Who may open which page. Anonymous people are sent to log in; a signed-in person of the
wrong role gets the 403 page."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse

from sgu.accounts.models import Role
from sgu.core.web import is_htmx


def role_required(*roles: str):
    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                login = redirect_to_login(request.get_full_path())
                if is_htmx(request):
                    # A fragment request after the session expired: HTMX must load the login
                    # page as a page, not swap it into a corner of the current one.
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = login["Location"]
                    return response
                return login
            if user.role not in roles or not user.is_active:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


citizen_required = role_required(Role.CITIZEN)
operator_staff_required = role_required(Role.OPERATOR_AGENT, Role.OPERATOR_ADMIN)
regulator_staff_required = role_required(Role.REGULATOR_AGENT, Role.REGULATOR_SUPERVISOR)
operator_admin_required = role_required(Role.OPERATOR_ADMIN)

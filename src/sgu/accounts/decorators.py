"""Who may open which page. Anonymous people are sent to log in; a signed-in person of the
wrong role gets the 403 page."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse

from sgu.accounts.models import Role
from sgu.accounts.selectors import operator_admins
from sgu.core.errors import Refused
from sgu.core.web import is_htmx


def refusal(user, roles) -> str:
    """Why this person may not open the page, and who can: the operator's administrators by
    name when an agent reaches an administrator's page."""
    roles = set(roles)
    if roles == {Role.OPERATOR_ADMIN} and user.is_operator_staff:
        admins = ", ".join(
            f"{a.get_full_name() or a.email} ({a.email})"
            for a in operator_admins(user.operator)
            if a.pk != user.pk
        )
        text = f"Solo un administrador de {user.operator.name} puede hacerlo."
        return f"{text} Pídaselo a {admins}." if admins else text
    if roles == {Role.REGULATOR_SUPERVISOR} and user.is_regulator_staff:
        return "Solo un supervisor del regulador puede hacerlo; pídaselo a su supervisor."
    labels = [label.lower() for value, label in Role.choices if value in roles]
    return "Esta página es para: " + ", ".join(labels) + "."


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
                raise Refused(refusal(user, roles))
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


citizen_required = role_required(Role.CITIZEN)
operator_staff_required = role_required(Role.OPERATOR_AGENT, Role.OPERATOR_ADMIN)
regulator_staff_required = role_required(Role.REGULATOR_AGENT, Role.REGULATOR_SUPERVISOR)
operator_admin_required = role_required(Role.OPERATOR_ADMIN)

"""Who may open which page. Anonymous people are sent to log in; a signed-in person of the
wrong role gets the 403 page."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from sgu.accounts.models import Role


def role_required(*roles: str):
    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if user.role not in roles or not user.is_active:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


citizen_required = role_required(Role.CITIZEN)
operator_staff_required = role_required(Role.OPERATOR_AGENT, Role.OPERATOR_ADMIN)

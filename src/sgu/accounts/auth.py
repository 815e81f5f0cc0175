"""How API callers are recognised. Each returns a Principal (sgu.core.principal)."""

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from sgu.accounts import selectors, services
from sgu.core.principal import Actor, Principal

PROVIDER_ACTOR = "PROVIDER"


def principal_for_user(user) -> Principal:
    if user.is_operator_staff:
        return Principal(actor_role=Actor.OPERATOR, user=user, operator=user.operator)
    if user.is_regulator_staff:
        return Principal(actor_role=Actor.REGULATOR, user=user)
    if user.is_provider_staff:
        # The contact-centre provider's staff (sgu.provider): never a citizen, never a case.
        return Principal(actor_role=PROVIDER_ACTOR, user=user)
    return Principal(actor_role=Actor.CITIZEN, user=user)


def user_for_bearer(raw: str):
    """The person behind a live bearer token (its use recorded), or None."""
    token = selectors.live_token(raw)
    if token is None:
        return None
    services.record_credential_use(credential=token)
    return token.user


class UserToken(HttpBearer):
    """Bearer token of a citizen or regulator staff member."""

    def authenticate(self, request: HttpRequest, token: str) -> Principal | None:
        user = user_for_bearer(token)
        if user is None or user.is_operator_staff:
            return None
        return principal_for_user(user)


class _Session(SessionAuth):
    """The web UI's session cookie, CSRF-checked for unsafe methods — only when there is a
    session cookie: a client that sends none (an API client without credentials) is simply
    not authenticated by it, and gets the API's 401 with `WWW-Authenticate: Bearer`, not a
    403 about a CSRF token it never needed."""

    def _get_key(self, request: HttpRequest) -> str | None:
        if not request.COOKIES.get(self.param_name):
            return None
        return super()._get_key(request)


class UserSession(_Session):
    """The web UI's session cookie (CSRF-checked for unsafe methods)."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Principal | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or user.is_operator_staff:
            return None
        return principal_for_user(user)


class OperatorKey(HttpBearer):
    """An operator back-end's API key: everything it sees is scoped to its operator."""

    def authenticate(self, request: HttpRequest, token: str) -> Principal | None:
        key = selectors.operator_key(token)
        if key is None:
            return None
        services.record_credential_use(credential=key)
        return Principal(actor_role=Actor.OPERATOR, operator=key.operator, api_key_id=key.pk)


class OperatorSession(_Session):
    def authenticate(self, request: HttpRequest, key: str | None) -> Principal | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_operator_staff:
            return None
        return principal_for_user(user)


user_auth = [UserToken(), UserSession()]
operator_auth = [OperatorKey(), OperatorSession()]

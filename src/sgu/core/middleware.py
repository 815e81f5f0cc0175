"""Under /api/, the few answers Django produces outside the API's own exception handlers
(an unknown path's 404, a wrong method's 405) are problem+json in Spanish too: API clients
parse one error format, never an HTML page."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

from sgu.core.errors import PROBLEM_CONTENT_TYPE, problem

API_PREFIX = "/api/"

_PROBLEMS = {
    404: ("No encontrado", "El recurso no existe."),
    405: ("Método no permitido", "Este método no está permitido aquí."),
}


class ApiProblemMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code in _PROBLEMS
            and request.path.startswith(API_PREFIX)
            and not response.get("Content-Type", "").startswith(PROBLEM_CONTENT_TYPE)
        ):
            title, detail = _PROBLEMS[response.status_code]
            replacement = JsonResponse(
                problem(response.status_code, title, detail),
                status=response.status_code,
                content_type=PROBLEM_CONTENT_TYPE,
                json_dumps_params={"ensure_ascii": False},
            )
            if response.has_header("Allow"):
                replacement["Allow"] = response["Allow"]
            return replacement
        return response

"""The citizen site as an installable app (the instructivo's «aplicativo móvil»): its web app
manifest, its service worker and the page it shows without a connection.

The app's scope is /casos/ (the citizen's reports); the worker is served from that scope's
root, so it needs no wider `Service-Worker-Allowed`. Its list of files to keep comes from
`static()`, so it names the hashed files of production too, and its cache name changes with
them (a new deployment replaces the old shell)."""

import hashlib
import json

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_GET

SCOPE = "/casos/"
THEME = "#0b3d91"


def _shell() -> list[str]:
    return [
        reverse("cases:offline"),
        static("sgu/sgu.css"),
        static("sgu/sgu.js"),
        static("sgu/htmx.min.js"),
        static("sgu/app.js"),
        static("sgu/favicon.svg"),
        static("sgu/app/icon-192.png"),
        static("sgu/app/icon-512.png"),
    ]


@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    body = {
        "name": "SGU — Reportar un problema con su operadora",
        "short_name": "SGU",
        "description": "Reporte un problema con su empresa operadora de telecomunicaciones y "
        "siga su caso, también con mala señal: lo que escribe sin conexión se guarda en su "
        "teléfono y se envía cuando vuelve la conexión.",
        "lang": "es-PE",
        "dir": "ltr",
        "id": SCOPE,
        "start_url": reverse("cases:new") + "?canal=app",
        "scope": SCOPE,
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": THEME,
        "categories": ["utilities", "government"],
        "icons": [
            {"src": static("sgu/app/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("sgu/app/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": static("sgu/app/icon-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    response = JsonResponse(body, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json; charset=utf-8"
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    shell = _shell()
    config = {
        "cache": "sgu-app-" + hashlib.sha256("\n".join(shell).encode()).hexdigest()[:12],
        "shell": shell,
        "scope": SCOPE,
        "offline": reverse("cases:offline"),
        # Pages kept for opening the app without a connection: the report form only (never a
        # case's page, which holds personal data).
        "keep": [reverse("cases:new")],
    }
    response = render(
        request,
        "cases/sw.js",
        {"config": json.dumps(config)},
        content_type="text/javascript; charset=utf-8",
    )
    response["Service-Worker-Allowed"] = SCOPE
    # The browser checks for a new worker on each visit: never a stale copy in between.
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    """What the app shows when a page cannot be loaded (kept by the worker): no personal
    data, nothing that needs a session."""
    # `messages` emptied: the worker fetches this page in the background and must not use up
    # a message meant for the page the citizen is looking at.
    return render(request, "cases/offline.html", {"nav": "new", "messages": ()})

"""The baseline of `bench/intake.py`: the SGU URLconf plus one bare Django endpoint that
inserts one row and answers 201 — the least a Django request that writes can cost on this
stack (same middleware, same gunicorn, same database connection settings)."""

from django.db import connection
from django.http import JsonResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from sgu import urls as sgu_urls

TABLE = "bench_insert"  # created by bench/intake.py (BASELINE_TABLE_SQL)


@csrf_exempt
@require_POST
def insert(request):
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {TABLE} (payload) VALUES (%s) RETURNING id",
            [request.body.decode()],
        )
        (row_id,) = cur.fetchone()
    return JsonResponse({"id": row_id}, status=201)


urlpatterns = [
    path("bench/insert", insert),
    path("", include(sgu_urls)),
]
# The real URLconf's error pages (Django looks them up on the root URLconf only).
for _name in ("handler400", "handler403", "handler404", "handler500"):
    if hasattr(sgu_urls, _name):
        globals()[_name] = getattr(sgu_urls, _name)

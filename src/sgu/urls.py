from django.contrib import admin
from django.urls import include, path

from sgu.accounts import urls as accounts_urls
from sgu.api import api
from sgu.attention import assisted_urls
from sgu.cases import account_urls as cases_account_urls
from sgu.cases import operator_urls as cases_operator_urls
from sgu.cases import staff_urls as cases_staff_urls
from sgu.core import health, metrics
from sgu.core import views as core_views
from sgu.operators import urls as operators_urls

# /cuenta/: the accounts' pages and the two the cases app serves there (confirming the email
# forwards the waiting cases; a citizen's data download includes their cases), one namespace.
account_pages = accounts_urls.urlpatterns + cases_account_urls.urlpatterns
# /operadora/: the organisation's pages (webhook, staff, keys) and its tray of cases.
operator_pages = cases_operator_urls.urlpatterns + operators_urls.urlpatterns
# /regulador/: the staff's case pages and the assisted registration (attention's flow).
staff_pages = cases_staff_urls.urlpatterns + assisted_urls.urlpatterns

admin.site.site_header = "SGU — administración del regulador"
admin.site.site_title = "SGU"
admin.site.index_title = "Configuración"

urlpatterns = [
    path("", core_views.home, name="home"),
    # Probes (core/health.py): the process answers; it can do its work.
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    # Prometheus, not public (core/metrics.py): a bearer token, or loopback outside production.
    path("metrics", metrics.metrics_view, name="metrics"),
    path("favicon.ico", core_views.favicon),
    # One login for everybody (lockout, audit, second factor): the admin's own login page
    # sends people to it.
    path("admin/login/", core_views.admin_login),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("cuenta/", include((account_pages, "accounts"))),
    path("casos/", include("sgu.cases.urls")),
    path("operadora/", include((operator_pages, "operators"))),
    path("regulador/estadisticas/", include("sgu.reporting.urls")),
    path("regulador/conocimiento/", include("sgu.knowledge.urls")),
    path("regulador/sugerencias/", include("sgu.suggestions.staff_urls")),
    path("regulador/atencion/", include("sgu.attention.urls")),
    path("regulador/informacion-operadoras/", include("sgu.operators.staff_urls")),
    path("regulador/", include((staff_pages, "staff"))),
    path("proveedor/", include("sgu.provider.urls")),
    path("inoperatividad/", include("sgu.outages.urls")),
    path("bajas-migraciones/", include("sgu.service_requests.urls")),
    path("atencion/", include("sgu.attention.public_urls")),
    path("sugerencias/", include("sgu.suggestions.urls")),
    # Without an account: the operators' indicators and open data, a case's status.
    path("indicadores/", include("sgu.reporting.public_urls")),
    path("consulta/caso/", include("sgu.cases.public_urls")),
]

handler400 = "sgu.core.refusals.bad_request"
handler403 = "sgu.core.views.forbidden"
handler404 = "sgu.core.views.not_found"
handler500 = "sgu.core.views.server_error"

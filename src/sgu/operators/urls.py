from django.urls import path
from django.views.generic import RedirectView

from sgu.operators import portal_views

# Mounted by sgu/urls.py under /operadora/, in the "operators" namespace, with the tray pages
# the cases app serves (cases/operator_urls.py).
app_name = "operators"
urlpatterns = [
    path("", RedirectView.as_view(pattern_name="operators:tray"), name="index"),
    path("webhook/", portal_views.webhook, name="webhook"),
    path(
        "webhook/entregas/<int:delivery_id>/",
        portal_views.webhook_delivery,
        name="webhook_delivery",
    ),
    path(
        "webhook/entregas/<int:delivery_id>/reenviar/",
        portal_views.webhook_redeliver,
        name="webhook_redeliver",
    ),
    path("personal/", portal_views.staff, name="staff"),
    path("personal/<int:user_id>/rol/", portal_views.staff_role, name="staff_role"),
    path("personal/<int:user_id>/funciones/", portal_views.staff_duties, name="staff_duties"),
    path(
        "personal/<int:user_id>/desactivar/",
        portal_views.staff_deactivate,
        name="staff_deactivate",
    ),
    path(
        "personal/<int:user_id>/reactivar/",
        portal_views.staff_reactivate,
        name="staff_reactivate",
    ),
    path(
        "personal/invitaciones/<int:invitation_id>/anular/",
        portal_views.cancel_invitation,
        name="cancel_invitation",
    ),
    path("invitacion/<str:token>/", portal_views.accept_invitation, name="accept_invitation"),
    path("informacion/", portal_views.information, name="information"),
    path(
        "informacion/<str:kind>/",
        portal_views.replace_information,
        name="replace_information",
    ),
    path("claves/", portal_views.api_keys, name="api_keys"),
    path("claves/<int:key_id>/revocar/", portal_views.revoke_api_key, name="revoke_api_key"),
]

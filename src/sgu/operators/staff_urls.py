from django.urls import path

from sgu.operators import portal_views

# Mounted by sgu/urls.py under /regulador/informacion-operadoras/: the regulator's view of how
# current each operator keeps the information the citizen's form offers.
app_name = "operator_info"
urlpatterns = [
    path("", portal_views.information_freshness, name="freshness"),
]

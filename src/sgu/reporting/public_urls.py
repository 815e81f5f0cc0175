from django.urls import path

from sgu.reporting import public_views

app_name = "public_indicators"
urlpatterns = [
    path("", public_views.indicators, name="indicators"),
]

"""Assisted registration pages (attention/assisted_views.py). sgu/urls.py mounts them under
/regulador/ together with cases/staff_urls.py, in the one "staff" namespace."""

from django.urls import path

from sgu.attention import assisted_views as views

urlpatterns = [
    path("registrar/", views.new_case, name="new_case"),
    path("registrar/campos/", views.new_case_fields, name="new_case_fields"),
]

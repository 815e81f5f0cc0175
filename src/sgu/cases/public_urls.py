from django.urls import path

from sgu.cases import public_views

app_name = "public_cases"
urlpatterns = [
    path("", public_views.case_status, name="status"),
]

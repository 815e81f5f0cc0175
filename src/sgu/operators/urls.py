from django.urls import path

from sgu.operators import views

app_name = "operators"
urlpatterns: list = []

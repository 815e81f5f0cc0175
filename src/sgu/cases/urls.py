from django.urls import path

from sgu.cases import views

app_name = "cases"
urlpatterns: list = []

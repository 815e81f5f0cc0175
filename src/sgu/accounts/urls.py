from django.urls import path

from sgu.accounts import views

app_name = "accounts"
urlpatterns: list = []

from django.urls import path

from sgu.suggestions import views

app_name = "suggestions"
urlpatterns = [
    path("", views.send, name="send"),
    path("enviada/", views.sent, name="sent"),
]

from django.urls import path

from sgu.attention import views

app_name = "survey"
urlpatterns = [
    path("encuesta/<str:token>/", views.survey_by_token, name="token"),
    path("mis-encuestas/", views.my_surveys, name="mine"),
    path("mis-encuestas/<int:pk>/", views.my_survey, name="mine_answer"),
]

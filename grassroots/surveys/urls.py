from django.urls import path

from grassroots.surveys import views

app_name = "surveys"

urlpatterns = [
    path("", views.survey_list, name="survey_list"),
    path("new/", views.survey_create, name="survey_create"),
    path("<int:survey_id>/", views.survey_detail, name="survey_detail"),
    path("<int:survey_id>/manage/", views.survey_manage, name="survey_manage"),
    path("<int:survey_id>/questions/new/", views.question_add, name="survey_question_add"),
    path("<int:survey_id>/open/", views.survey_open, name="survey_open"),
    path("<int:survey_id>/close/", views.survey_close, name="survey_close"),
    path("<int:survey_id>/results/", views.survey_results, name="survey_results"),
]

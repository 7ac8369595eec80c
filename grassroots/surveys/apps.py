from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "grassroots.surveys"
    verbose_name = "Surveys"

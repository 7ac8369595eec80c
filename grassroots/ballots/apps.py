from django.apps import AppConfig


class BallotsConfig(AppConfig):
    name = "grassroots.ballots"
    label = "ballots"

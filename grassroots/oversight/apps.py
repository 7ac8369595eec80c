from django.apps import AppConfig


class OversightConfig(AppConfig):
    name = "grassroots.oversight"
    verbose_name = "Oversight"

from django.apps import AppConfig


class DelegationConfig(AppConfig):
    name = "grassroots.delegation"
    verbose_name = "Delegates and forwarded motions"

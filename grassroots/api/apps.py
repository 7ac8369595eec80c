from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "grassroots.api"
    label = "api"
    verbose_name = "JSON API"

    def ready(self) -> None:
        # What api holds about a member, for erasure:
        # people runs them but cannot import api (docs/decisions.md).
        from grassroots.api import personal_data
        from grassroots.people.erasure_rules import register_erasure_rules

        register_erasure_rules("api", personal_data.ERASURE_RULES)

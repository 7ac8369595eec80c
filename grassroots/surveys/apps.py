from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "grassroots.surveys"
    verbose_name = "Surveys"

    def ready(self) -> None:
        # What surveys holds about a member, for erasure:
        # people runs them but cannot import surveys (docs/decisions.md).
        from grassroots.people.erasure_rules import register_erasure_rules
        from grassroots.surveys import personal_data

        register_erasure_rules("surveys", personal_data.ERASURE_RULES)

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

        # What surveys asks of a member, on their home page (grassroots.people.attention).
        from grassroots.people.attention import register_attention_source
        from grassroots.surveys.attention import attention_items as surveys_attention
        from grassroots.surveys.attention import attention_probe as surveys_attention_probe

        register_attention_source("surveys", surveys_attention, probe=surveys_attention_probe)

from django.apps import AppConfig


class SortitionConfig(AppConfig):
    name = "grassroots.sortition"
    verbose_name = "Sortition"

    def ready(self) -> None:
        # What sortition holds about a member, for erasure:
        # people runs them but cannot import sortition (docs/decisions.md).
        from grassroots.people.erasure_rules import register_erasure_rules
        from grassroots.sortition import personal_data

        register_erasure_rules("sortition", personal_data.ERASURE_RULES)

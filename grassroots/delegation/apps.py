from django.apps import AppConfig


class DelegationConfig(AppConfig):
    name = "grassroots.delegation"
    verbose_name = "Delegates and forwarded motions"

    def ready(self) -> None:
        # What delegation holds about a member, for erasure:
        # people runs them but cannot import delegation (docs/decisions.md).
        from grassroots.delegation import personal_data
        from grassroots.people.erasure_rules import register_erasure_rules

        register_erasure_rules(
            "delegation",
            personal_data.ERASURE_RULES,
            steps_before_login=personal_data.ERASURE_STEPS,
        )

from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "grassroots.people"
    label = "people"

    def ready(self) -> None:
        # People's own erasure rules, registered as every app registers its own.
        from grassroots.people import personal_data
        from grassroots.people.erasure_rules import register_erasure_rules

        register_erasure_rules("people", personal_data.ERASURE_RULES)

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "grassroots.notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        # What notifications hold about a member, for erasure and the subject-access export:
        # people runs them but cannot import this app (docs/decisions.md).
        from grassroots.notifications import personal_data
        from grassroots.people.erasure_rules import register_erasure_rules
        from grassroots.people.subject_access import register_section

        register_erasure_rules("notifications", personal_data.ERASURE_RULES)
        register_section(personal_data.SUBJECT_ACCESS)

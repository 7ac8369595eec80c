from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "grassroots.messaging"
    verbose_name = "Messaging"

    def ready(self) -> None:
        # What messaging holds about a member, for erasure and the subject-access export:
        # people runs them but cannot import messaging (docs/decisions.md).
        from grassroots.messaging import personal_data
        from grassroots.people.erasure_rules import register_erasure_rules
        from grassroots.people.subject_access import register_section

        register_erasure_rules("messaging", personal_data.ERASURE_RULES)
        register_section(personal_data.SUBJECT_ACCESS)

        # Writing to members, on the home page of those who may.
        from grassroots.messaging.queries import may_message_members
        from grassroots.people.attention import RolePage, register_role_page

        register_role_page(
            RolePage(
                "Messages to members",
                "messaging:mailout_list",
                may_message_members,
            )
        )

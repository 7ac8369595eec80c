from typing import Any

from django.apps import AppConfig


def _member_email_follows_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    from grassroots.people.services import follow_login_email_change

    follow_login_email_change(actor=user, new_email=kwargs["to_email_address"].email)


class AccountsConfig(AppConfig):
    name = "grassroots.accounts"
    label = "accounts"

    def ready(self) -> None:
        # The login's own tables go with the login when a member is erased (people's erasure
        # runs every app's registered rules: docs/decisions.md).
        from grassroots.accounts import personal_data
        from grassroots.people.erasure_rules import register_erasure_rules

        register_erasure_rules("accounts", personal_data.ERASURE_RULES)

        # allauth's email page changes the login address inside its own views; its
        # email_changed signal is the one place we can hear of it. This is the only signal
        # receiver in the project: it hands straight over to a people service.
        from allauth.account.signals import email_changed

        email_changed.connect(_member_email_follows_login, dispatch_uid="member-email-follows")

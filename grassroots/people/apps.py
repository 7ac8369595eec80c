from collections.abc import Callable
from typing import Any

from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "grassroots.people"
    label = "people"

    def ready(self) -> None:
        # People's own erasure rules, registered as every app registers its own.
        from grassroots.people import personal_data
        from grassroots.people.erasure_rules import register_erasure_rules

        register_erasure_rules("people", personal_data.ERASURE_RULES)

        # The pages of people's that only some roles use, on their home page.
        from grassroots.organisation.permissions import Capability, scopes_for
        from grassroots.people.attention import RolePage, register_role_page

        def has(capability: Capability, *, everywhere: bool = False) -> Callable[[Any], bool]:
            def check(user: Any) -> bool:
                scopes = scopes_for(user, capability)
                return scopes.everywhere if everywhere else not scopes.is_empty

            return check

        register_role_page(RolePage("Member list", "member_list", has(Capability.VIEW_MEMBERS)))
        register_role_page(
            RolePage(
                "Members' contact details",
                "member_contact_list",
                has(Capability.CONTACT_MEMBERS),
            )
        )
        register_role_page(
            RolePage(
                "Import members",
                "member_import",
                has(Capability.IMPORT_MEMBERS, everywhere=True),
            )
        )

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

        # A member's language is read once, at login (the middleware reads it for sessions
        # made before this receiver, and for logins made otherwise).
        from django.contrib.auth.signals import user_logged_in

        from grassroots.people.languages import remember_at_login

        user_logged_in.connect(remember_at_login, dispatch_uid="people.remember_language")

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
        # The membership lifecycle: what waits for a member, and the national pages.
        from grassroots.people.attention import register_attention_source
        from grassroots.people.discipline import DECIDING_BODIES
        from grassroots.people.dues import may_record_dues
        from grassroots.people.membership_attention import (
            cases_items,
            cases_probe,
            own_items,
            own_probe,
        )

        register_attention_source("membership", own_items, probe=own_probe)
        register_attention_source("membership:cases", cases_items, probe=cases_probe)
        register_role_page(RolePage("Dues", "dues_home", may_record_dues))
        from grassroots.people.affiliations import may_check_affiliations

        register_role_page(
            RolePage("Other organisations' lists", "other_organisations", may_check_affiliations)
        )

        def sits_on_a_deciding_body(user: Any) -> bool:
            from grassroots.organisation.permissions import may_decide_appeals

            return any(may_decide_appeals(user, body) for body in DECIDING_BODIES)

        register_role_page(
            RolePage("Disciplinary cases", "discipline_cases", sits_on_a_deciding_body)
        )
        register_role_page(
            RolePage(
                "Import members",
                "member_import",
                has(Capability.IMPORT_MEMBERS, everywhere=True),
            )
        )

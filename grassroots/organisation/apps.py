from django.apps import AppConfig


class OrganisationConfig(AppConfig):
    name = "grassroots.organisation"
    label = "organisation"

    def ready(self) -> None:
        # What organisation holds about a member, for erasure and the subject-access export:
        # people runs them but cannot import organisation (docs/decisions.md).
        from grassroots.organisation import personal_data
        from grassroots.people.erasure_rules import register_erasure_rules
        from grassroots.people.subject_access import register_section

        register_erasure_rules(
            "organisation",
            personal_data.ERASURE_RULES,
            steps_before_login=personal_data.ERASURE_STEPS,
        )
        register_section(personal_data.SUBJECT_ACCESS)

        # What organisation asks of a member, on their home page (grassroots.people.attention).
        from grassroots.organisation import attention
        from grassroots.people.attention import register_attention_source

        register_attention_source(
            "organisation", attention.groups_items, probe=attention.groups_probe
        )
        register_attention_source(
            "organisation:appeals", attention.appeals_items, probe=attention.appeals_probe
        )

        # Officers' pages of organisation's, on the home page of those who may use them.
        from grassroots.organisation.permissions import NATION, Capability, may, scopes_for
        from grassroots.people.attention import RolePage, register_role_page

        register_role_page(
            RolePage(
                "National overview",
                "national_overview",
                lambda user: may(user, Capability.VIEW_NATIONAL_OVERVIEW, NATION),
            )
        )
        register_role_page(
            RolePage(
                "Group recognition",
                "recognition_dashboard",
                lambda user: not scopes_for(user, Capability.VIEW_RECOGNITION).is_empty,
            )
        )
        register_role_page(
            RolePage(
                "Recognition criteria",
                "recognition_criteria",
                lambda user: scopes_for(user, Capability.MANAGE_RECOGNITION).everywhere,
            )
        )
        from grassroots.organisation.permissions import changes_structure_somewhere

        register_role_page(
            RolePage(
                "Regions, areas and groups",
                "structure_home",
                changes_structure_somewhere,
            )
        )
        from grassroots.organisation.services.roles import may_manage_roles_above

        register_role_page(
            RolePage("Coordinators and national roles", "roles_above", may_manage_roles_above)
        )
        register_role_page(
            RolePage(
                "Audit log", "audit_log", lambda user: may(user, Capability.VIEW_AUDIT_LOG, NATION)
            )
        )

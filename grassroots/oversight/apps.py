from django.apps import AppConfig


class OversightConfig(AppConfig):
    name = "grassroots.oversight"
    verbose_name = "Oversight"

    def ready(self) -> None:
        # What oversight holds about a member, for erasure:
        # people runs them but cannot import oversight (docs/decisions.md).
        from grassroots.oversight import personal_data
        from grassroots.people.erasure_rules import register_erasure_rules

        register_erasure_rules("oversight", personal_data.ERASURE_RULES)

        # Initiative ballots report their results back here, and initiatives close at their
        # deadline on the ballot scheduler's tick (ballots cannot import oversight:
        # docs/decisions.md).
        from grassroots.ballots.results import register_result_handler
        from grassroots.ballots.scheduler import register_tick_step
        from grassroots.oversight.services import close_lapsed_initiatives, record_ballot_result

        register_result_handler("oversight.initiative", record_ballot_result)
        register_tick_step("oversight.close_lapsed_initiatives", close_lapsed_initiatives)

        # What oversight asks of a member, on their home page (grassroots.people.attention).
        from grassroots.oversight.attention import attention_items as oversight_attention
        from grassroots.oversight.attention import attention_probe as oversight_attention_probe
        from grassroots.people.attention import register_attention_source

        register_attention_source("oversight", oversight_attention, probe=oversight_attention_probe)

        # The oversight rules, on the home page of those who set them.
        from grassroots.organisation.permissions import NATION, Capability, may
        from grassroots.people.attention import RolePage, register_role_page

        register_role_page(
            RolePage(
                "Oversight rules",
                "oversight_rules",
                lambda user: may(user, Capability.SET_OVERSIGHT_RULES, NATION),
            )
        )

from django.apps import AppConfig


class ProposalsConfig(AppConfig):
    name = "grassroots.proposals"
    verbose_name = "Decisions between meetings"

    def ready(self) -> None:
        # The apps below proposals cannot import it (docs/decisions.md): each takes what it
        # needs from proposals as a registration here.
        from grassroots.ballots.scheduler import register_tick_step
        from grassroots.meetings.extensions import register_minutes_section
        from grassroots.organisation.group_page import GroupPanel, register_group_panel
        from grassroots.people.attention import register_attention_source
        from grassroots.people.erasure_rules import register_erasure_rules
        from grassroots.proposals import personal_data
        from grassroots.proposals.attention import attention_items, attention_probe
        from grassroots.proposals.minutes import decided_between_meetings
        from grassroots.proposals.queries import group_panel
        from grassroots.proposals.services.closing import close_due_proposals

        register_erasure_rules("proposals", personal_data.ERASURE_RULES)
        # The group page lists the group's open proposals and latest decisions; the home page
        # asks members for the positions they have not taken.
        register_group_panel(
            GroupPanel(owner="proposals", template="proposals/group_panel.html", data=group_panel)
        )
        register_attention_source("proposals", attention_items, probe=attention_probe)
        # Proposals close at their deadline on the one scheduler's tick, never in a request.
        register_tick_step("proposals.close_due_proposals", close_due_proposals)
        # The next meeting's draft minutes report what was decided between meetings.
        register_minutes_section("proposals", decided_between_meetings)

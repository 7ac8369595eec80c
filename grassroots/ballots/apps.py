from django.apps import AppConfig


class BallotsConfig(AppConfig):
    name = "grassroots.ballots"
    label = "ballots"

    def ready(self) -> None:
        # What ballots holds about a member, for erasure and the subject-access export:
        # people runs them but cannot import ballots (docs/decisions.md).
        from grassroots.ballots import personal_data
        from grassroots.people.erasure_rules import register_erasure_rules
        from grassroots.people.subject_access import register_section

        register_erasure_rules("ballots", personal_data.ERASURE_RULES)
        register_section(personal_data.SUBJECT_ACCESS)

        # The group page lists the ballots that reach the group (organisation sits below
        # ballots: docs/decisions.md).
        from grassroots.ballots.queries import ballots_reaching_group
        from grassroots.organisation.group_page import GroupPanel, register_group_panel

        register_group_panel(
            GroupPanel(
                owner="ballots",
                template="ballots/group_panel.html",
                data=lambda group: {"ballots": ballots_reaching_group(group)},
            )
        )

        # What ballots asks of a member, on their home page (grassroots.people.attention).
        from grassroots.ballots import attention
        from grassroots.people.attention import register_attention_source

        register_attention_source("ballots", attention.vote_items, probe=attention.vote_probe)
        register_attention_source(
            "ballots:teller", attention.teller_items, probe=attention.teller_probe
        )
        register_attention_source(
            "ballots:nomination", attention.nomination_items, probe=attention.nomination_probe
        )

        # The visitors' front page lists the latest published results.
        from grassroots.ballots.models import Ballot, BallotStatus
        from grassroots.people.attention import PublicPanel, register_public_panel

        register_public_panel(
            PublicPanel(
                owner="ballots",
                template="ballots/public_panel.html",
                data=lambda: {
                    "ballots": list(
                        Ballot.objects.filter(status=BallotStatus.PUBLISHED).order_by(
                            "-published_at"
                        )[:5]
                    )
                },
            )
        )

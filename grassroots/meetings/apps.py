from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "grassroots.meetings"
    verbose_name = "Meetings"

    def ready(self) -> None:
        # What meetings holds about a member, for erasure:
        # people runs them but cannot import meetings (docs/decisions.md).
        from grassroots.meetings import personal_data
        from grassroots.people.erasure_rules import register_erasure_rules

        register_erasure_rules("meetings", personal_data.ERASURE_RULES)

        # A motion sent to a ballot of members gets its result when the ballot publishes it
        # (ballots cannot import meetings: docs/decisions.md).
        from grassroots.ballots.results import register_result_handler
        from grassroots.meetings.services.decisions import record_ballot_result

        register_result_handler("meetings.motion", record_ballot_result)
        # A group's support for a nomination can cite the motion its meeting carried.
        from grassroots.ballots.resolutions import register_carried_motions
        from grassroots.meetings.queries import CarriedMotions

        register_carried_motions("meetings.motion", CarriedMotions())

        # What meetings asks of a member, on their home page (grassroots.people.attention).
        from grassroots.meetings import attention
        from grassroots.people.attention import register_attention_source

        register_attention_source("meetings", attention.second_items, probe=attention.second_probe)
        register_attention_source(
            "meetings:today", attention.today_items, probe=attention.today_probe
        )

        # A group merged into another takes its meetings with it (docs/organisation.md).
        from grassroots.meetings.structure import carry_meetings
        from grassroots.organisation.structure_hooks import register_group_merge_hook

        register_group_merge_hook("meetings", carry_meetings)

from django.apps import AppConfig


class AssemblyConfig(AppConfig):
    name = "grassroots.assembly"
    verbose_name = "Meetings in session"

    def ready(self) -> None:
        # Meetings cannot import this app (it sits above meetings): it takes the links for a
        # meeting's page and the minutes' sections by registration (docs/decisions.md).
        from grassroots.assembly import minutes, queries
        from grassroots.meetings.extensions import register_meeting_links, register_minutes_section

        register_meeting_links("assembly", queries.meeting_links)
        register_minutes_section("assembly", minutes.minutes_lines)

        from grassroots.assembly import personal_data
        from grassroots.people.erasure_rules import register_erasure_rules

        register_erasure_rules("assembly", personal_data.ERASURE_RULES)

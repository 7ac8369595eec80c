from django.apps import AppConfig


class SlatesConfig(AppConfig):
    name = "grassroots.slates"
    verbose_name = "Slates"

    def ready(self) -> None:
        # A selection ballot's published result fills its slate; ballots cannot import slates
        # (an import contract), so slates registers its handler (docs/decisions.md).
        from grassroots.ballots.results import register_result_handler
        from grassroots.slates.services import fill_from_ballot

        register_result_handler("slates.fill", fill_from_ballot)

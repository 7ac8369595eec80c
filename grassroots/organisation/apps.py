from django.apps import AppConfig


class OrganisationConfig(AppConfig):
    name = "grassroots.organisation"
    label = "organisation"

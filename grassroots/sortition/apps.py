from django.apps import AppConfig


class SortitionConfig(AppConfig):
    name = "grassroots.sortition"
    verbose_name = "Sortition"

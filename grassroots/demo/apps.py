from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo movement (``manage.py seed_demo``): above every app, seeded through their
    services; no model of its own, and nothing in the apps below knows it exists."""

    name = "grassroots.demo"
    label = "demo"
    verbose_name = "Demo movement"

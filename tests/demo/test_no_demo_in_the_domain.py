"""The demo is an app above the others (docs/decisions.md): no domain model carries a demo mark,
and the demo app has no model of its own. What the demo needs from an app is an interface any
deployment could use, named in the demo's settings (e.g. grassroots.ballots.custody)."""

from __future__ import annotations

from django.apps import apps


def test_no_model_has_a_demo_field():
    marked = [
        f"{model._meta.label_lower}.{field.name}"
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label != "demo"
        for field in model._meta.get_fields()
        if "demo" in field.name.lower()
    ]
    assert not marked, f"{marked}: a demo mark on a domain model; use a deployment setting"


def test_the_demo_app_has_no_model():
    assert list(apps.get_app_config("demo").get_models()) == []

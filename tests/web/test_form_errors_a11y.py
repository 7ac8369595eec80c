"""Rejected forms for screen readers (issue 21), checked on every form of the project through the
shared field template: each field with an error is marked aria-invalid and described by its
error message (and a group of radios or checkboxes by its fieldset); the page title starts with
"Error:"; the error summary is the first thing focused (static/js/forms.js, tested in Chromium
by tests/browser/test_form_errors.py)."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from grassroots.people.templatetags.form_pages import prefixed as error_title
from tests.security.test_form_bounds import FORMS, build
from tests.web.roles import build_movement

pytestmark = pytest.mark.django_db


def _rejected_fields():
    for form_class in FORMS:
        form = build(form_class, {})
        if not hasattr(form, "errors") or not form.errors:
            continue
        for name in form.errors:
            if name == forms.forms.NON_FIELD_ERRORS or name not in form.fields:
                continue
            bound = form[name]
            if bound.is_hidden:
                continue
            yield form_class, bound


def test_every_field_with_an_error_is_marked_invalid_and_described_by_it():
    checked, wrong = 0, []
    for form_class, bound in _rejected_fields():
        try:
            html = render_to_string("includes/field.html", {"field": bound})
        except (TypeError, ValueError):
            continue  # choices from test_form_bounds' stand-in keywords, not a real page's
        if bound.field.widget.use_fieldset and "<input" not in html:
            continue  # a group of radios or checkboxes with no choices in this stand-in form

        error_id = f"{bound.auto_id}_error"
        described = re.findall(r'aria-describedby="([^"]*)"', html)
        where = f"{form_class.__module__}.{form_class.__name__}.{bound.name}"
        if 'aria-invalid="true"' not in html:
            wrong.append(f"{where}: not aria-invalid")
        if not any(error_id in d.split() for d in described):
            wrong.append(f"{where}: not described by {error_id}")
        if f'id="{error_id}"' not in html:
            wrong.append(f"{where}: no element {error_id}")
        checked += 1
    assert checked > 100
    assert not wrong, "\n".join(wrong)


def test_the_title_of_a_rejected_form_starts_with_error_once():
    class Named(forms.Form):
        name = forms.CharField()

    rejected, fresh = Named({}), Named()
    assert rejected.errors
    assert error_title("Join the movement", rejected) == "Error: Join the movement"
    assert error_title("Error: Join the movement", rejected) == "Error: Join the movement"
    assert error_title("Join the movement", fresh) == "Join the movement"
    assert error_title("Join the movement", "") == "Join the movement"


def test_a_rejected_page_is_titled_error_and_has_one_live_region():
    m = build_movement()
    client = Client()
    client.force_login(m.member.user)
    response = client.post(reverse("oversight_initiative_start"), {"title": ""})
    page = response.content.decode()
    assert re.search(r"<title>Error: Start an initiative · Grassroots</title>", page)
    assert page.count('aria-live="polite"') == 1 and 'id="live-status"' in page
    assert 'class="error-summary" role="alert"' in page
    assert 'src="/static/js/forms.js"' in page

"""Sane input (issue 21). Every text a person can type has a length cap: each text field of
each form in the project has a ``max_length`` (its own, or its model field's), so a pasted
10,000-word comment is a clear error on the field, not a page 58,699 px wide or a database
error. The forms are found as tests/security/test_form_bounds.py finds them, so a new form is
held to this without anyone adding it here. And every date a form takes is within a sane
range: a committee meeting "held on 0001-01-01" is an error on the field."""

from __future__ import annotations

import datetime

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from hypothesis import given
from hypothesis import strategies as st

from grassroots.bounds import EARLIEST_DATE, LATEST_DATE, SANE_DATE
from grassroots.oversight.forms import MeetingForm
from tests.security.test_form_bounds import FORMS, build, form_fields

pytestmark = pytest.mark.django_db


def text_fields() -> list[tuple[type[forms.BaseForm], str, forms.CharField]]:
    return [
        (form_class, name, field)
        for form_class in FORMS
        for name, field in form_fields(form_class).items()
        if isinstance(field, forms.CharField)
    ]


def cap(field: forms.CharField) -> int | None:
    if field.max_length is not None:
        return int(field.max_length)
    limits = [v.limit_value for v in field.validators if isinstance(v, MaxLengthValidator)]
    return int(min(limits)) if limits else None  # type: ignore[call-overload]


def test_there_are_text_fields_to_check():
    assert len(text_fields()) > 50


def test_every_text_field_has_a_length_cap():
    uncapped = [
        f"{form_class.__module__}.{form_class.__name__}.{name}"
        for form_class, name, field in text_fields()
        if cap(field) is None
    ]
    assert not uncapped, "text fields without max_length:\n" + "\n".join(uncapped)


def test_text_past_its_cap_is_an_error_on_that_field():
    taken = []
    for form_class, name, field in text_fields():
        limit = cap(field)
        if limit is None:
            continue  # reported by the test above
        form = build(form_class, {name: "x" * (limit + 1)})
        if not hasattr(form, "errors"):
            continue  # a form built from the database: its declared fields are checked above
        if name not in form.errors:
            taken.append(f"{form_class.__name__}.{name} took {limit + 1} characters")
    assert not taken, "\n".join(taken)


def date_fields() -> list[tuple[type[forms.BaseForm], str, forms.Field]]:
    return [
        (form_class, name, field)
        for form_class in FORMS
        for name, field in form_fields(form_class).items()
        if isinstance(field, forms.DateField | forms.DateTimeField)
    ]


def test_every_date_field_refuses_impossible_dates():
    assert len(date_fields()) >= 15
    unchecked = [
        f"{form_class.__module__}.{form_class.__name__}.{name}"
        for form_class, name, field in date_fields()
        if SANE_DATE not in field.validators
    ]
    assert not unchecked, "date fields without SANE_DATE:\n" + "\n".join(unchecked)


@pytest.mark.parametrize("typed", ["0001-01-01", "1899-12-31", "2101-01-01", "9999-12-31"])
def test_a_committee_meeting_held_on_an_impossible_date_is_a_field_error(typed):
    form = MeetingForm({"body": "nc", "held_on": typed, "title": "Meeting"}, body_choices=[])
    assert not form.is_valid()
    assert any("Enter a date between 1900 and 2100" in e for e in form.errors["held_on"])


@given(st.dates(min_value=EARLIEST_DATE, max_value=LATEST_DATE))
def test_every_day_in_the_range_is_accepted(day):
    SANE_DATE(day)
    SANE_DATE(datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC))


@given(st.dates().filter(lambda d: not EARLIEST_DATE <= d <= LATEST_DATE))
def test_every_day_outside_the_range_is_refused(day):
    with pytest.raises(ValidationError):
        SANE_DATE(day)

"""Every integer a person can send has bounds that fit its database column (issue 20, item 9).

The review found two 500s from a number too large for SQLite (an OverflowError): a meeting's
capacity and an amendment outcome's vote counts of 99999999999999999999; PostgreSQL refuses
anything past 2,147,483,647 in an integer column the same way. These tests find every form
class in the project and every integer the API reads, so a new form or endpoint is held to
the rule without anyone remembering to add it here:

- each integer field of each form has a minimum and a maximum, within its column: 32-bit
  unless it holds an id or another 64-bit column (``SIXTY_FOUR_BIT``); a ModelForm's field may
  take them from its model field, whose range Django reads from the database in use;
- hypothesis posts values past those bounds (and past 64 bits) to every integer field and every
  choice of a row by id: each gives an error on that field, never an exception;
- each integer the API reads (path, query and body, items of lists too) has ``ge`` and ``le``
  within a signed 64-bit id, and the schema refuses values past them.
"""

from __future__ import annotations

import collections
import importlib
import inspect
import pkgutil
import re
import types
import typing
from collections.abc import Iterator
from typing import Any

import pytest
from annotated_types import Ge, Le
from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connection
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError
from pydantic.fields import FieldInfo

import grassroots
from grassroots.api.main import api
from grassroots.ballots.models import Ballot
from grassroots.meetings.models import Meeting
from tests.factories import MemberWithLoginFactory

pytestmark = pytest.mark.django_db

MAX_INT32 = 2**31 - 1
MAX_ID = 2**63 - 1
HUGE = 99999999999999999999  # the review's value

# Integer fields stored in a 64-bit column or naming a row by id (ids are bigint).
SIXTY_FOUR_BIT = {
    ("grassroots.delegation.forms", "AllocationForm", "seed"),  # AllocationResult.seed: bigint
    ("grassroots.meetings.forms", "CommentForm", "parent"),
    ("grassroots.meetings.forms", "CommentForm", "amendment"),
    ("grassroots.oversight.forms", "CommitmentForm", "decision"),
    ("grassroots.oversight.forms", "InitiativeForm", "decision"),
    ("grassroots.proposals.forms", "CommentForm", "parent"),
    ("grassroots.people.forms", "TransferForm", "to_group"),
}

# What a form that needs more than its data is given, by the name of its keyword. Lists of
# choices can be empty: the fields checked here are the form's own.
KEYWORDS: dict[str, Any] = {
    "scope_choices": [],
    "scopes": [],
    "body_choices": [],
    "group_choices": [(1, "Leeds Central")],
    "current_group": (2, "Headingley"),
    "bases": ["resignation"],
    "roles": [],
    "meetings": [],
    "groups": [],
    "motions": [],
    "forwards": [],
    "bodies": [],
    "names": ["Elected members", "Public office holders"],
    "questions": [],
    "group_meetings": lambda: Meeting.objects.all(),
    "ballots": lambda: Ballot.objects.all(),
    "seats": [],
    "membership_number": "GR0000001",
    "reason_required": False,
    "roster": None,
    "draw": types.SimpleNamespace(categories=[]),
    "level": "group",  # organisation.structure_forms.CreateForm: the group's form has most fields
    "parents": [],
    "choices": [],
    "label": "Into",
    "posts": [],
    "meeting": lambda: Meeting(pk=0),  # assembly.forms.OpenVoteForm: a meeting with no motions
    "initial_choices": collections.defaultdict(str),  # notifications.forms.PreferencesForm
}
# Forms whose added fields come from a row in the database; their own fields are checked, and
# why the added ones hold no integer is stated here.
ADDED_FROM_THE_DATABASE = {
    "VoteForm": "the paper's fields are choices and three-character boxes (ballots.forms)",
}


def _subclasses(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def project_forms() -> list[type[forms.BaseForm]]:
    for module in pkgutil.walk_packages(grassroots.__path__, "grassroots."):
        name = module.name
        if ".migrations" in name or ".settings" in name or name.endswith("__main__"):
            continue
        importlib.import_module(name)
    found = {
        cls
        for cls in _subclasses(forms.BaseForm)
        if cls.__module__.startswith("grassroots.") and not cls.__name__.startswith("_")
    }
    return sorted(found, key=lambda cls: (cls.__module__, cls.__name__))


FORMS = project_forms()


def _keywords(form_class: type[forms.BaseForm]) -> dict[str, Any]:
    """What each ``__init__`` along the form's classes asks for by keyword."""
    needed = {}
    for cls in form_class.__mro__:
        init = cls.__dict__.get("__init__")
        if init is None or not cls.__module__.startswith("grassroots."):
            continue
        for name, parameter in inspect.signature(init).parameters.items():
            if parameter.kind is parameter.KEYWORD_ONLY and parameter.default is parameter.empty:
                value = KEYWORDS.get(name, KEYWORDS)  # a keyword not yet known fails below
                needed[name] = value() if callable(value) else value
    missing = [name for name, value in needed.items() if value is KEYWORDS]
    assert not missing, f"{form_class.__name__} needs {missing}: add them to KEYWORDS"
    return needed


def build(form_class: type[forms.BaseForm], data: dict[str, str] | None = None) -> Any:
    if form_class.__name__ in ADDED_FROM_THE_DATABASE:
        return forms.Form.__new__(form_class)  # only its declared fields are read
    return form_class(data, **_keywords(form_class))


def form_fields(form_class: type[forms.BaseForm]) -> dict[str, forms.Field]:
    form = build(form_class)
    return dict(form.base_fields if not hasattr(form, "fields") else form.fields)


def is_integer(field: forms.Field) -> bool:
    return isinstance(field, forms.IntegerField) and not isinstance(
        field, forms.DecimalField | forms.FloatField
    )


def bounds(form_class: type[forms.BaseForm], name: str, field: forms.Field) -> tuple[Any, Any]:
    """The field's own bounds, else (a ModelForm's) its model field's."""
    low, high = field.min_value, field.max_value
    model_field = _model_field(form_class, name)
    for validator in model_field.validators if model_field is not None else []:
        if isinstance(validator, MinValueValidator) and low is None:
            low = validator.limit_value
        if isinstance(validator, MaxValueValidator) and high is None:
            high = validator.limit_value
    return low, high


def _model_field(form_class: type[forms.BaseForm], name: str) -> Any:
    model = getattr(getattr(form_class, "_meta", None), "model", None)
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:  # a field the form declares itself
        return None


def widest(form_class: type[forms.BaseForm], name: str) -> int:
    """The column's range: a model field's as Django reads it from the database in use (a
    ModelForm checks its model's validators), else 32-bit unless listed as 64-bit."""
    model_field = _model_field(form_class, name)
    if model_field is not None:
        _low, high = connection.ops.integer_field_range(model_field.get_internal_type())
        return int(high)
    return (
        MAX_ID
        if (form_class.__module__, form_class.__name__, name) in SIXTY_FOUR_BIT
        else MAX_INT32
    )


def integer_fields() -> list[tuple[type[forms.BaseForm], str, forms.Field]]:
    return [
        (form_class, name, field)
        for form_class in FORMS
        for name, field in form_fields(form_class).items()
        if is_integer(field)
    ]


def id_choice_fields() -> list[tuple[type[forms.BaseForm], str, forms.Field]]:
    return [
        (form_class, name, field)
        for form_class in FORMS
        for name, field in form_fields(form_class).items()
        if isinstance(field, forms.ModelChoiceField | forms.TypedChoiceField)
    ]


def test_every_form_is_found_and_can_be_built():
    assert len(FORMS) >= 60
    names = {cls.__name__ for cls in FORMS}
    assert {"MeetingForm", "OutcomeForm", "DecisionForm", "MemberImportForm"} <= names
    for form_class in FORMS:
        build(form_class)  # a new keyword goes into KEYWORDS


def test_every_integer_field_has_bounds_that_fit_its_column():
    unbounded = []
    for form_class, name, field in integer_fields():
        low, high = bounds(form_class, name, field)
        top = widest(form_class, name)
        if low is None or high is None or low < -top - 1 or high > top:
            where = f"{form_class.__module__}.{form_class.__name__}.{name}"
            unbounded.append(f"{where}: {low}..{high} (column up to {top:,})")
    assert not unbounded, "\n".join(unbounded)
    assert len(integer_fields()) >= 30


def past(low: int | None, high: int | None) -> st.SearchStrategy[int]:
    above = st.integers(min_value=(high if high is not None else MAX_ID) + 1, max_value=10**30)
    below = st.integers(min_value=-(10**30), max_value=(low if low is not None else -MAX_ID) - 1)
    return st.one_of(st.just(HUGE), st.just(-HUGE), above, below)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_a_number_past_the_bounds_is_a_form_error_never_an_exception(data):
    form_class, name, field = data.draw(st.sampled_from(integer_fields()), label="field")
    low, high = bounds(form_class, name, field)
    value = data.draw(past(low, high), label="value")
    form = build(form_class, {name: str(value)})
    assert not form.is_valid()
    assert name in form.errors, (form_class, name, value, form.errors)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_a_choice_by_a_huge_id_is_a_form_error_never_an_exception(data):
    form_class, name, _field = data.draw(st.sampled_from(id_choice_fields()), label="field")
    value = data.draw(past(0, MAX_ID), label="value")
    form = build(form_class, {name: str(value)})
    assert not form.is_valid()
    assert name in form.errors, (form_class, name, value, form.errors)


# --- the API ---


def _int_bounds(annotation: Any, metadata: list[Any]) -> Iterator[tuple[Any, Any]]:
    """(ge, le) of each integer in a field: the field itself, or each item of a list."""
    args = typing.get_args(annotation)
    metadata = [
        *metadata,
        *(item for m in metadata if isinstance(m, FieldInfo) for item in m.metadata),
    ]
    if annotation is int:
        ge = next((m.ge for m in metadata if isinstance(m, Ge)), None)
        le = next((m.le for m in metadata if isinstance(m, Le)), None)
        yield ge, le
    elif typing.get_origin(annotation) is typing.Annotated:
        yield from _int_bounds(args[0], [*metadata, *args[1:]])
    elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield from _model_bounds(annotation)
    else:
        for arg in args:
            if arg is not type(None):
                yield from _int_bounds(
                    arg, [] if typing.get_origin(annotation) is list else metadata
                )


def _model_bounds(model: type[BaseModel]) -> Iterator[tuple[Any, Any]]:
    for field in model.model_fields.values():
        yield from _int_bounds(field.annotation, list(field.metadata))


def api_inputs() -> list[tuple[str, type[BaseModel]]]:
    inputs = []
    for _prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                for model in operation.models:
                    inputs.append((f"{','.join(operation.methods)} {path}", model))
    return inputs


def test_every_integer_the_api_reads_has_bounds_within_a_64_bit_id():
    inputs = api_inputs()
    assert len(inputs) >= 15
    checked, unbounded = 0, []
    for where, model in inputs:
        for ge, le in _model_bounds(model):
            checked += 1
            if ge is None or le is None or ge < -MAX_ID - 1 or le > MAX_ID:
                unbounded.append(f"{where} {model.__name__}: {ge}..{le}")
    assert not unbounded, "\n".join(unbounded)
    assert checked >= 15


@settings(max_examples=100, deadline=None)
@given(st.one_of(st.just(HUGE), st.integers(min_value=MAX_ID + 1, max_value=10**30)))
def test_the_cast_schema_refuses_a_candidate_id_past_64_bits(value):
    from grassroots.api.schemas import CastIn

    body = {"idempotency_key": "k" * 20, "answers": [{"question_id": 1, "candidate_ids": [value]}]}
    with pytest.raises(PydanticValidationError):
        CastIn.model_validate(body)


PATH_VALUES = {"tracker": "a" * 64, "number": "GR0000001"}


def api_integer_parameters() -> list[tuple[str, str, str, str]]:
    """(method, path, source, name) of each integer read from a path or a query string."""
    found = []
    for _prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                for model in operation.models:
                    source = getattr(model, "__ninja_param_source__", "")
                    for name, field in model.model_fields.items():
                        if source in ("path", "query") and list(
                            _int_bounds(field.annotation, list(field.metadata))
                        ):
                            found.extend((m, path, source, name) for m in operation.methods)
    return found


def fill(path: str, values: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m[1]) or PATH_VALUES.get(m[1], "1"), path)


def test_every_integer_in_an_api_path_or_query_past_its_bounds_is_a_422():
    client = Client()
    client.force_login(MemberWithLoginFactory().user)
    parameters = api_integer_parameters()
    assert len(parameters) >= 15
    wrong = []
    for method, path, source, name in parameters:
        for value in (HUGE, -HUGE, MAX_ID + 1):
            filled = fill(path, {name: str(value)} if source == "path" else {})
            query = {name: str(value)} if source == "query" else {}
            url = "/api/v1" + filled
            response = getattr(client, method.lower())(url, query, content_type="application/json")
            located = f"{source}.{name}" in response.content.decode()
            if response.status_code != 422 or not located:
                wrong.append(f"{method} {url} {query}: {response.status_code}")
    assert not wrong, "\n".join(wrong)


def test_a_cast_naming_a_candidate_past_64_bits_is_a_422_not_an_exception():
    client = Client()
    client.force_login(MemberWithLoginFactory().user)
    body = {"idempotency_key": "k" * 20, "answers": [{"question_id": 1, "candidate_ids": [HUGE]}]}
    response = client.post("/api/v1/ballots/1/votes", body, content_type="application/json")
    assert response.status_code == 422
    assert "body.answers.0.candidate_ids.0" in response.content.decode()

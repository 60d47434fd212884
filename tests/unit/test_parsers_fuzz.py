"""The input parsers under arbitrary input: each answers its documented result or InvalidInput,
never another exception (which the HTTP edge would turn into a 500)."""
from __future__ import annotations

import datetime as dt
import re
import typing

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib import schemas
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.ids import ALPHABET, normalise_tracking_id
from chalicelib.http import Query
from tests.support import report_body

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)
MODELS = [schemas.ReportIn, schemas.StaffReportIn, schemas.ReplyIn, schemas.AssignmentIn, schemas.AssignmentEndIn,
          schemas.StaffIn, schemas.CalendarOverrideIn, schemas.SlaOverrideIn]
# Every member of the ActionIn union, read from it, so a new action cannot be left out here.
ACTION_MODELS = typing.get_args(typing.get_args(schemas.ActionIn)[0])


def _refused_properly(exc: InvalidInput) -> None:
    assert exc.message_id and exc.message_en
    assert all(isinstance(k, str) and isinstance(v, str) and v for k, v in exc.fields.items())


def _parse(model, data, envelope=False):
    try:
        result = schemas.parse(model, data, envelope=envelope)
    except InvalidInput as exc:
        _refused_properly(exc)
        return None
    assert isinstance(result, ACTION_MODELS if envelope else model)
    return result


@FUZZ
@given(model=st.sampled_from(MODELS), data=json_values)
def test_any_json_body_parses_to_its_model_or_invalid_input(model, data):
    _parse(model, data)


@FUZZ
@given(data=st.dictionaries(st.sampled_from(["action", "agency_id", "message", "reason", "unit_id", "required",
                                             "title", "kind", "category_id", "anonymous", "x"]),
                            json_values | st.sampled_from(sorted(schemas._ACTION_TAGS)), max_size=5))
def test_any_action_body_parses_to_one_action_or_invalid_input(data):
    _parse(None, data, envelope=True)


def _paths(body, prefix=()):
    for key, value in body.items():
        yield (*prefix, key)
        if isinstance(value, dict):
            yield from _paths(value, (*prefix, key))


REPORT_PATHS = list(_paths(report_body()))
tricky_text = st.text(st.characters(codec="utf-8"), max_size=60) | st.sampled_from(
    ["", " ", "\x00", "0812-6000-1234", "+62 812 6000 1234", "tel:+62812", "@", "a@b", "a@b.c", "12.71",
     "2024-02-30", "9999-12-31", "1e308", "NaN", "-0", "\u202e", "0" * 5001])


@FUZZ
@given(path=st.sampled_from(REPORT_PATHS), value=json_values | tricky_text)
def test_a_valid_report_with_one_field_replaced_parses_or_names_what_is_wrong(path, value):
    body = report_body()
    target = body
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    parsed = _parse(schemas.ReportIn, body)
    if parsed is not None and parsed.reporter.phone:
        assert re.fullmatch(r"\+\d{8,15}", parsed.reporter.phone)


@FUZZ
@given(text=st.text(max_size=20) | st.text(alphabet=ALPHABET + "oOiIlL- ", max_size=12))
def test_tracking_numbers_normalise_to_the_canonical_form_or_none(text):
    value = normalise_tracking_id(text)
    if value is not None:
        assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}", value)
        assert normalise_tracking_id(value) == value


@FUZZ
@given(raw=st.text(alphabet=ALPHABET, min_size=8, max_size=8), sep=st.sampled_from(["", "-", " ", " - "]),
       lower=st.booleans())
def test_a_tracking_number_is_found_however_it_is_typed(raw, sep, lower):
    typed = raw[:4] + sep + raw[4:]
    assert normalise_tracking_id(typed.lower() if lower else typed) == f"{raw[:4]}-{raw[4:]}"


ALLOWED = {"status", "limit", "received_from", "overdue", "cursor"}
param_values = st.text(max_size=30) | st.sampled_from(["", "0", "200", "201", "-1", "٣", "²", "1_0", "2024-12-20",
                                                        "2024-13-01", "true", "True", "x" * 65])


@FUZZ
@given(params=st.none() | st.dictionaries(st.sampled_from(sorted(ALLOWED | {"colour", ""})), param_values, max_size=5))
def test_query_parameters_give_typed_values_or_invalid_input(params):
    try:
        q = Query(params, ALLOWED)
    except InvalidInput as exc:
        _refused_properly(exc)
        assert set(exc.fields) <= set(params or {}) - ALLOWED
        return
    for read, check in (
        (lambda: q.str("status", ("submitted", "dispatched")), lambda v: v in (None, "submitted", "dispatched")),
        (lambda: q.str("cursor", max_len=64), lambda v: v is None or (isinstance(v, str) and 0 < len(v) <= 64)),
        (lambda: q.int("limit", 50, 1, 200), lambda v: type(v) is int and 1 <= v <= 200),
        (lambda: q.date("received_from"), lambda v: v is None or isinstance(v, dt.date)),
        (lambda: q.bool("overdue"), lambda v: v in (None, True, False)),
    ):
        try:
            value = read()
        except InvalidInput as exc:
            _refused_properly(exc)
            continue
        assert check(value), value


def test_a_superscript_digit_in_an_integer_parameter_is_invalid_input():
    """Found by the fuzz test above: '²'.isdigit() is True, int('²') raises (was a 500)."""
    with pytest.raises(InvalidInput):
        Query({"limit": "²"}, ALLOWED).int("limit", 50, 1, 200)

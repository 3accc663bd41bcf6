"""Every assertion operator, holding and failing, with the message a person reads."""

from __future__ import annotations

import time

import pytest

from requests_app.runner import assertions as A
from requests_app.runner.assertions import (
    AssertionFormatError,
    compile_assertions,
    evaluate,
    json_equal,
    validate_assertions,
)
from requests_app.runner.patterns import MATCH_TIMEOUT_S
from tests.runner.factories import failed_exchange, json_exchange, response_exchange

DOC = """{
  "id": 42, "name": "Ada Lovelace", "ratio": 0.5, "active": true, "nothing": null,
  "tags": ["math", "engine"], "profile": {"city": "London"}, "count": "7",
  "items": [{"n": 1}, {"n": 2}, {"n": 3}]
}"""

HEADERS = [
    ("Content-Type", "application/json; charset=utf-8"),
    ("X-Request-Id", "abc-123"),
    ("Vary", "Accept"),
    ("Vary", "Origin"),
]


def run_one(assertion: dict, exchange=None, resolve=None):
    exchange = exchange or json_exchange(DOC, headers=HEADERS, total_ms=120.0)
    [result] = evaluate([assertion], exchange, resolve=resolve)
    return result


CASES = [
    # status
    ({"type": "status", "op": "equals", "expected": 200}, True, "status equals 200"),
    ({"type": "status", "op": "equals", "expected": 201}, False, "expected status to equal 201, got 200"),
    ({"type": "status", "op": "not_equals", "expected": 500}, True, "status does not equal 500"),
    ({"type": "status", "op": "not_equals", "expected": 200}, False, "expected status not to equal 200, got 200"),
    ({"type": "status", "op": "in", "expected": [200, 204]}, True, "status is one of [200, 204]"),
    ({"type": "status", "op": "in", "expected": [201, 204]}, False, "expected status to be one of [201, 204], got 200"),
    ({"type": "status", "op": "class", "expected": "2xx"}, True, "status is 2xx"),
    ({"type": "status", "op": "class", "expected": "4XX"}, False, "expected status to be 4xx, got 200"),
    ({"type": "status", "op": "lt", "expected": 300}, True, "status is below 300"),
    ({"type": "status", "op": "lt", "expected": 200}, False, "expected status to be below 200, got 200"),
    ({"type": "status", "op": "lte", "expected": 200}, True, "status is at most 200"),
    ({"type": "status", "op": "lte", "expected": 199}, False, "expected status to be at most 199, got 200"),
    ({"type": "status", "op": "gt", "expected": 199}, True, "status is above 199"),
    ({"type": "status", "op": "gt", "expected": 200}, False, "expected status to be above 200, got 200"),
    ({"type": "status", "op": "gte", "expected": 200}, True, "status is at least 200"),
    ({"type": "status", "op": "gte", "expected": 300}, False, "expected status to be at least 300, got 200"),
    # header
    ({"type": "header", "op": "exists", "target": "x-request-id"}, True, "header x-request-id exists"),
    ({"type": "header", "op": "exists", "target": "X-Missing"}, False, "expected header X-Missing to exist, but the header is missing"),
    ({"type": "header", "op": "not_exists", "target": "Server"}, True, "header Server does not exist"),
    ({"type": "header", "op": "not_exists", "target": "Vary"}, False, 'expected header Vary not to exist, got "Accept, Origin"'),
    ({"type": "header", "op": "equals", "target": "X-Request-Id", "expected": "abc-123"}, True, 'header X-Request-Id equals "abc-123"'),
    ({"type": "header", "op": "equals", "target": "X-Request-Id", "expected": "ABC-123"}, False, 'expected header X-Request-Id to equal "ABC-123", got "abc-123"'),
    ({"type": "header", "op": "equals", "target": "X-Missing", "expected": "a"}, False, 'expected header X-Missing to equal "a", but the header is missing'),
    ({"type": "header", "op": "not_equals", "target": "X-Request-Id", "expected": "x"}, True, 'header X-Request-Id does not equal "x"'),
    ({"type": "header", "op": "not_equals", "target": "X-Request-Id", "expected": "abc-123"}, False, 'expected header X-Request-Id not to equal "abc-123", got "abc-123"'),
    ({"type": "header", "op": "contains", "target": "Vary", "expected": "Origin"}, True, 'header Vary contains "Origin"'),
    ({"type": "header", "op": "contains", "target": "Vary", "expected": "Cookie"}, False, 'expected header Vary to contain "Cookie", got "Accept, Origin"'),
    ({"type": "header", "op": "matches", "target": "Content-Type", "expected": "^application/json"}, True, "header Content-Type matches /^application/json/"),
    ({"type": "header", "op": "matches", "target": "Content-Type", "expected": "^text/"}, False, 'expected header Content-Type to match /^text//, got "application/json; charset=utf-8"'),
    # body
    ({"type": "body", "op": "contains", "expected": "Lovelace"}, True, 'body contains "Lovelace"'),
    ({"type": "body", "op": "contains", "expected": "Babbage"}, False, 'expected body to contain "Babbage", got "{'),
    ({"type": "body", "op": "not_contains", "expected": "Babbage"}, True, 'body does not contain "Babbage"'),
    ({"type": "body", "op": "not_contains", "expected": "Ada"}, False, 'expected body not to contain "Ada", got "{'),
    ({"type": "body", "op": "matches", "expected": r'"id":\s*\d+'}, True, 'body matches /"id":\\s*\\d+/'),
    ({"type": "body", "op": "matches", "expected": r"^<html"}, False, "expected body to match /^<html/, got \"{"),
    # jsonpath
    ({"type": "jsonpath", "op": "exists", "target": "$.profile.city"}, True, "$.profile.city exists"),
    ({"type": "jsonpath", "op": "exists", "target": "$.profile.zip"}, False, "expected $.profile.zip to exist, but the path matched nothing"),
    ({"type": "jsonpath", "op": "exists", "target": "$.nothing"}, True, "$.nothing exists"),
    ({"type": "jsonpath", "op": "not_exists", "target": "$.error"}, True, "$.error does not exist"),
    ({"type": "jsonpath", "op": "not_exists", "target": "$.id"}, False, "expected $.id not to exist, got 42"),
    ({"type": "jsonpath", "op": "equals", "target": "$.id", "expected": 42}, True, "$.id equals 42"),
    ({"type": "jsonpath", "op": "equals", "target": "$.id", "expected": 42.0}, True, "$.id equals 42.0"),
    ({"type": "jsonpath", "op": "equals", "target": "$.id", "expected": "42"}, False, 'expected $.id to equal "42", got 42'),
    ({"type": "jsonpath", "op": "equals", "target": "$.active", "expected": 1}, False, "expected $.active to equal 1, got true"),
    ({"type": "jsonpath", "op": "equals", "target": "$.profile", "expected": {"city": "London"}}, True, '$.profile equals {"city": "London"}'),
    ({"type": "jsonpath", "op": "equals", "target": "$.missing", "expected": 1}, False, "expected $.missing to equal 1, but the path matched nothing"),
    ({"type": "jsonpath", "op": "not_equals", "target": "$.name", "expected": "Grace"}, True, '$.name does not equal "Grace"'),
    ({"type": "jsonpath", "op": "not_equals", "target": "$.name", "expected": "Ada Lovelace"}, False, 'expected $.name not to equal "Ada Lovelace", got "Ada Lovelace"'),
    ({"type": "jsonpath", "op": "lt", "target": "$.ratio", "expected": 1}, True, "$.ratio is below 1"),
    ({"type": "jsonpath", "op": "lt", "target": "$.ratio", "expected": 0.5}, False, "expected $.ratio to be below 0.5, got 0.5"),
    ({"type": "jsonpath", "op": "lte", "target": "$.ratio", "expected": 0.5}, True, "$.ratio is at most 0.5"),
    ({"type": "jsonpath", "op": "lte", "target": "$.id", "expected": 41}, False, "expected $.id to be at most 41, got 42"),
    ({"type": "jsonpath", "op": "gt", "target": "$.id", "expected": 41}, True, "$.id is above 41"),
    ({"type": "jsonpath", "op": "gt", "target": "$.id", "expected": 42}, False, "expected $.id to be above 42, got 42"),
    ({"type": "jsonpath", "op": "gte", "target": "$.id", "expected": 42}, True, "$.id is at least 42"),
    ({"type": "jsonpath", "op": "gte", "target": "$.count", "expected": 1}, False, 'expected $.count to be at least 1, but it is string, not a number'),
    ({"type": "jsonpath", "op": "contains", "target": "$.tags", "expected": "engine"}, True, '$.tags contains "engine"'),
    ({"type": "jsonpath", "op": "contains", "target": "$.tags", "expected": "poetry"}, False, 'expected $.tags to contain "poetry", got ["math", "engine"]'),
    ({"type": "jsonpath", "op": "contains", "target": "$.name", "expected": "Love"}, True, '$.name contains "Love"'),
    ({"type": "jsonpath", "op": "contains", "target": "$.profile", "expected": "city"}, True, '$.profile contains "city"'),
    ({"type": "jsonpath", "op": "contains", "target": "$.id", "expected": 4}, False, "expected $.id to contain 4, but it is integer, not text, an array or an object"),
    ({"type": "jsonpath", "op": "not_contains", "target": "$.tags", "expected": "poetry"}, True, '$.tags does not contain "poetry"'),
    ({"type": "jsonpath", "op": "not_contains", "target": "$.tags", "expected": "math"}, False, 'expected $.tags not to contain "math", got ["math", "engine"]'),
    ({"type": "jsonpath", "op": "type", "target": "$.tags", "expected": "array"}, True, "$.tags is of type array"),
    ({"type": "jsonpath", "op": "type", "target": "$.id", "expected": "number"}, True, "$.id is of type number"),
    ({"type": "jsonpath", "op": "type", "target": "$.id", "expected": "integer"}, True, "$.id is of type integer"),
    ({"type": "jsonpath", "op": "type", "target": "$.ratio", "expected": "integer"}, False, "expected $.ratio to be of type integer, got number"),
    ({"type": "jsonpath", "op": "type", "target": "$.nothing", "expected": "object"}, False, "expected $.nothing to be of type object, got null"),
    ({"type": "jsonpath", "op": "length", "target": "$.items", "expected": 3}, True, "$.items has length 3"),
    ({"type": "jsonpath", "op": "length", "target": "$.name", "expected": 3}, False, "expected $.name to have length 3, got 12"),
    ({"type": "jsonpath", "op": "length", "target": "$.id", "expected": 2}, False, "expected $.id to have length 2, but it is integer, which has no length"),
    ({"type": "jsonpath", "op": "matches", "target": "$.name", "expected": "^Ada "}, True, "$.name matches /^Ada /"),
    ({"type": "jsonpath", "op": "matches", "target": "$.name", "expected": "^Grace"}, False, 'expected $.name to match /^Grace/, got "Ada Lovelace"'),
    ({"type": "jsonpath", "op": "matches", "target": "$.id", "expected": "4"}, False, "expected $.id to match /4/, but it is integer, not text"),
    # a path selecting several nodes gives the list of them
    ({"type": "jsonpath", "op": "equals", "target": "$.items[*].n", "expected": [1, 2, 3]}, True, "$.items[*].n equals [1, 2, 3]"),
    ({"type": "jsonpath", "op": "length", "target": "$.items[?@.n > 1]", "expected": 2}, True, "$.items[?@.n > 1] has length 2"),
    ({"type": "jsonpath", "op": "exists", "target": "$.items[?@.n > 5]"}, False, "expected $.items[?@.n > 5] to exist, but the path matched nothing"),
    # response time and size
    ({"type": "response_time", "op": "lt", "expected": 500}, True, "response time is below 500 ms"),
    ({"type": "response_time", "op": "lt", "expected": 100}, False, "expected response time to be below 100 ms, got 120.0 ms"),
    ({"type": "response_time", "op": "lte", "expected": 120}, True, "response time is at most 120 ms"),
    ({"type": "response_time", "op": "lte", "expected": 119.9}, False, "expected response time to be at most 119.9 ms, got 120.0 ms"),
    ({"type": "body_size", "op": "lt", "expected": 10_000}, True, "body size is below 10000 bytes"),
    ({"type": "body_size", "op": "lt", "expected": 10}, False, f"expected body size to be below 10 bytes, got {len(DOC.encode())} bytes"),
    ({"type": "body_size", "op": "lte", "expected": len(DOC.encode())}, True, f"body size is at most {len(DOC.encode())} bytes"),
    ({"type": "body_size", "op": "lte", "expected": 1}, False, f"expected body size to be at most 1 bytes, got {len(DOC.encode())} bytes"),
]


@pytest.mark.parametrize(("assertion", "passes", "message"), CASES, ids=[f"{c[0]['type']}-{c[0]['op']}-{'pass' if c[1] else 'fail'}-{i}" for i, c in enumerate(CASES)])
def test_operator_outcome_and_message(assertion, passes, message):
    result = run_one(assertion)
    assert result.passed is passes
    assert result.message.startswith(message), result.message


def test_every_operator_is_covered_passing_and_failing():
    seen = {(c[0]["type"], c[0]["op"], c[1]) for c in CASES}
    for kind, ops in A.OPERATORS.items():
        for op in ops:
            assert (kind, op, True) in seen, f"{kind}.{op} never passes in CASES"
            assert (kind, op, False) in seen, f"{kind}.{op} never fails in CASES"


def test_result_shows_expected_and_actual():
    result = run_one({"type": "status", "op": "equals", "expected": 404})
    assert (result.expected, result.actual) == (404, 200)
    assert result.to_dict() == {
        "passed": False,
        "message": "expected status to equal 404, got 200",
        "expected": 404,
        "actual": 200,
        "type": "status",
        "op": "equals",
        "target": "",
    }


def test_long_body_is_cut_in_the_result():
    result = run_one({"type": "body", "op": "contains", "expected": "zzz"}, response_exchange(body=b"a" * 5000))
    assert not result.passed
    assert len(result.actual) == A.SHOWN_CHARS + 1 and result.actual.endswith("…")


def test_jsonpath_on_a_body_that_is_not_json_fails_with_the_reason():
    result = run_one({"type": "jsonpath", "op": "exists", "target": "$.a"}, response_exchange(body=b"<html>"))
    assert not result.passed
    assert "the body is not JSON" in result.message


def test_deeply_nested_json_body_fails_cleanly():
    body = b"[" * 100_000 + b"]" * 100_000
    result = run_one({"type": "jsonpath", "op": "exists", "target": "$[0]"}, response_exchange(body=body))
    assert not result.passed
    assert "nested too deeply" in result.message


def test_no_response_fails_every_assertion_with_the_error():
    results = evaluate(
        [{"type": "status", "op": "equals", "expected": 200}, {"type": "body", "op": "contains", "expected": "x"}],
        failed_exchange(message="Connection refused by 127.0.0.1:1"),
    )
    assert [r.passed for r in results] == [False, False]
    assert results[0].message == "expected status to equal 200, but there was no response (Connection refused by 127.0.0.1:1)"


def test_disabled_assertions_are_not_evaluated():
    results = evaluate(
        [{"type": "status", "op": "equals", "expected": 500, "enabled": False}, {"type": "status", "op": "equals", "expected": 200}],
        json_exchange(DOC),
    )
    assert [r.message for r in results] == ["status equals 200"]


# ------------------------------------------------------------------ variables


def resolver(values):
    def resolve(text):
        for name, value in values.items():
            text = text.replace("{{" + name + "}}", value)
        if "{{" in text:
            raise LookupError(f"unknown variable in {text}")
        return text

    return resolve


def test_expected_from_a_variable_equals_a_json_number():
    result = run_one({"type": "jsonpath", "op": "equals", "target": "$.id", "expected": "{{user_id}}"}, resolve=resolver({"user_id": "42"}))
    assert result.passed
    assert result.expected == "42"


def test_expected_from_a_variable_is_compared_as_text_with_text():
    result = run_one({"type": "jsonpath", "op": "equals", "target": "$.count", "expected": "{{n}}"}, resolve=resolver({"n": "7"}))
    assert result.passed


def test_numeric_expected_from_a_variable_must_be_a_number():
    result = run_one({"type": "status", "op": "lt", "expected": "{{limit}}"}, resolve=resolver({"limit": "lots"}))
    assert not result.passed
    assert "'lots' (after variables) is not a status code" in result.message


def test_target_from_a_variable_is_resolved():
    result = run_one({"type": "jsonpath", "op": "equals", "target": "$.{{field}}", "expected": 42}, resolve=resolver({"field": "id"}))
    assert result.passed
    assert result.target == "$.id"


def test_unknown_variable_fails_the_assertion_with_its_name():
    result = run_one({"type": "header", "op": "equals", "target": "X-Request-Id", "expected": "{{rid}}"}, resolve=resolver({}))
    assert not result.passed
    assert "unknown variable" in result.message


# ------------------------------------------------------------------ regular expressions


def test_catastrophic_pattern_times_out_instead_of_hanging():
    exchange = response_exchange(body=b"a" * 50_000 + b"!")
    [check] = compile_assertions([{"type": "body", "op": "matches", "expected": r"^(a+)+$"}])
    started = time.monotonic()
    [first] = evaluate([check], exchange)
    elapsed = time.monotonic() - started
    assert not first.passed
    assert "took longer than" in first.message
    assert elapsed < MATCH_TIMEOUT_S * 8
    # The same compiled check does not pay for the timeout again within the run.
    started = time.monotonic()
    [second] = evaluate([check], exchange)
    assert time.monotonic() - started < MATCH_TIMEOUT_S / 2
    assert "took too long earlier in this run" in second.message


def test_catastrophic_pattern_in_a_jsonpath_filter_does_not_hang():
    body = ('{"items": [{"s": "' + "a" * 40 + '!"}]}').encode()
    started = time.monotonic()
    result = run_one({"type": "jsonpath", "op": "exists", "target": '$.items[?match(@.s, "(a|aa)+")]'}, response_exchange(body=body))
    assert time.monotonic() - started < MATCH_TIMEOUT_S * 8
    assert not result.passed


def test_patterns_are_compiled_once_per_run():
    [check] = compile_assertions([{"type": "body", "op": "matches", "expected": "Ada"}])
    pattern = check.pattern
    evaluate([check], json_exchange(DOC))
    evaluate([check], json_exchange(DOC))
    assert check.pattern is pattern and not check._resolved_patterns


# ------------------------------------------------------------------ validation


@pytest.mark.parametrize(
    ("data", "code", "field"),
    [
        ({"type": "status"}, A.NOT_A_LIST, "assertions"),
        ([42], A.NOT_AN_OBJECT, "assertions[0]"),
        ([{"type": "cookie", "op": "exists"}], A.UNKNOWN_TYPE, "assertions[0].type"),
        ([{"type": "status", "op": "contains", "expected": 2}], A.UNKNOWN_OP, "assertions[0].op"),
        ([{"type": "header", "op": "exists"}], A.MISSING_TARGET, "assertions[0].target"),
        ([{"type": "header", "op": "exists", "target": "Bad Name"}], A.BAD_TARGET, "assertions[0].target"),
        ([{"type": "jsonpath", "op": "exists", "target": "$.items["}], A.BAD_TARGET, "assertions[0].target"),
        ([{"type": "jsonpath", "op": "exists", "target": "items"}], A.BAD_TARGET, "assertions[0].target"),
        ([{"type": "status", "op": "equals"}], A.MISSING_EXPECTED, "assertions[0].expected"),
        ([{"type": "status", "op": "equals", "expected": 99}], A.BAD_EXPECTED, "assertions[0].expected"),
        ([{"type": "status", "op": "equals", "expected": True}], A.BAD_EXPECTED, "assertions[0].expected"),
        ([{"type": "status", "op": "in", "expected": []}], A.BAD_EXPECTED, "assertions[0].expected"),
        ([{"type": "status", "op": "class", "expected": "2xy"}], A.BAD_EXPECTED, "assertions[0].expected"),
        ([{"type": "jsonpath", "op": "type", "target": "$.a", "expected": "float"}], A.BAD_EXPECTED, "assertions[0].expected"),
        ([{"type": "jsonpath", "op": "length", "target": "$.a", "expected": -1}], A.BAD_EXPECTED, "assertions[0].expected"),
        ([{"type": "jsonpath", "op": "lt", "target": "$.a", "expected": "3"}], A.BAD_EXPECTED, "assertions[0].expected"),
        ([{"type": "body", "op": "matches", "expected": "(unclosed"}], A.BAD_EXPECTED, "assertions[0].expected"),
        ([{"type": "body", "op": "matches", "expected": "a" * 1001}], A.BAD_EXPECTED, "assertions[0].expected"),
        ([{"type": "body", "op": "contains", "expected": "x" * 70_000}], A.EXPECTED_TOO_LARGE, "assertions[0].expected"),
        ([{"type": "status", "op": "equals", "expected": 200, "enabled": "yes"}], A.BAD_ENABLED, "assertions[0].enabled"),
        ([{"type": "status", "op": "equals", "expected": 200}] * 101, A.TOO_MANY, "assertions"),
    ],
)
def test_invalid_assertions_get_a_named_error(data, code, field):
    with pytest.raises(AssertionFormatError) as caught:
        validate_assertions(data)
    assert (caught.value.code, caught.value.field) == (code, field)
    assert caught.value.message


def test_validation_normalises_the_shape():
    assert validate_assertions([{"type": "status", "op": "class", "expected": "2XX"}]) == [
        {"type": "status", "op": "class", "target": "", "expected": "2xx", "enabled": True}
    ]
    assert validate_assertions(None) == []


def test_templated_values_are_accepted_by_validation():
    checks = validate_assertions([{"type": "status", "op": "equals", "expected": "{{code}}"}])
    assert checks[0]["expected"] == "{{code}}"


def test_json_equality_keeps_booleans_apart_from_numbers():
    assert json_equal(1, 1.0)
    assert not json_equal(True, 1)
    assert not json_equal([1, True], [1, 1])
    assert json_equal({"a": [1, {"b": None}]}, {"a": [1.0, {"b": None}]})
    assert not json_equal("1", 1)

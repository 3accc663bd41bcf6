"""Captures take a value from a response into a variable, or say why they could not."""

from __future__ import annotations

import pytest

from requests_app.engine.exchange import Cookie
from requests_app.runner import captures as C
from requests_app.runner.captures import CaptureFormatError, apply_captures, compile_captures, validate_captures
from tests.runner.factories import failed_exchange, json_exchange, response_exchange

DOC = '{"token": "t-123", "user": {"id": 42, "admin": false, "roles": ["a", "b"]}, "list": [{"id": 1}, {"id": 2}]}'


def capture(spec: dict, exchange=None):
    exchange = exchange or json_exchange(
        DOC,
        headers=[("Content-Type", "application/json"), ("Location", "/users/42")],
        cookies=[Cookie(name="sessionid", value="s3cr3t")],
        status=201,
    )
    [result] = apply_captures(compile_captures([spec]), exchange)
    return result


@pytest.mark.parametrize(
    ("spec", "value"),
    [
        ({"variable": "token", "source": "jsonpath", "expression": "$.token"}, "t-123"),
        ({"variable": "uid", "source": "jsonpath", "expression": "$.user.id"}, "42"),
        ({"variable": "admin", "source": "jsonpath", "expression": "$.user.admin"}, "false"),
        ({"variable": "roles", "source": "jsonpath", "expression": "$.user.roles"}, '["a","b"]'),
        ({"variable": "ids", "source": "jsonpath", "expression": "$.list[*].id"}, "[1,2]"),
        ({"variable": "next", "source": "header", "expression": "location"}, "/users/42"),
        ({"variable": "tok", "source": "regex", "expression": r'"token":\s*"([^"]+)"'}, "t-123"),
        ({"variable": "whole", "source": "regex", "expression": r"t-\d+"}, "t-123"),
        ({"variable": "named", "source": "regex", "expression": r'"id": (?P<num>\d+)', "group": "num"}, "42"),
        ({"variable": "g0", "source": "regex", "expression": r'"id": (\d+)', "group": 0}, '"id": 42'),
        ({"variable": "sid", "source": "cookie", "expression": "sessionid"}, "s3cr3t"),
        ({"variable": "code", "source": "status"}, "201"),
    ],
)
def test_capture_takes_the_value_as_text(spec, value):
    result = capture(spec)
    assert result.ok, result.message
    assert result.value == value


@pytest.mark.parametrize(
    ("spec", "reason"),
    [
        ({"variable": "x", "source": "jsonpath", "expression": "$.nope"}, "$.nope matched nothing"),
        ({"variable": "x", "source": "header", "expression": "X-Nope"}, "no X-Nope header in the response"),
        ({"variable": "x", "source": "regex", "expression": "zzz(\\d)"}, "/zzz(\\d)/ did not match the body"),
        ({"variable": "x", "source": "cookie", "expression": "csrftoken"}, "the response set no cookie named csrftoken"),
    ],
)
def test_capture_that_finds_nothing_says_why(spec, reason):
    result = capture(spec)
    assert not result.ok and result.value is None
    assert result.message == reason


def test_capture_from_a_body_that_is_not_json():
    result = capture({"variable": "x", "source": "jsonpath", "expression": "$.a"}, response_exchange(body=b"plain"))
    assert not result.ok
    assert result.message.startswith("the body is not JSON")


def test_capture_without_a_response():
    result = capture({"variable": "x", "source": "status"}, failed_exchange())
    assert (result.ok, result.message) == (False, "there was no response")


def test_secret_capture_is_masked_when_shown():
    result = capture({"variable": "token", "source": "jsonpath", "expression": "$.token", "secret": True})
    assert result.value == "t-123"
    assert result.to_dict()["value"] == C.MASK
    assert result.to_dict(mask_secrets=False)["value"] == "t-123"


def test_disabled_captures_are_skipped():
    compiled = compile_captures(
        [{"variable": "a", "source": "status", "enabled": False}, {"variable": "b", "source": "status"}]
    )
    assert [c.variable for c in compiled] == ["b"]


@pytest.mark.parametrize(
    ("data", "code", "field"),
    [
        ("nope", C.NOT_A_LIST, "captures"),
        ([1], C.NOT_AN_OBJECT, "captures[0]"),
        ([{"variable": "1abc", "source": "status"}], C.BAD_VARIABLE, "captures[0].variable"),
        ([{"variable": "a b", "source": "status"}], C.BAD_VARIABLE, "captures[0].variable"),
        ([{"variable": "a", "source": "body"}], C.UNKNOWN_SOURCE, "captures[0].source"),
        ([{"variable": "a", "source": "jsonpath"}], C.MISSING_EXPRESSION, "captures[0].expression"),
        ([{"variable": "a", "source": "jsonpath", "expression": "$["}], C.BAD_EXPRESSION, "captures[0].expression"),
        ([{"variable": "a", "source": "header", "expression": "Bad:Name"}], C.BAD_EXPRESSION, "captures[0].expression"),
        ([{"variable": "a", "source": "regex", "expression": "(x"}], C.BAD_EXPRESSION, "captures[0].expression"),
        ([{"variable": "a", "source": "regex", "expression": "(x)", "group": 2}], C.BAD_GROUP, "captures[0].group"),
        ([{"variable": "a", "source": "regex", "expression": "(x)", "group": "name"}], C.BAD_GROUP, "captures[0].group"),
        ([{"variable": "a", "source": "regex", "expression": "(x)", "group": 1.5}], C.BAD_GROUP, "captures[0].group"),
        ([{"variable": "a", "source": "status", "secret": "yes"}], C.BAD_FLAG, "captures[0].secret"),
        ([{"variable": "a", "source": "status"}] * 51, C.TOO_MANY, "captures"),
    ],
)
def test_invalid_captures_get_a_named_error(data, code, field):
    with pytest.raises(CaptureFormatError) as caught:
        validate_captures(data)
    assert (caught.value.code, caught.value.field) == (code, field)


def test_validation_normalises_the_shape():
    assert validate_captures([{"variable": "t", "source": "jsonpath", "expression": " $.token "}]) == [
        {"variable": "t", "source": "jsonpath", "expression": "$.token", "group": None, "secret": False, "enabled": True}
    ]

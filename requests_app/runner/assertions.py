"""Declarative assertions on a response: stored as JSON on SavedRequest.assertions.

Usage::

    checks = [
        {"type": "status", "op": "equals", "expected": 200},
        {"type": "header", "op": "matches", "target": "Content-Type", "expected": "^application/json"},
        {"type": "jsonpath", "op": "gte", "target": "$.items.length", "expected": 1},
        {"type": "response_time", "op": "lt", "expected": 500},
    ]
    validate_assertions(checks)                 # AssertionFormatError(code, field, message)
    compiled = compile_assertions(checks)       # once per run: paths and patterns compiled
    for result in evaluate(compiled, exchange, resolve=lambda text: text):
        print(result.passed, result.message, result.expected, result.actual)

One assertion is ``{"type", "op", "target", "expected", "enabled"}``:

=============  ===================================================================  ==============
type           ops                                                                  target
=============  ===================================================================  ==============
status         equals not_equals in class lt lte gt gte                             —
header         exists not_exists equals not_equals contains matches                 header name
body           contains not_contains matches                                        —
jsonpath       exists not_exists equals not_equals lt lte gt gte contains           JSONPath
               not_contains type length matches
response_time  lt lte (milliseconds)                                                —
body_size      lt lte (bytes of the decoded body)                                   —
=============  ===================================================================  ==============

No code runs: each check is data. Strings in ``target`` and ``expected`` may use
``{{variables}}``; they are resolved at evaluation by the ``resolve`` callable the
run passes in. A resolved ``expected`` compared with a non-text JSON value is read
as JSON first, so ``"{{user_id}}"`` equals the number 42 when user_id is ``"42"``.
"""

# One module past 500 lines: one small language: the table of assertion types and operators, their compiler and evaluator, each entry next to the code that reads it.
from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from requests_app.engine.exchange import Exchange
from requests_app.engine.validation import is_token as is_header_name
from requests_app.runner.patterns import GuardedPattern, PatternError, check_pattern_text, compile_pattern
from requests_app.runner.responses import (
    BodyNotJson,
    CompiledJsonPath,
    JsonPathError,
    ResponseView,
    compile_jsonpath,
)
from requests_app.runner.validation import RunnerFormatError

MAX_ASSERTIONS = 100
MAX_EXPECTED_CHARS = 64 * 1024
SHOWN_CHARS = 200  # actual values are cut to this in results and reports

# ------------------------------------------------------------------ error codes
NOT_A_LIST = "not_a_list"
TOO_MANY = "too_many"
NOT_AN_OBJECT = "not_an_object"
UNKNOWN_TYPE = "unknown_type"
UNKNOWN_OP = "unknown_op"
MISSING_TARGET = "missing_target"
BAD_TARGET = "bad_target"
MISSING_EXPECTED = "missing_expected"
BAD_EXPECTED = "bad_expected"
EXPECTED_TOO_LARGE = "expected_too_large"
BAD_ENABLED = "bad_enabled"

# ------------------------------------------------------------------ what `expected` must be
NO_VALUE = "nothing"
ANY_JSON = "any JSON value"
TEXT = "text"
NUMBER = "a number"
COUNT = "a whole number of 0 or more"
STATUS_CODE = "a status code (100-599)"
STATUS_LIST = "a list of status codes"
STATUS_CLASS = "a status class like 2xx"
PATTERN = "a regular expression"
JSON_TYPE = "one of string, number, integer, boolean, null, array, object"

_COMPARISONS = {"lt": NUMBER, "lte": NUMBER, "gt": NUMBER, "gte": NUMBER}

OPERATORS: dict[str, dict[str, str]] = {
    "status": {
        "equals": STATUS_CODE,
        "not_equals": STATUS_CODE,
        "in": STATUS_LIST,
        "class": STATUS_CLASS,
        **{op: STATUS_CODE for op in _COMPARISONS},
    },
    "header": {
        "exists": NO_VALUE,
        "not_exists": NO_VALUE,
        "equals": TEXT,
        "not_equals": TEXT,
        "contains": TEXT,
        "matches": PATTERN,
    },
    "body": {"contains": TEXT, "not_contains": TEXT, "matches": PATTERN},
    "jsonpath": {
        "exists": NO_VALUE,
        "not_exists": NO_VALUE,
        "equals": ANY_JSON,
        "not_equals": ANY_JSON,
        **_COMPARISONS,
        "contains": ANY_JSON,
        "not_contains": ANY_JSON,
        "type": JSON_TYPE,
        "length": COUNT,
        "matches": PATTERN,
    },
    "response_time": {"lt": NUMBER, "lte": NUMBER},
    "body_size": {"lt": NUMBER, "lte": NUMBER},
}
ASSERTION_TYPES = tuple(OPERATORS)
# How the editor names types and operators for people; the stored values stay the short codes.
TYPE_LABELS = {
    "status": "Status code",
    "header": "Header",
    "body": "Body",
    "jsonpath": "JSON path",
    "response_time": "Response time (ms)",
    "body_size": "Body size (bytes)",
}
OPERATOR_LABELS = {
    "equals": "equals",
    "not_equals": "does not equal",
    "in": "is one of",
    "class": "is in the class",
    "lt": "is less than",
    "lte": "is at most",
    "gt": "is greater than",
    "gte": "is at least",
    "exists": "exists",
    "not_exists": "does not exist",
    "contains": "contains",
    "not_contains": "does not contain",
    "matches": "matches the pattern",
    "type": "is of the type",
    "length": "has the length",
}
TYPES_WITH_TARGET = ("header", "jsonpath")
JSON_TYPES = ("string", "number", "integer", "boolean", "null", "array", "object")

_STATUS_CLASS = re.compile(r"^[1-5]xx$", re.IGNORECASE)

# (statement when it holds, "expected ... to" form)
_PHRASES: dict[str, tuple[str, str]] = {
    "equals": ("equals {e}", "to equal {e}"),
    "not_equals": ("does not equal {e}", "not to equal {e}"),
    "in": ("is one of {e}", "to be one of {e}"),
    "class": ("is {e}", "to be {e}"),
    "lt": ("is below {e}", "to be below {e}"),
    "lte": ("is at most {e}", "to be at most {e}"),
    "gt": ("is above {e}", "to be above {e}"),
    "gte": ("is at least {e}", "to be at least {e}"),
    "exists": ("exists", "to exist"),
    "not_exists": ("does not exist", "not to exist"),
    "contains": ("contains {e}", "to contain {e}"),
    "not_contains": ("does not contain {e}", "not to contain {e}"),
    "matches": ("matches {e}", "to match {e}"),
    "type": ("is of type {e}", "to be of type {e}"),
    "length": ("has length {e}", "to have length {e}"),
}


class AssertionFormatError(RunnerFormatError):
    """An assertion list cannot be used; `field` points at the bad part, e.g. assertions[2].op."""


@dataclass
class AssertionResult:
    passed: bool
    message: str
    expected: Any = None
    actual: Any = None
    type: str = ""
    op: str = ""
    target: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "message": self.message,
            "expected": self.expected,
            "actual": self.actual,
            "type": self.type,
            "op": self.op,
            "target": self.target,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AssertionResult:
        return cls(
            passed=bool(data.get("passed")),
            message=str(data.get("message", "")),
            expected=data.get("expected"),
            actual=data.get("actual"),
            type=str(data.get("type", "")),
            op=str(data.get("op", "")),
            target=str(data.get("target", "")),
        )


@dataclass
class CompiledAssertion:
    """A validated assertion with its path or pattern compiled once for the run."""

    type: str
    op: str
    target: str = ""
    expected: Any = None
    jsonpath: CompiledJsonPath | None = None
    pattern: GuardedPattern | None = None
    # Paths and patterns that hold {{variables}} are compiled per distinct resolved text.
    _resolved_paths: dict[str, CompiledJsonPath] = field(default_factory=dict, repr=False)
    _resolved_patterns: dict[str, GuardedPattern] = field(default_factory=dict, repr=False)

    @cached_property
    def expected_words(self) -> str:
        """`expected` as messages show it."""
        return _expected_words(self, self.expected)

    def path_for(self, text: str) -> CompiledJsonPath:
        if self.jsonpath is not None and text == self.jsonpath.source:
            return self.jsonpath
        if text not in self._resolved_paths:
            self._resolved_paths[text] = compile_jsonpath(text)
        return self._resolved_paths[text]

    def pattern_for(self, text: str) -> GuardedPattern:
        if self.pattern is not None and text == self.pattern.source:
            return self.pattern
        if text not in self._resolved_patterns:
            self._resolved_patterns[text] = compile_pattern(text)
        return self._resolved_patterns[text]


def has_variables(value: Any) -> bool:
    return isinstance(value, str) and "{{" in value


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _is_status(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 100 <= value <= 599


def _expected_is_valid(kind: str, value: Any) -> bool:
    if kind == ANY_JSON:
        return True
    if kind in (TEXT, PATTERN):
        return isinstance(value, str)
    if kind == NUMBER:
        return _is_number(value)
    if kind == COUNT:
        return _is_count(value)
    if kind == STATUS_CODE:
        return _is_status(value)
    if kind == STATUS_LIST:
        return isinstance(value, list) and bool(value) and all(_is_status(v) for v in value)
    if kind == STATUS_CLASS:
        return isinstance(value, str) and bool(_STATUS_CLASS.match(value))
    if kind == JSON_TYPE:
        return value in JSON_TYPES
    return False


def _validate_one(item: Any, where: str) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise AssertionFormatError(NOT_AN_OBJECT, where, "must be an object with type and op")
    kind = item.get("type")
    if kind not in OPERATORS:
        raise AssertionFormatError(UNKNOWN_TYPE, f"{where}.type", f"must be one of {', '.join(ASSERTION_TYPES)}")
    op = item.get("op")
    ops = OPERATORS[kind]
    if op not in ops:
        raise AssertionFormatError(UNKNOWN_OP, f"{where}.op", f"a {kind} assertion takes one of {', '.join(ops)}")
    enabled = item.get("enabled", True)
    if not isinstance(enabled, bool):
        raise AssertionFormatError(BAD_ENABLED, f"{where}.enabled", "must be true or false")

    target = item.get("target", "")
    if kind in TYPES_WITH_TARGET:
        if not isinstance(target, str) or not target.strip():
            what = "a header name" if kind == "header" else "a JSON path such as $.data.id"
            raise AssertionFormatError(MISSING_TARGET, f"{where}.target", f"needs {what}")
        target = target.strip()
        if kind == "header" and not has_variables(target) and not is_header_name(target):
            raise AssertionFormatError(BAD_TARGET, f"{where}.target", f"{target!r} is not a valid header name")
        if kind == "jsonpath" and not has_variables(target):
            try:
                compile_jsonpath(target)
            except JsonPathError as exc:
                raise AssertionFormatError(BAD_TARGET, f"{where}.target", exc.message) from None
    else:
        target = ""

    expected_kind = ops[op]
    expected = item.get("expected")
    if expected_kind == NO_VALUE:
        expected = None
    else:
        if "expected" not in item:
            raise AssertionFormatError(MISSING_EXPECTED, f"{where}.expected", f"must be {expected_kind}")
        if len(json.dumps(expected)) > MAX_EXPECTED_CHARS:
            raise AssertionFormatError(
                EXPECTED_TOO_LARGE, f"{where}.expected", f"is larger than {MAX_EXPECTED_CHARS} characters"
            )
        templated = has_variables(expected)
        if not templated and not _expected_is_valid(expected_kind, expected):
            raise AssertionFormatError(BAD_EXPECTED, f"{where}.expected", f"must be {expected_kind}")
        if expected_kind == PATTERN:
            assert isinstance(expected, str)  # _expected_is_valid / has_variables: a pattern is text
            try:
                check_pattern_text(expected) if templated else compile_pattern(expected)
            except PatternError as exc:
                raise AssertionFormatError(BAD_EXPECTED, f"{where}.expected", exc.message) from None
        if expected_kind == STATUS_CLASS and not templated:
            assert isinstance(expected, str)  # "2xx": checked by _expected_is_valid
            expected = expected.lower()
    return {"type": kind, "op": op, "target": target, "expected": expected, "enabled": enabled}


def validate_assertions(data: Any, field_name: str = "assertions") -> list[dict[str, Any]]:
    """Return the normalised list, or raise AssertionFormatError naming the first bad field."""
    if data is None:
        return []
    if not isinstance(data, list):
        raise AssertionFormatError(NOT_A_LIST, field_name, "must be a list of assertions")
    if len(data) > MAX_ASSERTIONS:
        raise AssertionFormatError(TOO_MANY, field_name, f"at most {MAX_ASSERTIONS} assertions per request")
    return [_validate_one(item, f"{field_name}[{i}]") for i, item in enumerate(data)]


def compile_assertions(data: Any, field_name: str = "assertions") -> list[CompiledAssertion]:
    """Validate and compile the enabled assertions, once per run."""
    compiled = []
    for item in validate_assertions(data, field_name):
        if not item["enabled"]:
            continue
        target, expected = item["target"], item["expected"]
        jsonpath = compile_jsonpath(target) if item["type"] == "jsonpath" and not has_variables(target) else None
        is_pattern = item["op"] == "matches"
        pattern = compile_pattern(expected) if is_pattern and not has_variables(expected) else None
        compiled.append(CompiledAssertion(item["type"], item["op"], target, expected, jsonpath, pattern))
    return compiled


# ------------------------------------------------------------------ evaluation


def json_equal(a: Any, b: Any) -> bool:
    """JSON equality: 1 == 1.0, but true is not 1 and "1" is not 1."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if _is_number(a) and _is_number(b):
        return bool(a == b)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def shown(value: Any) -> Any:
    """A JSON-safe value for results and reports, long text and big structures cut short."""
    if isinstance(value, str):
        return value if len(value) <= SHOWN_CHARS else value[:SHOWN_CHARS] + "…"
    if isinstance(value, (list, dict)):
        text = json.dumps(value, ensure_ascii=False)
        return value if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "…"
    return value


def _display(value: Any) -> str:
    return json.dumps(shown(value), ensure_ascii=False)


class _Failed(Exception):
    """The check could not hold; `reason` says why in words (e.g. "the header is missing")."""

    def __init__(self, reason: str, actual: Any = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.actual = actual


_SUBJECTS = {"status": "status", "body": "body", "response_time": "response time", "body_size": "body size"}


def _subject(check: CompiledAssertion, target: str) -> str:
    if check.type == "header":
        return f"header {target}"
    if check.type == "jsonpath":
        return target
    return _SUBJECTS[check.type]


def _expected_words(check: CompiledAssertion, expected: Any) -> str:
    if check.op == "matches":
        return f"/{expected}/"
    if check.type == "response_time":
        return f"{expected} ms"
    if check.type == "body_size":
        return f"{expected} bytes"
    if check.op in ("class", "type"):
        return str(expected)
    return _display(expected)


def _resolve_expected(check: CompiledAssertion, resolve: Callable[[str], str] | None) -> Any:
    expected = check.expected
    if not has_variables(expected) or resolve is None:
        return expected
    text = resolve(expected)
    kind = OPERATORS[check.type][check.op]
    if kind in (TEXT, PATTERN, STATUS_CLASS, JSON_TYPE, ANY_JSON):
        return text.lower() if kind == STATUS_CLASS else text
    try:
        value = json.loads(text)
    except ValueError:
        value = text
    if not _expected_is_valid(kind, value):
        raise _Failed(f"the expected value {text!r} (after variables) is not {kind}", None)
    return value


def _compare_numbers(op: str, actual: Any, expected: Any) -> bool:
    if not _is_number(actual):
        raise _Failed(f"it is {json_type(actual)}, not a number", actual)
    return {
        "lt": actual < expected,
        "lte": actual <= expected,
        "gt": actual > expected,
        "gte": actual >= expected,
    }[op]


def _equal_to_expected(actual: Any, expected: Any, from_variable: bool) -> bool:
    if from_variable and isinstance(expected, str) and not isinstance(actual, str):
        try:
            return json_equal(actual, json.loads(expected))
        except ValueError:
            return False
    return json_equal(actual, expected)


def _contains(actual: Any, expected: Any, from_variable: bool) -> bool:
    if isinstance(actual, str):
        if not isinstance(expected, str):
            raise _Failed(f"it is text and {_display(expected)} is not", actual)
        return expected in actual
    if isinstance(actual, list):
        return any(_equal_to_expected(item, expected, from_variable) for item in actual)
    if isinstance(actual, dict):
        if not isinstance(expected, str):
            raise _Failed("it is an object; an object contains key names (text)", actual)
        return expected in actual
    raise _Failed(f"it is {json_type(actual)}, not text, an array or an object", actual)


def _check_status(check: CompiledAssertion, view: ResponseView, expected: Any) -> tuple[bool, Any]:
    status = view.status
    if check.op == "equals":
        return status == expected, status
    if check.op == "not_equals":
        return status != expected, status
    if check.op == "in":
        return status in expected, status
    if check.op == "class":
        return f"{status // 100}xx" == expected, status  # type: ignore[operator]
    return _compare_numbers(check.op, status, expected), status


def _check_header(check: CompiledAssertion, view: ResponseView, target: str, expected: Any) -> tuple[bool, Any]:
    assert view.response is not None
    lowered = target.lower()
    values = [v for k, v in view.response.headers if k.lower() == lowered]
    # Repeated headers read as one comma-joined value (RFC 9110 §5.3).
    actual = ", ".join(values) if values else None
    if actual is None and check.op != "not_exists":
        raise _Failed("the header is missing")
    if check.op in ("exists", "not_exists"):
        return check.op == "exists" or actual is None, actual
    if check.op == "equals":
        return actual == expected, actual
    if check.op == "not_equals":
        return actual != expected, actual
    if actual is None:  # only exists/not_exists ask about an absent value (above)
        return False, actual
    if check.op == "contains":
        return expected in actual, actual
    return check.pattern_for(expected).search(actual) is not None, actual


def _body_excerpt(view: ResponseView) -> str:
    return shown(view.text())


def _check_body(check: CompiledAssertion, view: ResponseView, expected: Any) -> tuple[bool, Any]:
    text = view.text()
    if check.op == "contains":
        return expected in text, _body_excerpt(view)
    if check.op == "not_contains":
        return expected not in text, _body_excerpt(view)
    return check.pattern_for(expected).search(text) is not None, _body_excerpt(view)


def _check_jsonpath(
    check: CompiledAssertion, view: ResponseView, target: str, expected: Any, from_variable: bool
) -> tuple[bool, Any]:
    try:
        path = check.path_for(target)
    except JsonPathError as exc:
        raise _Failed(exc.message) from None
    try:
        found, value = view.query(path)
    except BodyNotJson as exc:
        raise _Failed(str(exc), _body_excerpt(view)) from None
    if check.op == "exists" and not found:
        raise _Failed("the path matched nothing")
    if check.op in ("exists", "not_exists"):
        return found == (check.op == "exists"), value
    if not found:
        raise _Failed("the path matched nothing")
    op = check.op
    if op == "equals":
        return _equal_to_expected(value, expected, from_variable), value
    if op == "not_equals":
        return not _equal_to_expected(value, expected, from_variable), value
    if op in _COMPARISONS:
        return _compare_numbers(op, value, expected), value
    if op == "contains":
        return _contains(value, expected, from_variable), value
    if op == "not_contains":
        return not _contains(value, expected, from_variable), value
    if op == "type":
        actual_type = json_type(value)
        holds = actual_type == expected or (expected == "number" and actual_type == "integer")
        if expected == "integer" and isinstance(value, float) and value.is_integer():
            holds = True
        return holds, actual_type
    if op == "length":
        if not isinstance(value, (str, list, dict)):
            raise _Failed(f"it is {json_type(value)}, which has no length", value)
        return len(value) == expected, len(value)
    if not isinstance(value, str):
        raise _Failed(f"it is {json_type(value)}, not text", value)
    return check.pattern_for(expected).search(value) is not None, value


def _check_number(check: CompiledAssertion, actual: float | None, expected: Any) -> tuple[bool, Any]:
    if actual is None:
        raise _Failed("it was not measured")
    return _compare_numbers(check.op, actual, expected), actual


def _evaluate_one(check: CompiledAssertion, view: ResponseView, resolve: Callable[[str], str] | None) -> AssertionResult:
    target = check.target
    expected = check.expected
    try:
        if has_variables(target) and resolve is not None:
            target = resolve(target)
        expected = _resolve_expected(check, resolve)
        from_variable = has_variables(check.expected) and resolve is not None
        if view.response is None:
            error = view.exchange.error
            raise _Failed(f"there was no response ({error.message})" if error else "there was no response")
        if check.type == "status":
            holds, actual = _check_status(check, view, expected)
        elif check.type == "header":
            holds, actual = _check_header(check, view, target, expected)
        elif check.type == "body":
            holds, actual = _check_body(check, view, expected)
        elif check.type == "jsonpath":
            holds, actual = _check_jsonpath(check, view, target, expected, from_variable)
        elif check.type == "response_time":
            ms = view.total_ms
            holds, actual = _check_number(check, None if ms is None else round(ms, 1), expected)
        else:
            holds, actual = _check_number(check, view.body_size, expected)
    except _Failed as failure:
        return _result(check, target, expected, False, failure.actual, failure.reason)
    except PatternError as exc:
        return _result(check, target, expected, False, None, exc.message)
    except (KeyError, LookupError, ValueError) as exc:
        # An unknown {{variable}} in the target or expected value.
        return _result(check, target, expected, False, None, str(exc) or exc.__class__.__name__)
    return _result(check, target, expected, holds, actual, "")


def _result(
    check: CompiledAssertion, target: str, expected: Any, passed: bool, actual: Any, reason: str
) -> AssertionResult:
    statement, expectation = _PHRASES[check.op]
    # The stored expected value reads the same on every request: worded once per run.
    words = check.expected_words if expected is check.expected else _expected_words(check, expected)
    subject = _subject(check, target)
    if passed:
        message = f"{subject} {statement.format(e=words)}"
    elif reason:
        message = f"expected {subject} {expectation.format(e=words)}, but {reason}"
    else:
        message = f"expected {subject} {expectation.format(e=words)}, got {_actual_words(check, actual)}"
    return AssertionResult(
        passed=passed,
        message=message,
        expected=shown(expected),
        actual=shown(actual),
        type=check.type,
        op=check.op,
        target=target,
    )


def _actual_words(check: CompiledAssertion, actual: Any) -> str:
    if check.type == "response_time":
        return f"{actual} ms"
    if check.type == "body_size":
        return f"{actual} bytes"
    if check.op == "type" or check.type == "status":
        return str(actual)
    return _display(actual)


def evaluate(
    assertions: Sequence[CompiledAssertion] | Iterable[dict[str, Any]],
    exchange: Exchange | ResponseView,
    *,
    resolve: Callable[[str], str] | None = None,
) -> list[AssertionResult]:
    """Check each enabled assertion against the exchange; never raises for what the response holds."""
    items = list(assertions)
    compiled: list[CompiledAssertion] = (
        [item for item in items if isinstance(item, CompiledAssertion)]
        if all(isinstance(item, CompiledAssertion) for item in items)
        else compile_assertions(items)
    )
    view = exchange if isinstance(exchange, ResponseView) else ResponseView(exchange)
    return [_evaluate_one(check, view, resolve) for check in compiled]

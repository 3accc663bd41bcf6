"""Captures: take a value from a response into a variable for the rest of the iteration.

Usage::

    captures = [
        {"variable": "token", "source": "jsonpath", "expression": "$.access_token", "secret": True},
        {"variable": "next", "source": "header", "expression": "Location"},
        {"variable": "order", "source": "regex", "expression": "order-(\\\\d+)", "group": 1},
        {"variable": "session", "source": "cookie", "expression": "sessionid"},
        {"variable": "code", "source": "status"},
    ]
    compiled = compile_captures(captures)        # CaptureFormatError(code, field, message)
    for result in apply_captures(compiled, exchange):
        if result.ok:
            scope[result.variable] = result.value

Variables are text: a captured JSON string is taken as is, any other JSON value as
its compact JSON text (42, true, {"a":1}). A regex runs on the body text; `group`
is a group number or name (default: the first group, or the whole match when the
pattern has none). `secret` captures are masked wherever results are shown.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from requests_app.engine.exchange import Exchange
from requests_app.engine.validation import is_token as is_header_name
from requests_app.runner.patterns import GuardedPattern, PatternError, compile_pattern
from requests_app.runner.responses import BodyNotJson, CompiledJsonPath, JsonPathError, ResponseView, compile_jsonpath
from requests_app.runner.validation import RunnerFormatError

MAX_CAPTURES = 50
MAX_VALUE_CHARS = 64 * 1024
CAPTURE_SOURCES = ("jsonpath", "header", "regex", "cookie", "status")
MASK = "••••••"

# error codes
NOT_A_LIST = "not_a_list"
TOO_MANY = "too_many"
NOT_AN_OBJECT = "not_an_object"
BAD_VARIABLE = "bad_variable"
UNKNOWN_SOURCE = "unknown_source"
MISSING_EXPRESSION = "missing_expression"
BAD_EXPRESSION = "bad_expression"
BAD_GROUP = "bad_group"
BAD_FLAG = "bad_flag"

# The same names the engine accepts inside {{ }}.
_VARIABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]{0,99}$")


class CaptureFormatError(RunnerFormatError):
    """A capture list cannot be used; `field` points at the bad part, e.g. captures[0].group."""


@dataclass
class CompiledCapture:
    variable: str
    source: str
    expression: str = ""
    group: int | str = 1
    secret: bool = False
    jsonpath: CompiledJsonPath | None = None
    pattern: GuardedPattern | None = None


@dataclass
class CaptureResult:
    variable: str
    ok: bool
    value: str | None = None
    message: str = ""
    secret: bool = False

    def to_dict(self, *, mask_secrets: bool = True) -> dict[str, Any]:
        value = MASK if (self.secret and mask_secrets and self.value is not None) else self.value
        if value is not None and len(value) > 200:
            value = value[:200] + "…"
        return {"variable": self.variable, "ok": self.ok, "value": value, "message": self.message, "secret": self.secret}


def _flag(item: dict[str, Any], key: str, where: str) -> bool:
    value = item.get(key, False if key == "secret" else True)
    if not isinstance(value, bool):
        raise CaptureFormatError(BAD_FLAG, f"{where}.{key}", "must be true or false")
    return value


def _validate_one(item: Any, where: str) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise CaptureFormatError(NOT_AN_OBJECT, where, "must be an object with variable and source")
    variable = item.get("variable")
    if not isinstance(variable, str) or not _VARIABLE_NAME.match(variable):
        raise CaptureFormatError(
            BAD_VARIABLE, f"{where}.variable", "must be a variable name (letters, digits, _ . -; not starting with a digit)"
        )
    source = item.get("source")
    if source not in CAPTURE_SOURCES:
        raise CaptureFormatError(UNKNOWN_SOURCE, f"{where}.source", f"must be one of {', '.join(CAPTURE_SOURCES)}")
    expression = item.get("expression", "")
    if source == "status":
        expression = ""
    elif not isinstance(expression, str) or not expression.strip():
        what = {
            "jsonpath": "a JSON path such as $.token",
            "header": "a header name",
            "regex": "a regular expression",
            "cookie": "a cookie name",
        }[source]
        raise CaptureFormatError(MISSING_EXPRESSION, f"{where}.expression", f"needs {what}")
    elif source != "regex":
        expression = expression.strip()
    group = item.get("group")
    if source == "regex":
        if group is not None and not (
            (isinstance(group, int) and not isinstance(group, bool) and group >= 0) or isinstance(group, str)
        ):
            raise CaptureFormatError(BAD_GROUP, f"{where}.group", "must be a group number or name")
    else:
        group = None
    return {
        "variable": variable,
        "source": source,
        "expression": expression,
        "group": group,
        "secret": _flag(item, "secret", where),
        "enabled": _flag(item, "enabled", where),
    }


def _validated(data: Any, field_name: str) -> list[tuple[dict[str, Any], CompiledCapture]]:
    if data is None:
        return []
    if not isinstance(data, list):
        raise CaptureFormatError(NOT_A_LIST, field_name, "must be a list of captures")
    if len(data) > MAX_CAPTURES:
        raise CaptureFormatError(TOO_MANY, field_name, f"at most {MAX_CAPTURES} captures per request")
    out = []
    for i, raw in enumerate(data):
        where = f"{field_name}[{i}]"
        item = _validate_one(raw, where)
        out.append((item, _compile(item, where)))
    return out


def validate_captures(data: Any, field_name: str = "captures") -> list[dict[str, Any]]:
    """Return the normalised list, or raise CaptureFormatError naming the first bad field."""
    return [item for item, _ in _validated(data, field_name)]


def _compile(item: dict[str, Any], where: str) -> CompiledCapture:
    source, expression = item["source"], item["expression"]
    capture = CompiledCapture(item["variable"], source, expression, secret=item["secret"])
    try:
        if source == "jsonpath":
            capture.jsonpath = compile_jsonpath(expression)
        elif source == "regex":
            capture.pattern = compile_pattern(expression)
        elif source == "header" and not is_header_name(expression):
            raise CaptureFormatError(BAD_EXPRESSION, f"{where}.expression", f"{expression!r} is not a valid header name")
    except (JsonPathError, PatternError) as exc:
        raise CaptureFormatError(BAD_EXPRESSION, f"{where}.expression", exc.message) from None
    if source == "regex" and capture.pattern is not None:
        groups = capture.pattern.compiled.groups
        group = item["group"]
        if group is None:
            group = 1 if groups else 0
        if isinstance(group, int) and group > groups:
            raise CaptureFormatError(BAD_GROUP, f"{where}.group", f"the pattern has {groups} group(s)")
        if isinstance(group, str) and group not in capture.pattern.compiled.groupindex:
            raise CaptureFormatError(BAD_GROUP, f"{where}.group", f"the pattern has no group named {group!r}")
        capture.group = group
    return capture


def compile_captures(data: Any, field_name: str = "captures") -> list[CompiledCapture]:
    """Validate and compile the enabled captures, once per run."""
    return [capture for item, capture in _validated(data, field_name) if item["enabled"]]


def as_variable_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class _Missing(Exception):
    pass


def _capture_value(capture: CompiledCapture, view: ResponseView) -> str:
    if capture.source == "status":
        return str(view.status)
    if capture.source == "header":
        value = view.header(capture.expression)
        if value is None:
            raise _Missing(f"no {capture.expression} header in the response")
        return value
    if capture.source == "cookie":
        value = view.cookie(capture.expression)
        if value is None:
            raise _Missing(f"the response set no cookie named {capture.expression}")
        return value
    if capture.source == "jsonpath":
        assert capture.jsonpath is not None
        try:
            found, value = view.query(capture.jsonpath)
        except BodyNotJson as exc:
            raise _Missing(str(exc)) from None
        if not found:
            raise _Missing(f"{capture.expression} matched nothing")
        return as_variable_text(value)
    assert capture.pattern is not None
    match = capture.pattern.search(view.text())
    if match is None:
        raise _Missing(f"/{capture.expression}/ did not match the body")
    group_value = match.group(capture.group)
    if group_value is None:
        raise _Missing(f"group {capture.group} of /{capture.expression}/ took part in no match")
    return str(group_value)


def apply_captures(captures: Sequence[CompiledCapture], exchange: Exchange | ResponseView) -> list[CaptureResult]:
    """Take each capture's value from the response; a failed capture says why and sets nothing."""
    view = exchange if isinstance(exchange, ResponseView) else ResponseView(exchange)
    results = []
    for capture in captures:
        try:
            if view.response is None:
                raise _Missing("there was no response")
            value = _capture_value(capture, view)
            if len(value) > MAX_VALUE_CHARS:
                raise _Missing(f"the value is longer than {MAX_VALUE_CHARS} characters")
        except _Missing as missing:
            results.append(CaptureResult(capture.variable, False, None, str(missing), capture.secret))
        except PatternError as exc:
            results.append(CaptureResult(capture.variable, False, None, exc.message, capture.secret))
        else:
            results.append(CaptureResult(capture.variable, True, value, "", capture.secret))
    return results

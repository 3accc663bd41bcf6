"""Size and nesting limits, checked before any parser sees the text.

Usage::

    from requests_app.interop.limits import load_json, load_yaml, as_text
    text = as_text(uploaded_bytes, "Postman collection")   # UTF-8 or a named error
    data = load_json(text, "Postman collection")            # size and depth checked first
    data = load_yaml(text, "OpenAPI document")               # safe loader only

Why before: `json.loads` raises RecursionError near depth 5,000 and ValueError on
integers longer than 4,300 digits; PyYAML's composer recurses too, and aliases can
expand a small file into billions of nodes. Every problem becomes ImportFormatError
with a position, never another exception type.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from itertools import accumulate
from typing import Any

from requests_app.interop.model import ImportFormatError

MAX_IMPORT_BYTES = 10 * 1024 * 1024
MAX_NESTING_DEPTH = 64
# Aliases let a few hundred bytes of YAML stand for billions of nodes; the expanded
# tree may hold at most this many nodes (a 10 MiB document holds far fewer).
MAX_YAML_EXPANDED_NODES = 2_000_000

_LONG_NUMBER = re.compile(r"\d{4301,}")
_JSON_STRING = r'"[^"\\]*(?:\\.[^"\\]*)*"?'
_JSON_TOKENS = re.compile(_JSON_STRING + r"|[\[\]{}]", re.DOTALL)
_JSON_STRINGS = re.compile(_JSON_STRING, re.DOTALL)
_JSON_BRACKETS = re.compile(r"[\[\]{}]")
_BRACKET_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}



@lru_cache(maxsize=1)
def _yaml() -> tuple[Any, Any]:
    """PyYAML and its safe loader, imported on the first YAML document: JSON-only work (a CI run of
    a Postman file) does not pay for it at start-up."""
    import yaml

    # libyaml is much faster on large documents; same safe semantics.
    return yaml, getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def line_col(text: str, offset: int) -> str:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"line {line}, column {column}"


def as_text(content: str | bytes, format_name: str) -> str:
    """Bytes as UTF-8 text (a BOM is dropped), after the size check."""
    if isinstance(content, bytes):
        check_size(content, format_name)
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ImportFormatError(
                format_name, f"byte {exc.start}", "is not UTF-8 text (is this a binary file?)"
            ) from None
    else:
        text = content
        check_size(text, format_name)
    text = text.removeprefix("\ufeff")
    if "\x00" in text:
        raise ImportFormatError(
            format_name, line_col(text, text.index("\x00")), "contains a NUL character (is this a binary file?)"
        )
    return text


def check_size(content: str | bytes, format_name: str) -> None:
    # Characters never outnumber UTF-8 bytes, so a long text is refused before encoding it.
    size = len(content)
    if size <= MAX_IMPORT_BYTES and isinstance(content, str):
        size = len(content.encode("utf-8", errors="surrogatepass"))
    if size > MAX_IMPORT_BYTES:
        raise ImportFormatError(
            format_name,
            "",
            f"is {size / 1024 / 1024:.1f} MiB; imports are limited to {MAX_IMPORT_BYTES // 1024 // 1024} MiB",
        )


def _json_depth(text: str) -> int:
    """The deepest nesting, counted as check_json_depth counts it, with the strings cut out at C speed:
    a Python loop over every string token cost ≈ 20 ms for a 500-request collection."""
    steps = map(_BRACKET_STEP.__getitem__, _JSON_BRACKETS.findall(_JSON_STRINGS.sub("", text)))
    return max(accumulate(steps, initial=0))


json_depth = _json_depth  # public name for the API's JSON parser (api/parsers.py)


def check_json_depth(text: str, format_name: str, limit: int = MAX_NESTING_DEPTH) -> None:
    if _json_depth(text) <= limit:
        return
    # Too deep: walk the tokens again to say where.
    depth = 0
    for match in _JSON_TOKENS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > limit:
                raise ImportFormatError(
                    format_name, line_col(text, match.start()), f"nesting is deeper than {limit} levels"
                )
        elif token in "]}":
            depth -= 1


def load_json(text: str, format_name: str) -> Any:
    """Parse JSON text after the size and depth checks; errors carry line and column."""
    check_size(text, format_name)
    check_json_depth(text, format_name)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFormatError(
            format_name, f"line {exc.lineno}, column {exc.colno}", f"is not valid JSON ({exc.msg})"
        ) from None
    except (ValueError, RecursionError) as exc:  # over-long integers; depth is already capped
        raise _number_error(text, format_name) or ImportFormatError(format_name, "", f"is not valid JSON ({exc})") from None


def _number_error(text: str, format_name: str) -> ImportFormatError | None:
    """Python refuses to read integers longer than 4,300 digits; say where the long one is."""
    match = _LONG_NUMBER.search(text)
    if match is None:
        return None
    return ImportFormatError(format_name, line_col(text, match.start()), "a number is longer than 4,300 digits")


def _mark(mark: Any) -> str:
    return "" if mark is None else f"line {mark.line + 1}, column {mark.column + 1}"


def _check_yaml_events(text: str, format_name: str) -> bool:
    """Walk the event stream (the parser does not recurse); return whether aliases occur."""
    yaml, safe_loader = _yaml()
    depth = 0
    has_aliases = False
    try:
        for event in yaml.parse(text, Loader=safe_loader):
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_NESTING_DEPTH:
                    raise ImportFormatError(
                        format_name, _mark(event.start_mark), f"nesting is deeper than {MAX_NESTING_DEPTH} levels"
                    )
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
            elif isinstance(event, yaml.AliasEvent):
                has_aliases = True
    except yaml.MarkedYAMLError as exc:
        raise ImportFormatError(
            format_name, _mark(exc.problem_mark), f"is not valid YAML ({exc.problem or exc.context})"
        ) from None
    except yaml.YAMLError as exc:
        raise ImportFormatError(format_name, "", f"is not valid YAML ({exc})") from None
    return has_aliases


def _check_expanded_size(data: Any, format_name: str) -> None:
    budget = MAX_YAML_EXPANDED_NODES
    stack = [data]
    while stack:
        node = stack.pop()
        budget -= 1
        if budget < 0:
            raise ImportFormatError(
                format_name, "", f"aliases expand to more than {MAX_YAML_EXPANDED_NODES:,} nodes"
            )
        if isinstance(node, dict):
            stack.extend(node.keys())
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


def load_yaml(text: str, format_name: str) -> Any:
    """Parse YAML (a superset of JSON) with the safe loader after size and depth checks."""
    check_size(text, format_name)
    has_aliases = _check_yaml_events(text, format_name)
    yaml, safe_loader = _yaml()
    try:
        data = yaml.load(text, Loader=safe_loader)
    except yaml.MarkedYAMLError as exc:
        raise ImportFormatError(
            format_name, _mark(exc.problem_mark), f"is not valid YAML ({exc.problem or exc.context})"
        ) from None
    except (yaml.YAMLError, ValueError, RecursionError) as exc:
        raise _number_error(text, format_name) or ImportFormatError(format_name, "", f"is not valid YAML ({exc})") from None
    if has_aliases:
        _check_expanded_size(data, format_name)
    return data

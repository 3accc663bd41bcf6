"""Differences between two responses: status, headers, and the body as JSON structure or lines.

Plain Python, no Django: it takes the engine's response dicts (`engine.exchange.response_to_dict`,
as history stores them) and gives plain data that the API returns and the page draws.

Usage::

    from requests_app.responsediff import IgnoreRules, diff_responses
    diff = diff_responses(before, after, ignore=IgnoreRules(headers=["Date"], json_paths=["$..requestId"]))
    diff.same                        # nothing but ignored parts differ
    diff.status                      # (200, 500), or None when equal
    [c.path for c in diff.body.changes]     # "$.items[3].price", "$.meta" …

JSON bodies are compared as structures: object keys in any order; arrays aligned by content, so an
item inserted in the middle reads as one insertion, an item that moved as a move, not as every later
item "changed". Text bodies get a line diff. Work is bounded: at most MAX_CHANGES changes are listed
(the count goes on), and a line diff of more than MAX_DIFF_LINES lines is refused with a reason, so a
pair of large bodies costs bounded time and memory on the server.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

MAX_CHANGES = 1000
MAX_DIFF_LINES = 20_000
MAX_JSON_DEPTH = 200
# Arrays longer than this are aligned by index only when their lengths are equal; when the lengths
# differ, content alignment (difflib over item fingerprints) is used up to this many items.
MAX_ALIGNED_ITEMS = 50_000
TEXT_KINDS = ("json", "text", "html", "xml", "javascript", "css", "form")

ADDED, REMOVED, CHANGED, TYPE_CHANGED, MOVED = "added", "removed", "changed", "type_changed", "moved"

BINARY_BODY = "binary_body"
BODY_TOO_LARGE = "body_too_large"
NO_RESPONSE = "no_response"


class DiffRefused(ValueError):
    """The pair cannot be compared (no response on one side); `code` names why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class IgnoreRules:
    """What a comparison leaves out: header names (any case) and JSON paths.

    Paths: `$.a.b`, `$.items[*].id`, `$.items[0]`, and `$..name` for a key at any depth.
    """

    headers: Sequence[str] = ()
    json_paths: Sequence[str] = ()

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> IgnoreRules:
        data = data or {}
        return cls(headers=tuple(str(h) for h in data.get("headers") or ()),
                   json_paths=tuple(str(p) for p in data.get("json_paths") or ()))

    def ignores_header(self, name: str) -> bool:
        return name.lower() in {h.lower() for h in self.headers}


def validate_json_path(path: str) -> str | None:
    """None when `path` is a path these rules understand, else the reason."""
    if not _PATH.fullmatch(path):
        return "use $.key, $.list[*].key, $.list[0] or $..key"
    return None


_PATH_STEP = r"(?:\.\.?(?:[A-Za-z_$][\w$-]*|\*)|\[(?:\d+|\*)\]|\[\"[^\"]*\"\])"
_PATH = re.compile(r"\$" + _PATH_STEP + "*")
_STEP = re.compile(_PATH_STEP)


def _compile_path(path: str) -> list[tuple[str, str]]:
    """("key"|"any_key_deep"|"index"|"wild", value) steps of a path."""
    steps: list[tuple[str, str]] = []
    for match in _STEP.finditer(path[1:]):
        step = match.group(0)
        if step.startswith(".."):
            steps.append(("deep", step[2:]))
        elif step.startswith("."):
            steps.append(("wild", "") if step == ".*" else ("key", step[1:]))
        elif step == "[*]":
            steps.append(("wild", ""))
        elif step.startswith('["'):
            steps.append(("key", step[2:-2]))
        else:
            steps.append(("index", step[1:-1]))
    return steps


def _matches(steps: list[tuple[str, str]], path: tuple[str | int, ...]) -> bool:
    if not steps:
        return not path
    kind, value = steps[0]
    if kind == "deep":  # this key at any depth from here
        return any(
            isinstance(path[i], str) and path[i] == value and _matches(steps[1:], path[i + 1:])
            for i in range(len(path))
        )
    if not path:
        return False
    head = path[0]
    if kind == "key" and head != value:
        return False
    if kind == "index" and (not isinstance(head, int) or head != int(value)):
        return False
    return _matches(steps[1:], path[1:])


@dataclass
class Change:
    """One difference. In a body, `before`/`after` are the values as compact JSON text (so "1"
    and 1 and null read apart), None where the side has nothing; for "moved", `before` is the
    path the item came from. In headers, they are the header values."""

    path: str
    kind: str
    before: str | None = None
    after: str | None = None


@dataclass
class BodyDiff:
    mode: str  # "json", "text", "same" or "none"
    changes: list[Change] = field(default_factory=list)  # json
    lines: list[list[str]] = field(default_factory=list)  # text: [op, line] with op " ", "-", "+", "@"
    change_count: int = 0
    truncated: bool = False
    note: str = ""


@dataclass
class ResponseDiff:
    status: tuple[int | None, int | None] | None
    headers: list[Change]
    body: BodyDiff
    ignored: dict[str, list[str]]

    @property
    def same(self) -> bool:
        return self.status is None and not self.headers and self.body.change_count == 0

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["same"] = self.same
        data["status"] = None if self.status is None else {"before": self.status[0], "after": self.status[1]}
        return data


def diff_responses(before: dict[str, Any] | None, after: dict[str, Any] | None, *,
                   ignore: IgnoreRules = IgnoreRules()) -> ResponseDiff:
    """Compare two response dicts (engine.exchange.response_to_dict); raises DiffRefused."""
    if not before or not after:
        raise DiffRefused(NO_RESPONSE, "Only exchanges that got a response can be compared: "
                                       f"the {'first' if not before else 'second'} one has none.")
    status = None if before.get("status") == after.get("status") else (before.get("status"), after.get("status"))
    return ResponseDiff(
        status=status,
        headers=diff_headers(before.get("headers") or [], after.get("headers") or [], ignore=ignore),
        body=diff_bodies(before, after, ignore=ignore),
        ignored={"headers": list(ignore.headers), "json_paths": list(ignore.json_paths)},
    )


def diff_headers(before: Iterable[Sequence[str]], after: Iterable[Sequence[str]], *,
                 ignore: IgnoreRules = IgnoreRules()) -> list[Change]:
    """Added, removed and changed headers by name (any case); repeated headers compare as lists."""

    def grouped(pairs: Iterable[Sequence[str]]) -> dict[str, tuple[str, list[str]]]:
        out: dict[str, tuple[str, list[str]]] = {}
        for name, value in pairs:
            if not ignore.ignores_header(name):
                out.setdefault(name.lower(), (name, []))[1].append(value)
        return out

    a, b = grouped(before), grouped(after)
    changes = []
    for key in sorted(a.keys() | b.keys()):
        if key not in b:
            changes.append(Change(a[key][0], REMOVED, before=_joined(a[key][1])))
        elif key not in a:
            changes.append(Change(b[key][0], ADDED, after=_joined(b[key][1])))
        elif a[key][1] != b[key][1]:
            changes.append(Change(b[key][0], CHANGED, before=_joined(a[key][1]), after=_joined(b[key][1])))
    return changes


def _joined(values: list[str]) -> str:
    return values[0] if len(values) == 1 else " | ".join(values)


def diff_bodies(before: dict[str, Any], after: dict[str, Any], *, ignore: IgnoreRules = IgnoreRules()) -> BodyDiff:
    if "body_base64" in before or "body_base64" in after:
        if before.get("body_base64") == after.get("body_base64"):
            return BodyDiff("same", note="The binary bodies are identical.")
        raise DiffRefused(BINARY_BODY, "Binary bodies cannot be compared part by part: they differ "
                                       f"({before.get('size', {}).get('body', '?')} and "
                                       f"{after.get('size', {}).get('body', '?')} bytes).")
    text_a, text_b = before.get("body_text") or "", after.get("body_text") or ""
    if before.get("kind") == "json" and after.get("kind") == "json":
        parsed = _parse_both(text_a, text_b)
        if parsed is not None:
            return _diff_parsed(*parsed, ignore=ignore)
    if text_a == text_b:
        return BodyDiff("same" if text_a else "none")
    return diff_text(text_a, text_b)


# Python's == takes true for 1, JSON does not. Numbers are read as their bytes (str.encode runs in
# C, so parsing stays fast), which equal no bool, str or other JSON value: equal subtrees can then
# be skipped with one C-level ==, and a number whose text changed (1 → 1.0) reads as changed.
_NUMBER = bytes


def _strict_loads(text: str) -> Any:
    return json.loads(text, parse_int=str.encode, parse_float=str.encode)


def _parse_both(text_a: str, text_b: str) -> tuple[Any, Any] | None:
    try:
        return _strict_loads(text_a), _strict_loads(text_b)
    except (ValueError, RecursionError):
        return None  # not JSON after all, or too deep: compare the lines


def diff_json(before: Any, after: Any, *, ignore: IgnoreRules = IgnoreRules()) -> BodyDiff:
    """Compare two JSON values (Python objects as json.loads gives them)."""
    return _diff_parsed(_strict_loads(json.dumps(before)), _strict_loads(json.dumps(after)), ignore=ignore)


def _diff_parsed(before: Any, after: Any, *, ignore: IgnoreRules) -> BodyDiff:
    walker = _JsonWalker([_compile_path(p) for p in ignore.json_paths])
    walker.compare(before, after, ())
    return BodyDiff("json", changes=walker.changes, change_count=walker.count,
                    truncated=walker.count > len(walker.changes),
                    note="" if walker.count <= MAX_CHANGES else f"Showing the first {MAX_CHANGES} of {walker.count} changes.")


_ABSENT = object()


class _JsonWalker:
    def __init__(self, ignored: list[list[tuple[str, str]]]) -> None:
        self.ignored = ignored
        self.changes: list[Change] = []
        self.count = 0

    def add(self, path: tuple[str | int, ...], kind: str, before: Any = _ABSENT, after: Any = _ABSENT) -> None:
        if self.ignored and any(_matches(steps, path) for steps in self.ignored):
            return
        self.count += 1
        if len(self.changes) < MAX_CHANGES:
            self.changes.append(Change(format_path(path), kind,
                                       before if kind == MOVED else _preview(before), _preview(after)))

    def compare(self, a: Any, b: Any, path: tuple[str | int, ...]) -> None:
        if a == b:  # an equal subtree costs one C-level compare (numbers are bytes: see _strict_loads)
            return
        if len(path) > MAX_JSON_DEPTH:
            self.add(path, CHANGED, a, b)
            return
        if isinstance(a, dict) and isinstance(b, dict):
            for key in [*a, *(k for k in b if k not in a)]:  # in document order
                if key not in b:
                    self.add((*path, key), REMOVED, before=a[key])
                elif key not in a:
                    self.add((*path, key), ADDED, after=b[key])
                else:
                    self.compare(a[key], b[key], (*path, key))
        elif isinstance(a, list) and isinstance(b, list):
            self.compare_lists(a, b, path)
        elif _json_type(a) != _json_type(b):
            self.add(path, TYPE_CHANGED, a, b)
        else:
            self.add(path, CHANGED, a, b)

    def compare_lists(self, a: list[Any], b: list[Any], path: tuple[str | int, ...]) -> None:
        if len(a) == len(b) or max(len(a), len(b)) > MAX_ALIGNED_ITEMS:
            for index in range(max(len(a), len(b))):
                if index >= len(b):
                    self.add((*path, index), REMOVED, before=a[index])
                elif index >= len(a):
                    self.add((*path, index), ADDED, after=b[index])
                else:
                    self.compare(a[index], b[index], (*path, index))
            return
        keys_a, keys_b = [_fingerprint(x) for x in a], [_fingerprint(x) for x in b]
        removed: dict[str, list[int]] = {}
        added: list[int] = []
        matcher = difflib.SequenceMatcher(None, keys_a, keys_b, autojunk=False)
        for op, i1, i2, j1, j2 in matcher.get_opcodes():
            if op == "equal":
                continue
            paired = min(i2 - i1, j2 - j1) if op == "replace" else 0
            for k in range(paired):  # an item replaced in place: say what inside it changed
                self.compare(a[i1 + k], b[j1 + k], (*path, j1 + k))
            for i in range(i1 + paired, i2):
                removed.setdefault(keys_a[i], []).append(i)
            added.extend(range(j1 + paired, j2))
        for j in added:
            origins = removed.get(keys_b[j])
            if origins:
                self.add((*path, j), MOVED, before=f"{format_path((*path, origins.pop(0)))}", after=b[j])
            else:
                self.add((*path, j), ADDED, after=b[j])
        for indexes in removed.values():
            for i in indexes:
                self.add((*path, i), REMOVED, before=a[i])


def _fingerprint(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_number_marker)


def _number_marker(value: Any) -> Any:
    return {"\x00number": value.decode("ascii")}


def _plain(value: Any) -> Any:
    """The value with its numbers (read as bytes) back as numbers."""
    if isinstance(value, _NUMBER):
        return json.loads(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (_NUMBER, int, float)):
        return "number"
    names: dict[type, str] = {str: "string", list: "array", dict: "object"}
    return names.get(type(value), type(value).__name__)


def _preview(value: Any, limit: int = 200) -> str | None:
    """The value as compact JSON text cut at `limit` characters; None for a side with nothing."""
    if value is _ABSENT:
        return None
    text = json.dumps(_plain(value), ensure_ascii=False, separators=(",", ":"))
    return text if len(text) <= limit else text[: limit - 1] + "…"


_PLAIN_KEY = re.compile(r"[A-Za-z_$][\w$]*")


def format_path(path: Iterable[str | int]) -> str:
    out = "$"
    for step in path:
        if isinstance(step, int):
            out += f"[{step}]"
        elif _PLAIN_KEY.fullmatch(step):
            out += f".{step}"
        else:
            out += "[" + json.dumps(step, ensure_ascii=False) + "]"
    return out


def diff_text(before: str, after: str) -> BodyDiff:
    lines_a, lines_b = before.splitlines(), after.splitlines()
    if len(lines_a) + len(lines_b) > MAX_DIFF_LINES:
        raise DiffRefused(BODY_TOO_LARGE, f"The bodies have {len(lines_a)} and {len(lines_b)} lines: a line "
                                          f"diff is limited to {MAX_DIFF_LINES} lines in all. Download both to "
                                          "compare them with a local tool.")
    out: list[list[str]] = []
    count = 0
    for line in difflib.unified_diff(lines_a, lines_b, lineterm="", n=3):
        if line.startswith(("---", "+++")):
            continue
        op = "@" if line.startswith("@@") else line[:1]
        count += op in "+-"
        if len(out) < MAX_CHANGES * 2:
            out.append([op, line if op == "@" else line[1:]])
    return BodyDiff("text", lines=out, change_count=count, truncated=len(out) >= MAX_CHANGES * 2)

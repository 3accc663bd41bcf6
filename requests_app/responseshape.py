"""The shape of a JSON response — its keys and value types, no values — and what changed in it.

Plain Python, no Django. A monitor keeps each response's shape (runs store no bodies) and compares
a run's shapes with its last good run's through responsediff, so the same ignore rules apply.

Usage::

    from requests_app.responseshape import json_shape, shape_changes
    json_shape({"id": 3, "tags": ["a"], "owner": None})
    # {"id": "number", "tags": ["string"], "owner": "null"}
    shape_changes(before, after, ignore=IgnoreRules(json_paths=["$..etag"]))
    # [Change(path="$.owner", kind="type_changed", ...), Change(path="$.email", kind="added", ...)]

An array's shape is one item: the union of its items' shapes (the first MAX_ARRAY_ITEMS of them),
so a list that grew or shrank is the same shape, while an item that gained a key is not. Depth and
size are bounded: deeper than MAX_DEPTH reads as "…", more than MAX_NODES nodes is cut.
"""

from __future__ import annotations

from typing import Any

from requests_app.responsediff import Change, IgnoreRules, diff_json

MAX_DEPTH = 32
MAX_ARRAY_ITEMS = 50
MAX_NODES = 2000
TRUNCATED = "…"


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return type(value).__name__


class _Budget:
    def __init__(self) -> None:
        self.nodes = 0


def _merge(a: Any, b: Any) -> Any:
    """Union of two item shapes: keys of both; a key whose types differ keeps the first seen."""
    if isinstance(a, dict) and isinstance(b, dict):
        merged = dict(a)
        for key, shape in b.items():
            merged[key] = _merge(merged[key], shape) if key in merged else shape
        return merged
    if isinstance(a, list) and isinstance(b, list):
        if not a or not b:
            return a or b
        return [_merge(a[0], b[0])]
    return a


def _shape(value: Any, depth: int, budget: _Budget) -> Any:
    budget.nodes += 1
    if depth >= MAX_DEPTH or budget.nodes > MAX_NODES:
        return TRUNCATED
    if isinstance(value, dict):
        shape: dict[str, Any] = {}
        for key, item in value.items():
            if budget.nodes >= MAX_NODES:
                shape[TRUNCATED] = TRUNCATED  # the rest of the keys are not kept: the stored shape stays small
                break
            shape[str(key)] = _shape(item, depth + 1, budget)
        return shape
    if isinstance(value, list):
        item_shape: Any = None
        for item in value[:MAX_ARRAY_ITEMS]:
            found = _shape(item, depth + 1, budget)
            item_shape = found if item_shape is None else _merge(item_shape, found)
        return [] if item_shape is None else [item_shape]
    return _type_name(value)


def json_shape(document: Any) -> Any:
    """The shape of a parsed JSON document (see the module's docstring)."""
    return _shape(document, 0, _Budget())


def _kind_of(preview: str | None) -> str:
    """A shape's name from a diff preview (compact JSON text, possibly cut)."""
    if not preview:
        return "nothing"
    if preview.startswith("{"):
        return "object"
    if preview.startswith("["):
        return "array"
    return preview.strip('"')


def describe_change(change: Change) -> str:
    """One line for a person: `$.id: number → string`, `$.email added`, `$.meta removed`."""
    if change.kind == "added":
        return f"{change.path} added ({_kind_of(change.after)})"
    if change.kind == "removed":
        return f"{change.path} removed"
    return f"{change.path}: {_kind_of(change.before)} → {_kind_of(change.after)}"


def shape_changes(before: Any, after: Any, *, ignore: IgnoreRules = IgnoreRules()) -> list[Change]:
    """Paths whose shape changed (keys added or removed, a type changed). Array items are one
    shape, so the paths of items read `[0]`: `$.items[0].price`."""
    return list(diff_json(before, after, ignore=ignore).changes)

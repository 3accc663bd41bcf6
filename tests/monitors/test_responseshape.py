"""responseshape: a JSON body's keys and types, compared through responsediff (no database)."""

from __future__ import annotations

from requests_app.responsediff import IgnoreRules
from requests_app.responseshape import MAX_DEPTH, MAX_NODES, TRUNCATED, describe_change, json_shape, shape_changes


def test_values_become_types_and_arrays_one_merged_item():
    shape = json_shape({"id": 3, "ok": True, "owner": None, "tags": ["a", "b"],
                        "items": [{"id": 1}, {"id": 2, "price": 9.5}], "empty": []})
    assert shape == {"id": "number", "ok": "boolean", "owner": "null", "tags": ["string"],
                     "items": [{"id": "number", "price": "number"}], "empty": []}


def test_a_longer_list_or_other_values_are_the_same_shape():
    before = json_shape({"items": [{"id": 1, "name": "a"}], "total": 1})
    after = json_shape({"items": [{"id": 7, "name": "x"}, {"id": 8, "name": "y"}], "total": 2})
    assert shape_changes(before, after) == []


def test_changes_name_their_paths_and_kinds():
    before = json_shape({"id": 1, "meta": {"page": 1}, "items": [{"id": 1}]})
    after = json_shape({"id": "1", "items": [{"id": 1, "sku": "x"}], "next": None})
    lines = sorted(describe_change(change) for change in shape_changes(before, after))
    assert lines == ["$.id: number → string", "$.items[0].sku added (string)", "$.meta removed",
                     "$.next added (null)"]


def test_ignore_rules_apply_to_shapes():
    before, after = json_shape({"a": {"requestId": "x"}}), json_shape({"a": {"requestId": 1}})
    assert shape_changes(before, after, ignore=IgnoreRules(json_paths=["$..requestId"])) == []


def test_depth_and_size_are_bounded():
    deep: object = "leaf"
    for _ in range(MAX_DEPTH + 10):
        deep = {"d": deep}
    shape = json_shape(deep)
    for _ in range(MAX_DEPTH):
        shape = shape["d"]
    assert shape == TRUNCATED
    wide = json_shape({f"k{i}": i for i in range(MAX_NODES * 10)})
    assert len(wide) <= MAX_NODES + 1 and wide[TRUNCATED] == TRUNCATED

"""The response diff on crafted pairs (issue 18)."""

from __future__ import annotations

import json

import pytest

from requests_app.responsediff import (
    ADDED,
    BINARY_BODY,
    BODY_TOO_LARGE,
    CHANGED,
    MOVED,
    NO_RESPONSE,
    REMOVED,
    TYPE_CHANGED,
    DiffRefused,
    IgnoreRules,
    diff_json,
    diff_responses,
    format_path,
    validate_json_path,
)


def response(body, *, status=200, headers=(("Content-Type", "application/json"),), kind="json"):
    data = {"status": status, "headers": [list(h) for h in headers], "kind": kind, "size": {"body": 0}}
    if isinstance(body, bytes):
        data["body_base64"] = body.hex()
    else:
        data["body_text"] = body if isinstance(body, str) else json.dumps(body)
    return data


def paths(diff):
    return {(c.path, c.kind) for c in diff.changes}


def test_reordered_keys_are_the_same():
    diff = diff_responses(response('{"a": 1, "b": [1, 2]}'), response('{"b": [1, 2], "a": 1}'))
    assert diff.same and diff.body.change_count == 0


def test_added_removed_changed_and_type_changed_keys():
    diff = diff_json({"keep": 1, "gone": 2, "num": 1, "kind": 1, "deep": {"x": "a"}},
                     {"keep": 1, "new": 3, "num": 2, "kind": "1", "deep": {"x": "b"}})
    assert paths(diff) == {("$.gone", REMOVED), ("$.new", ADDED), ("$.num", CHANGED),
                           ("$.kind", TYPE_CHANGED), ("$.deep.x", CHANGED)}


def test_true_and_1_differ_in_type():
    assert paths(diff_json({"a": True}, {"a": 1})) == {("$.a", TYPE_CHANGED)}


def test_an_item_inserted_in_an_array_is_one_addition_not_every_later_item_changed():
    before = [{"id": i} for i in range(10)]
    after = before[:3] + [{"id": 99}] + before[3:]
    assert paths(diff_json(before, after)) == {("$[3]", ADDED)}


def test_a_moved_array_item_reads_as_a_move():
    before = [{"id": 1}, {"id": 2}, {"id": 3}, {"id": 4}]
    after = [{"id": 2}, {"id": 3}, {"id": 4}, {"id": 1}]
    diff = diff_json({"items": before}, {"items": after + [{"id": 5}]})
    kinds = paths(diff)
    assert ("$.items[3]", MOVED) in kinds and ("$.items[4]", ADDED) in kinds
    moved = next(c for c in diff.changes if c.kind == MOVED)
    assert moved.before == "$.items[0]"


def test_an_item_changed_in_place_names_the_field_inside_it():
    before = {"items": [{"id": 1, "price": 10}, {"id": 2, "price": 20}]}
    after = {"items": [{"id": 1, "price": 10}, {"id": 2, "price": 25}]}
    assert paths(diff_json(before, after)) == {("$.items[1].price", CHANGED)}


def test_ignore_rules_leave_out_headers_and_json_paths():
    before = response({"id": "a1", "at": 1, "items": [{"ts": 1, "v": 1}], "meta": {"trace": "x"}},
                      headers=[("Date", "Mon"), ("X-Request-Id", "1"), ("ETag", "a")])
    after = response({"id": "b2", "at": 2, "items": [{"ts": 2, "v": 1}], "meta": {"trace": "y"}},
                     headers=[("Date", "Tue"), ("x-request-id", "2"), ("ETag", "a")])
    rules = IgnoreRules(headers=["date", "X-Request-ID"], json_paths=["$.id", "$.items[*].ts", "$..trace", "$.at"])
    assert diff_responses(before, after, ignore=rules).same
    assert not diff_responses(before, after).same


def test_headers_added_removed_changed_by_name_in_any_case():
    diff = diff_responses(response("{}", headers=[("A", "1"), ("B", "2"), ("Set-Cookie", "x"), ("Set-Cookie", "y")]),
                          response("{}", headers=[("a", "1"), ("C", "3"), ("Set-Cookie", "x")]))
    assert {(c.path, c.kind) for c in diff.headers} == {("B", REMOVED), ("C", ADDED), ("Set-Cookie", CHANGED)}


def test_status_difference():
    assert diff_responses(response("{}"), response("{}", status=500)).status == (200, 500)


def test_text_bodies_get_a_line_diff():
    diff = diff_responses(response("a\nb\nc\n", kind="text"), response("a\nB\nc\n", kind="text"))
    assert diff.body.mode == "text" and diff.body.change_count == 2
    assert ["-", "b"] in diff.body.lines and ["+", "B"] in diff.body.lines


def test_binary_bodies_are_refused_clearly_unless_identical():
    same = diff_responses(response(b"\x00\x01", kind="binary"), response(b"\x00\x01", kind="binary"))
    assert same.body.mode == "same"
    with pytest.raises(DiffRefused) as refused:
        diff_responses(response(b"\x00\x01", kind="binary"), response(b"\x00\x02", kind="binary"))
    assert refused.value.code == BINARY_BODY


def test_an_exchange_without_a_response_is_refused():
    with pytest.raises(DiffRefused) as refused:
        diff_responses(None, response("{}"))
    assert refused.value.code == NO_RESPONSE


def test_a_huge_line_diff_is_refused_not_run():
    big = "\n".join(str(i) for i in range(30_000))
    with pytest.raises(DiffRefused) as refused:
        diff_responses(response(big, kind="text"), response(big + "\nx", kind="text"))
    assert refused.value.code == BODY_TOO_LARGE


def test_many_changes_are_counted_and_the_list_is_bounded():
    diff = diff_json(list(range(5000)), [i + 1 for i in range(5000)])
    assert diff.change_count == 5000 and len(diff.changes) == 1000 and diff.truncated


def test_paths_quote_keys_that_are_not_names():
    assert format_path(["a b", 0, "ok", "é-x"]) == '$["a b"][0].ok["é-x"]'


@pytest.mark.parametrize("path", ["$.a", "$.a.b[*].c", "$..id", "$.list[0]", '$["a b"]'])
def test_valid_ignore_paths(path):
    assert validate_json_path(path) is None


@pytest.mark.parametrize("path", ["a.b", "$.", "$[x]", "$..", ""])
def test_invalid_ignore_paths(path):
    assert validate_json_path(path)


def test_values_read_as_json_text_so_types_show():
    diff = diff_json({"a": 1, "b": None, "c": "1"}, {"a": "1", "b": "x", "c": 1.5, "d": [1]})
    shown = {c.path: (c.before, c.after) for c in diff.changes}
    assert shown == {"$.a": ("1", '"1"'), "$.b": ("null", '"x"'), "$.c": ('"1"', "1.5"), "$.d": (None, "[1]")}


def test_a_number_whose_text_changed_reads_as_changed():
    assert paths(diff_json({"n": 1}, {"n": 1.0})) == {("$.n", CHANGED)}

"""The JSON depth check: a fast count for the common case, the token walk only to say where."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from requests_app.interop.limits import _JSON_TOKENS, _json_depth, check_json_depth
from requests_app.interop.model import ImportFormatError


def depth_by_token_walk(text: str) -> int:
    depth = deepest = 0
    for match in _JSON_TOKENS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif token in "]}":
            depth -= 1
    return deepest


@given(st.text(alphabet='[]{}"\\ a,:\n', max_size=60))
def test_the_fast_count_agrees_with_the_token_walk(text):
    assert _json_depth(text) == depth_by_token_walk(text)


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ('{"a": "[[[[", "b": [1, {"c": "\\"]]]"}]}', 3),
        ('"unterminated [[[', 0),
        ("]]][[", 0),  # closers first: never deeper than 0, and not JSON anyway
        ("", 0),
    ],
)
def test_brackets_inside_strings_do_not_count(text, depth):
    assert _json_depth(text) == depth


def test_too_deep_still_names_the_position():
    with pytest.raises(ImportFormatError) as caught:
        check_json_depth('{"a": ' + "[" * 5, "Postman collection", limit=3)
    assert str(caught.value) == "Postman collection: line 1, column 9: nesting is deeper than 3 levels"

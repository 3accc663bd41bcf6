"""The folded Pretty view of large JSON (issue 19, item 10): parts by JSON Pointer, escaped, paged."""

from __future__ import annotations

import pytest

from requests_app.templatetags.lazy_json import (
    CHILDREN_PER_PAGE,
    JsonPointerError,
    json_children,
    lazy_json_tree,
    resolve_pointer,
)


def test_pointers_reach_keys_with_slashes_and_tildes_and_list_items() -> None:
    document = {"a/b": {"~x": [10, 20]}}
    assert resolve_pointer(document, "/a~1b/~0x/1") == 20
    with pytest.raises(JsonPointerError):
        resolve_pointer(document, "/a~1b/~0x/7")
    html = json_children(document, "", url="/p/")
    assert 'data-pointer="/a~1b"' in html


def test_keys_and_values_are_escaped_and_long_lists_come_in_pages() -> None:
    document = {"<script>": ["</div><img src=x onerror=alert(1)>"] * (CHILDREN_PER_PAGE + 3)}
    root = lazy_json_tree(document, url="/p/")
    assert "<script>" not in root and "&lt;script&gt;" in root
    page = json_children(document, "/<script>", url="/p/")
    assert "<img" not in page and "&lt;img" in page
    assert "Show the next 3 of 3 more" in page and "offset=500" in page

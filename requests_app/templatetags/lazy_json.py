"""Pretty JSON for bodies too large to render whole: folded, each container's children loaded
when it is opened (static/js/lazyjson.js fetches `data-part-url`), a page of children at a time.

Usage::

    from requests_app.templatetags.lazy_json import lazy_json_tree, json_children, JsonPointerError
    html = lazy_json_tree(value, url="/w/1/history/9/json/")    # the root open, its children shown
    html = json_children(value, "/items/3", url=..., offset=0)  # one container's children (the endpoint)

Every key and value is escaped as in pretty.py; pointers are RFC 6901 JSON Pointers.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from requests_app.templatetags.pretty import _fits_one_line, _json_scalar

CHILDREN_PER_PAGE = 500
LONG_STRING_CHARS = 2_000  # longer strings are cut in the folded view (a megabyte on one line stalls layout)


class JsonPointerError(LookupError):
    """The pointer names nothing in the document (it changed, or the URL was edited)."""


def _escape_token(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def resolve_pointer(value: Any, pointer: str) -> Any:
    if pointer == "":
        return value
    if not pointer.startswith("/"):
        raise JsonPointerError(pointer)
    for token in pointer[1:].split("/"):
        key = token.replace("~1", "/").replace("~0", "~")
        if isinstance(value, dict) and key in value:
            value = value[key]
        elif isinstance(value, list) and key.isdigit() and int(key) < len(value):
            value = value[int(key)]
        else:
            raise JsonPointerError(pointer)
    return value


def _href(url: str, pointer: str, offset: int = 0) -> str:
    query = {"pointer": pointer, **({"offset": str(offset)} if offset else {})}
    return escape(f"{url}?{urlencode(query)}")


def _punc(text: str) -> str:
    return f'<span class="j-punc">{text}</span>'


def _container(value: Any, label: str, comma: str, pointer: str, url: str) -> str:
    opening, closing = ("{", "}") if isinstance(value, dict) else ("[", "]")
    count = len(value)
    noun = ("key" if isinstance(value, dict) else "item") + ("" if count == 1 else "s")
    return (
        f'<details class="j-fold j-lazy" data-part-url="{_href(url, pointer)}" data-pointer="{escape(pointer)}"><summary>{label}{_punc(opening)}'
        f'<span class="j-count" data-close="{closing}{comma}">{count:,} {noun}</span></summary>'
        f'<div class="j-body"><div class="j-line muted">Loading…</div></div>'
        f'<div class="j-line">{_punc(closing)}{comma}</div></details>'
    )


def _line(value: Any, label: str, comma: str, pointer: str, url: str) -> str:
    if isinstance(value, str) and len(value) > LONG_STRING_CHARS:
        shown = f'<span class="j-str">{escape(json.dumps(value[:LONG_STRING_CHARS], ensure_ascii=False)[:-1])}…</span>'
        rest = f'<span class="muted j-cut"> ({len(value) - LONG_STRING_CHARS:,} more characters: see Raw)</span>'
        return f'<div class="j-line">{label}{shown}{rest}{comma}</div>'
    if not isinstance(value, (dict, list)):
        return f'<div class="j-line">{label}{_json_scalar(value)}{comma}</div>'
    opening, closing = ("{", "}") if isinstance(value, dict) else ("[", "]")
    if not value:
        return f'<div class="j-line">{label}{_punc(opening + closing)}{comma}</div>'
    if _fits_one_line(value):
        items = value.items() if isinstance(value, dict) else (("", v) for v in value)
        inner = ", ".join(
            (f'<span class="j-key">{escape(json.dumps(k, ensure_ascii=False))}</span>: ' if isinstance(value, dict) else "")
            + _json_scalar(v)
            for k, v in items
        )
        return f'<div class="j-line">{label}{_punc(opening)}{inner}{_punc(closing)}{comma}</div>'
    return _container(value, label, comma, pointer, url)


def json_children(document: Any, pointer: str, *, url: str, offset: int = 0) -> SafeString:
    """The children of the container at `pointer`, from `offset`, and a button for the next page."""
    value = resolve_pointer(document, pointer)
    if not isinstance(value, (dict, list)):
        raise JsonPointerError(pointer)
    items = list(value.items()) if isinstance(value, dict) else list(enumerate(value))
    last = len(items) - 1
    out = []
    for index, (key, child) in enumerate(items[offset : offset + CHILDREN_PER_PAGE], start=offset):
        label = f'<span class="j-key">{escape(json.dumps(key, ensure_ascii=False))}</span>: ' if isinstance(value, dict) else ""
        out.append(_line(child, label, "," if index < last else "", f"{pointer}/{_escape_token(str(key))}", url))
    rest = len(items) - offset - CHILDREN_PER_PAGE
    if rest > 0:
        out.append(
            f'<button type="button" class="btn btn-small j-more" data-part-url="{_href(url, pointer, offset + CHILDREN_PER_PAGE)}">'
            f'Show the next {min(rest, CHILDREN_PER_PAGE):,} of {rest:,} more</button>'
        )
    # one element, so htmx and app.js set up one piece of swapped content, not one per child
    return mark_safe('<div class="j-page">' + "".join(out) + "</div>")


def lazy_json_tree(document: Any, *, url: str) -> SafeString:
    """The whole document as a folded tree: the root open with its first children, the rest on demand."""
    if not isinstance(document, (dict, list)) or not document:
        return mark_safe(f'<div class="json-tree">{_line(document, "", "", "", url)}</div>')
    opening, closing = ("{", "}") if isinstance(document, dict) else ("[", "]")
    note = ('<p class="muted j-lazy-note">A large body: parts load as you open them. '
            "Search looks in what is open; Raw has it all.</p>")  # fmt: skip
    return mark_safe(
        f'<div class="json-tree">{note}<div class="j-line">{_punc(opening)}</div>'
        f'<div class="j-body">{json_children(document, "", url=url)}</div><div class="j-line">{_punc(closing)}</div></div>'
    )

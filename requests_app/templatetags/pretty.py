"""Pretty views of response bodies as safe HTML: JSON folded with syntax colour, XML and HTML indented.

Usage::

    from requests_app.templatetags.pretty import pretty_body
    html = pretty_body(text, kind="json")     # SafeString, or None when it can't be prettified

Every byte of the body is escaped: the result is markup we wrote around text the server
sent, never the server's markup. Bodies beyond PRETTY_LIMIT_CHARS, or JSON with more
than PRETTY_LIMIT_NODES values, are not prettified (the page shows raw text instead):
a folded tree of a million nodes would freeze the browser.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from typing import Any
from xml.dom import minidom
from xml.parsers.expat import ExpatError

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

PRETTY_LIMIT_CHARS = 1_000_000
PRETTY_LIMIT_NODES = 20_000
# Containers deeper than this start folded, so a deep document opens readable.
OPEN_DEPTH = 3
ONE_LINE_ITEMS = 6
ONE_LINE_CHARS = 72


class _TooBig(Exception):
    pass


def _json_scalar(value: Any) -> str:
    if value is None:
        return '<span class="j-null">null</span>'
    if value is True or value is False:
        return f'<span class="j-bool">{"true" if value else "false"}</span>'
    if isinstance(value, (int, float)):
        return f'<span class="j-num">{escape(json.dumps(value))}</span>'
    return f'<span class="j-str">{escape(json.dumps(value, ensure_ascii=False))}</span>'


def _fits_one_line(value: dict[str, Any] | list[Any]) -> bool:
    """Short containers of scalars read better on one line: ["color", "blue"]."""
    children = list(value.values()) if isinstance(value, dict) else value
    if len(children) > ONE_LINE_ITEMS or any(isinstance(child, (dict, list)) for child in children):
        return False
    return len(json.dumps(value, ensure_ascii=False)) <= ONE_LINE_CHARS


def _json_html(value: Any, out: list[str], label: str, comma: str, depth: int, budget: list[int]) -> None:
    budget[0] -= 1
    if budget[0] < 0:
        raise _TooBig
    if isinstance(value, dict):
        items: list[tuple[str, Any]] = list(value.items())
        opening, closing = "{", "}"
        count = f"{len(items)} key{'' if len(items) == 1 else 's'}"
    elif isinstance(value, list):
        items = [("", v) for v in value]
        opening, closing = "[", "]"
        count = f"{len(items)} item{'' if len(items) == 1 else 's'}"
    else:
        out.append(f'<div class="j-line">{label}{_json_scalar(value)}{comma}</div>')
        return
    if not items:
        out.append(f'<div class="j-line">{label}<span class="j-punc">{opening}{closing}</span>{comma}</div>')
        return
    if _fits_one_line(value):
        inner = ", ".join(
            (f'<span class="j-key">{escape(json.dumps(k, ensure_ascii=False))}</span>: ' if isinstance(value, dict) else "")
            + _json_scalar(v)
            for k, v in items
        )
        budget[0] -= len(items)
        out.append(f'<div class="j-line">{label}<span class="j-punc">{opening}</span>{inner}<span class="j-punc">{closing}</span>{comma}</div>')
        return
    is_open = " open" if depth < OPEN_DEPTH else ""
    out.append(
        f'<details class="j-fold"{is_open}><summary>{label}<span class="j-punc">{opening}</span>'
        f'<span class="j-count" data-close="{closing}{comma}">{count}</span></summary><div class="j-body">'
    )
    last = len(items) - 1
    for i, (key, child) in enumerate(items):
        child_label = (
            f'<span class="j-key">{escape(json.dumps(key, ensure_ascii=False))}</span>: '
            if isinstance(value, dict)
            else ""
        )
        _json_html(child, out, child_label, "," if i < last else "", depth + 1, budget)
    out.append(f'</div><div class="j-line"><span class="j-punc">{closing}</span>{comma}</div></details>')


def pretty_json(text: str) -> SafeString | None:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return None
    out: list[str] = []
    try:
        _json_html(value, out, "", "", 0, [PRETTY_LIMIT_NODES])
    except (_TooBig, RecursionError):
        return None
    return mark_safe('<div class="json-tree">' + "".join(out) + "</div>")


def pretty_xml(text: str) -> SafeString | None:
    try:
        document = minidom.parseString(text.encode("utf-8"))
    except (ExpatError, ValueError):
        return None
    pretty = document.toprettyxml(indent="  ")
    lines = [line for line in pretty.splitlines() if line.strip()]
    if text.lstrip().startswith("<?xml") is False and lines and lines[0].startswith("<?xml"):
        lines = lines[1:]  # don't show a declaration the server did not send
    return _colour_markup("\n".join(lines))


_MARKUP_TOKEN = re.compile(r"(<!--.*?-->|<[^>]*>)", re.S)


def _colour_markup(text: str) -> SafeString:
    parts = []
    for piece in _MARKUP_TOKEN.split(text):
        if not piece:
            continue
        if piece.startswith("<!--"):
            parts.append(f'<span class="x-comment">{escape(piece)}</span>')
        elif piece.startswith("<"):
            parts.append(f'<span class="x-tag">{escape(piece)}</span>')
        else:
            parts.append(escape(piece))
    return mark_safe("".join(parts))


_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
_RAW_TEXT = {"script", "style", "pre", "textarea"}


class _HtmlIndenter(HTMLParser):
    """Re-lays out HTML one tag per line as escaped, coloured markup.

    Text inside script/style/pre/textarea is kept as is. Each piece is escaped and coloured
    as it is read, so a `<` inside a script is never mistaken for a tag.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.lines: list[str] = []
        self.depth = 0
        self.raw_depth = 0

    def _emit(self, text: str, css: str = "") -> None:
        piece = f'<span class="{css}">{escape(text)}</span>' if css else escape(text)
        if self.raw_depth and self.lines:
            self.lines[-1] += piece
        else:
            self.lines.append("  " * self.depth + piece)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._emit(self.get_starttag_text() or f"<{tag}>", "x-tag")
        if tag in _RAW_TEXT:
            self.raw_depth += 1
        if tag not in _VOID:
            self.depth += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._emit(self.get_starttag_text() or f"<{tag}/>", "x-tag")

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID:
            return
        self.depth = max(0, self.depth - 1)
        if tag in _RAW_TEXT and self.raw_depth:
            self._emit(f"</{tag}>", "x-tag")
            self.raw_depth -= 1
            return
        self._emit(f"</{tag}>", "x-tag")

    def handle_data(self, data: str) -> None:
        if self.raw_depth:
            self._emit(data)
        elif data.strip():
            self._emit(" ".join(data.split()))

    def handle_entityref(self, name: str) -> None:
        self._emit(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self._emit(f"&#{name};")

    def handle_comment(self, data: str) -> None:
        self._emit(f"<!--{data}-->", "x-comment")

    def handle_decl(self, decl: str) -> None:
        self._emit(f"<!{decl}>", "x-comment")

    def handle_pi(self, data: str) -> None:
        self._emit(f"<?{data}>", "x-comment")

    def unknown_decl(self, data: str) -> None:
        self._emit(f"<![{data}]>", "x-comment")


def pretty_html(text: str) -> SafeString | None:
    indenter = _HtmlIndenter()
    try:
        indenter.feed(text)
        indenter.close()
    except (AssertionError, ValueError):
        return None
    return mark_safe("\n".join(indenter.lines))


_PRETTIFIERS = {"json": pretty_json, "xml": pretty_xml, "html": pretty_html}


def pretty_body(text: str, kind: str) -> SafeString | None:
    """Safe HTML for a body of `kind` (json, xml, html), or None: show the raw text then."""
    prettifier = _PRETTIFIERS.get(kind)
    if prettifier is None or len(text) > PRETTY_LIMIT_CHARS:
        return None
    return prettifier(text)

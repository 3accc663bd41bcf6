"""Display helpers for the page's templates: sizes, durations, status classes, pretty bodies.

Usage in a template::

    {% load webclient %}
    {{ size|bytes }}            → "1.2 KB"
    {{ ms|duration }}           → "84 ms" / "1.20 s"
    {{ 404|status_class }}      → "s4xx"
    {{ text|pretty:"json" }}    → folded, coloured JSON (safe HTML), or "" when not possible
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

from requests_app.templatetags.pretty import pretty_body

register = template.Library()

_UNITS = ("B", "KB", "MB", "GB")


@register.filter
def bytes(value: Any) -> str:  # noqa: A001 - the name reads well in templates
    """A byte count for people: 512 B, 1.2 KB, 3.4 MB (1 KB = 1024 B)."""
    try:
        size = float(value)
    except (TypeError, ValueError):
        return ""
    for unit in _UNITS:
        if size < 1024 or unit == _UNITS[-1]:
            return f"{int(size)} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return ""  # unreachable


@register.filter
def duration(value: Any) -> str:
    """Milliseconds for people: 0.4 ms, 84 ms, 1.20 s."""
    try:
        ms = float(value)
    except (TypeError, ValueError):
        return ""
    if ms < 1:
        return f"{ms:.1f} ms"
    if ms < 1000:
        return f"{ms:.0f} ms"
    return f"{ms / 1000:.2f} s"


@register.filter
def status_class(value: Any) -> str:
    """CSS class for a status code's class: s2xx (green), s3xx (blue), s4xx (orange), s5xx (red)."""
    try:
        code = int(value)
    except (TypeError, ValueError):
        return "s-none"
    return f"s{code // 100}xx" if 100 <= code <= 599 else "s-none"


@register.filter
def pretty(text: Any, kind: str) -> SafeString | str:
    return pretty_body(str(text or ""), kind) or ""


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    try:
        return mapping[key]
    except (KeyError, IndexError, TypeError):
        return None


@register.filter
def indent_px(depth: Any) -> int:
    """Left padding of a tree row at `depth` (0 for a collection's direct children)."""
    try:
        return 8 + int(depth) * 14
    except (TypeError, ValueError):
        return 8


@register.filter
def pretty_of(response: Any, entry: Any) -> SafeString | None:
    """The response's Pretty view; large JSON loads its folded parts from the history entry."""
    from django.urls import reverse

    url = reverse("history_json", args=[entry.workspace_id, entry.pk]) if entry is not None and entry.pk else None
    return response.pretty_view(url)  # type: ignore[no-any-return]

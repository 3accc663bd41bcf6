"""Display helpers for the page's templates: sizes, durations, status classes, pretty bodies.

Usage in a template::

    {% load webclient %}
    {{ size|bytes }}            → "1.2 KB"
    {{ ms|duration }}           → "84 ms" / "1.20 s"
    {{ 404|status_class }}      → "s4xx"
    {{ text|pretty:"json" }}    → folded, coloured JSON (safe HTML), or "" when not possible
    {{ error|error_title }}     → "The server did not answer in time" (a sentence for an error kind)
    {{ "timeout"|error_short }} → "Timed out" (a few words, for lists)
    {{ url|url_path }}          → "/users/1?x=2" ({{url|url_host}} → "api.example.com:8443")
    {{ when|day_heading }}      → "Today · Fri 4 Dec 2026", "Yesterday · …", "Mon 30 Nov 2026"
    {{ text|inline_code }}      → the text escaped, its `backtick spans` as <code> (descriptions)
    {{ domain|cookie_host }}    → "localhost" for the jar's "localhost.local" (engine.cookies.shown_host)
    {{ url|url_breaks }}        → the URL escaped, a line may break after / ? & (safe HTML)
"""

from __future__ import annotations

import datetime
import re
from typing import Any
from urllib.parse import urlsplit

from django import template
from django.utils import dateformat, timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from requests_app.engine.cookies import shown_host
from requests_app.templatetags.pretty import pretty_body

register = template.Library()

_UNITS = ("B", "KB", "MB", "GB")


@register.filter
def cookie_host(domain: Any) -> str:
    """A cookie jar's domain as the host the request went to: "localhost.local" -> "localhost"."""
    return shown_host(str(domain or ""))


@register.filter
def url_breaks(value: Any) -> SafeString:
    """A URL escaped, with <wbr> after each / ? and &: a narrow column wraps it between its parts
    instead of mid-word."""
    text = escape(str(value if value is not None else ""))
    return SafeString(re.sub(r"(/(?!/)|\?|&amp;)", r"\1<wbr>", text))


@register.filter
def bytes(value: Any) -> str:
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
# What each kind of failure means, said to a person; the kind and code stay beside it, small.
ERROR_TITLES = {
    "invalid_request": "The request could not be sent as written",
    "dns": "The host name could not be found",
    "refused": "Nothing answered at that address",
    "timeout": "The server did not answer in time",
    "tls": "The secure (TLS) connection could not be set up",
    "blocked": "This server is not allowed to reach that address",
    "too_large": "Too large to send or to keep",
    "protocol": "The answer was not valid HTTP",
    "unsupported": "Only http:// and https:// addresses can be sent",
}
# Finer codes whose title says more than their kind's.
ERROR_CODE_TITLES = {
    "connect_timeout": "The connection could not be opened in time",
    "response_timeout": "The server took too long to answer",
    "body_timeout": "The response took too long to arrive in full",
    "bad_url": "The URL is not valid",
    "bad_method": "The method is not valid",
    "too_many_redirects": "The server redirected too many times",
    "variable_cycle": "Variables refer to each other in a loop",
    "connection_reset": "The server closed the connection",
}
ERROR_SHORT = {
    "invalid_request": "Not sent",
    "dns": "Unknown host",
    "refused": "Refused",
    "timeout": "Timed out",
    "tls": "TLS failed",
    "blocked": "Blocked",
    "too_large": "Too large",
    "protocol": "Bad answer",
    "unsupported": "Not sent",
}


@register.filter
def error_title(error: Any) -> str:
    """A sentence for an exchange error (a dict with kind and code), for its headline."""
    if not isinstance(error, dict):
        return ""
    code, kind = str(error.get("code") or ""), str(error.get("kind") or "")
    return ERROR_CODE_TITLES.get(code) or ERROR_TITLES.get(kind) or "The request failed"


@register.filter
def error_short(kind: Any) -> str:
    """A few words for an error kind, where a sentence does not fit (history rows)."""
    return ERROR_SHORT.get(str(kind or ""), "Failed")


@register.filter
def url_path(url: Any) -> str:
    """What follows the host in a URL: path, query and fragment ("/" when there is none)."""
    text = str(url or "")
    parts = urlsplit(text)
    if not parts.scheme or not parts.netloc:
        return text
    rest = text.split(parts.netloc, 1)[1]
    return rest or "/"


@register.filter
def url_host(url: Any) -> str:
    """The host (and port) of a URL, or "" when it has none."""
    return urlsplit(str(url or "")).netloc.rsplit("@", 1)[-1]


@register.filter
def day_heading(when: Any) -> str:
    """A day for a list heading, in the current time zone, always with its date."""
    if not isinstance(when, datetime.datetime):
        return ""
    day = timezone.localtime(when).date() if timezone.is_aware(when) else when.date()
    today = timezone.localdate()
    date = dateformat.format(day, "D j M Y")
    if day == today:
        return f"Today · {date}"
    if day == today - datetime.timedelta(days=1):
        return f"Yesterday · {date}"
    return date


_CODE_SPAN = re.compile(r"`([^`\n]+)`")


@register.filter
def inline_code(text: Any) -> SafeString:
    """A description as people write it in Postman and Markdown: `code` spans shown as code (the
    text is escaped first, so nothing else in it becomes markup)."""
    return mark_safe(_CODE_SPAN.sub(r"<code>\1</code>", escape(str(text or ""))))

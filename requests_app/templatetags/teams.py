"""Display helpers for change history, conflicts and the activity feed.

Usage in a template::

    {% load teams %}
    {{ change.after|shown_lines:change.field }}   → ["Accept: application/json", "(off) X-Debug: 1"]
    {{ "params"|field_label }}                    → "Params"
    {{ row|row_line }}                            → "(off) X-Debug: 1"
    {{ version.created_at|ago }}                  → "just now" / "2 minutes ago"

Values come already masked (services.revisions.shown): these only lay them out as lines.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from django import template
from django.utils import timezone
from django.utils.timesince import timesince

register = template.Library()

FIELD_LABELS = {
    "name": "Name",
    "method": "Method",
    "url": "URL",
    "params": "Params",
    "headers": "Headers",
    "body": "Body",
    "auth": "Auth",
    "options": "Settings",
    "description": "Description",
    "variables": "Variables",
}
_BODY_TEXT_LIMIT = 2000


@register.filter
def ago(moment: datetime | None) -> str:
    """How long ago, for people: "just now" under a minute (not "0 minutes ago"), else "2 minutes ago"."""
    if moment is None:
        return ""
    if timezone.now() - moment < timedelta(minutes=1):
        return "just now"
    return f"{timesince(moment, depth=1)} ago"


@register.filter
def field_label(name: str) -> str:
    return FIELD_LABELS.get(name, name.replace("_", " ").capitalize())


@register.filter(name="row_line")
def _row_line(row: dict[str, Any]) -> str:
    """One key/value row as a line: "Accept: application/json", "(off) X-Debug: 1", "token: •••••• (secret)"."""
    text = f"{row.get('key', '')}: {row.get('value', '')}"
    if row.get("file"):
        text += f" [file {row['file'].get('name', '')}]"
    if row.get("secret"):
        text += " (secret)"
    return text if row.get("enabled", True) else f"(off) {text}"


def _body_lines(body: dict[str, Any]) -> list[str]:
    mode = body.get("mode", "none")
    if mode in ("none", None):
        return ["none"]
    if mode in ("urlencoded", "multipart"):
        return [mode, *(_row_line(row) for row in body.get("fields", []) if isinstance(row, dict))]
    if mode == "binary":
        size = len(str(body.get("base64", ""))) * 3 // 4
        return [f"binary, about {size} bytes ({body.get('content_type') or 'no type'})"]
    if mode == "graphql":
        return ["graphql", str(body.get("query", ""))[:_BODY_TEXT_LIMIT], str(body.get("variables", ""))]
    text = str(body.get("text", ""))
    clipped = text[:_BODY_TEXT_LIMIT] + ("…" if len(text) > _BODY_TEXT_LIMIT else "")
    return [f"{mode} ({body['content_type']})" if body.get("content_type") else str(mode), clipped]


@register.filter
def shown_lines(value: Any, field: str = "") -> list[str]:
    """A (masked) field value as lines of text for a side-by-side view; [] for nothing."""
    if value is None:
        return []
    if isinstance(value, list):
        return [_row_line(row) if isinstance(row, dict) else str(row) for row in value] or ["(none)"]
    if field == "body" and isinstance(value, dict):
        return _body_lines(value)
    if isinstance(value, dict):
        if field == "auth" and value.get("type") in ("none", "inherit", None):
            return ["none (inherits its folder's or collection's auth)" if value.get("type") == "inherit" else "none"]
        return [f"{key}: {item}" for key, item in value.items()] if value else ["(none)"]
    if isinstance(value, (bool, int, float)):
        return [json.dumps(value)]
    return [str(value)] if str(value) != "" else ["(empty)"]

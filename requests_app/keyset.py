"""Keyset pagination: a page of a list after the last row seen, never OFFSET.

Usage::

    from requests_app import keyset
    page = keyset.page(history_queryset, order=("-created_at", "-id"), cursor=request.GET.get("cursor", ""),
                       limit=50)
    page.items          # at most 50 rows
    page.next_cursor    # opaque text for the next page, or None at the end

The cursor holds the sort values of the page's last row, so the next page starts right after
it however many rows were added or removed meanwhile (rows added at the front of a newest-first
list never shift the pages a reader is walking through), and the database answers with an
index range scan whatever the page number. `order` must end with a unique field (`id`). A
cursor that was not made by this list (edited, from another list) is a named error, the same on
the page and in the API.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet

from requests_app.services.errors import ValidationFailed

BAD_CURSOR = "is not a cursor of this list: start again from the first page"
BAD_LIMIT = "must be a whole number from 1 to {high}"


@dataclass
class Page:
    items: list[Any]
    next_cursor: str | None


def page_size() -> int:
    return max(1, int(getattr(settings, "WEBCLIENT_LIST_PAGE_SIZE", 50)))


def parse_limit(text: str | None, *, high: int = 500) -> int:
    """The API's `limit`: the list's page size when absent; a named error when not 1..high."""
    if text in (None, ""):
        return page_size()
    if not str(text).isdigit() or not 1 <= int(text) <= high:
        raise ValidationFailed.for_field("limit", BAD_LIMIT.format(high=high))
    return int(text)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"t": value.isoformat()}
    return value


def _typed(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"t"} and isinstance(value["t"], str):
        return datetime.fromisoformat(value["t"])
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise ValueError("unexpected value in cursor")


def encode(values: Sequence[Any]) -> str:
    text = json.dumps([_plain(value) for value in values], separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode(cursor: str, order: Sequence[str]) -> list[Any] | None:
    """The sort values in `cursor`; None for no cursor. Raises ValidationFailed for a bad one."""
    if not cursor:
        return None
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(raw, list) or len(raw) != len(order):
            raise ValueError("wrong length")
        return [_typed(value) for value in raw]
    except (ValueError, TypeError, UnicodeDecodeError):
        raise ValidationFailed.for_field("cursor", BAD_CURSOR, code="bad_cursor") from None


def after(order: Sequence[str], values: Sequence[Any]) -> Q:
    """Rows that sort after `values` in `order` (lexicographic, each field asc or desc)."""
    condition = Q(pk__in=[])
    equal = Q()
    for field, value in zip(order, values):
        name = field.lstrip("-")
        step = Q(**{f"{name}__lt" if field.startswith("-") else f"{name}__gt": value})
        condition |= equal & step
        equal &= Q(**{name: value})
    return condition


def _value(row: Any, field: str) -> Any:
    name = field.lstrip("-")
    return row[name] if isinstance(row, dict) else getattr(row, name)


def page(queryset: QuerySet[Any], *, order: Sequence[str], cursor: str = "", limit: int | None = None) -> Page:
    """One page of `queryset` in `order`, after `cursor` (one query)."""
    size = limit or page_size()
    values = decode(cursor, order)
    ordered = queryset.order_by(*order)
    if values is not None:
        ordered = ordered.filter(after(order, values))
    rows = list(ordered[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    next_cursor = encode([_value(rows[-1], field) for field in order]) if more and rows else None
    return Page(rows, next_cursor)

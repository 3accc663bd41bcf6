"""API pagination: keyset pages for lists that grow without bound (history, runs, run results,
activity, versions); limit/offset with bounds for the short ones (huge offsets are an empty
page, not a database error)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db.models import QuerySet
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from requests_app import keyset


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    max_limit = 500
    # SQLite refuses integers over 2**63 - 1; no list is anywhere near this long.
    max_offset = 10**9

    def get_offset(self, request):  # type: ignore[no-untyped-def]
        return min(super().get_offset(request), self.max_offset)


def keyset_response(
    request: Any, queryset: QuerySet[Any], *, order: Sequence[str], serialize: Callable[[list[Any]], Any]
) -> Response:
    """A keyset page (requests_app/keyset.py) as `{"next", "previous", "results"}`: `next` is this
    URL with the `cursor` of the following page (null at the end); `limit` (1-500) sets the size."""
    limit = keyset.parse_limit(request.query_params.get("limit"))
    found = keyset.page(queryset, order=order, cursor=request.query_params.get("cursor", ""), limit=limit)
    return keyset_page_response(request, found, serialize)


def keyset_page_response(request: Any, found: keyset.Page, serialize: Callable[[list[Any]], Any]) -> Response:
    next_url = None
    if found.next_cursor:
        next_url = replace_query_param(request.build_absolute_uri(), "cursor", found.next_cursor)
    return Response({"next": next_url, "previous": None, "results": serialize(found.items)})

"""Limit/offset pagination with bounds: huge offsets must be an empty page, not a database error."""

from __future__ import annotations

from rest_framework.pagination import LimitOffsetPagination


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    max_limit = 500
    # SQLite refuses integers over 2**63 - 1; no list is anywhere near this long.
    max_offset = 10**9

    def get_offset(self, request):  # type: ignore[no-untyped-def]
        return min(super().get_offset(request), self.max_offset)

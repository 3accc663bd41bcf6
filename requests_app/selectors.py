"""Lists that the pages and the API both show, filtered one way (selectors in the manner of
HackSoftware's Django-Styleguide): each takes the user and `filters`, a mapping of optional
values the caller has already parsed (ids as ints; None or absent: no filter), and returns a
queryset scoped to the user's workspaces (access.py) in a stable order.

Usage::

    from requests_app import selectors
    selectors.request_list(user=user, filters={"collection": 7, "folder": None})
    selectors.environment_list(user=user, filters={"workspace": ws.pk})

Runs and history have theirs beside their services: services.runs.run_list, services.history.history_list.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Model, QuerySet

from requests_app import access
from requests_app.models import Collection, Environment, Folder, SavedRequest

M = TypeVar("M", bound=Model)
Filters = Mapping[str, Any]


def filtered(queryset: QuerySet[M], filters: Filters | None, columns: Mapping[str, str]) -> QuerySet[M]:
    """`queryset` narrowed by each given filter; `columns` maps a filter's name to its column.
    A name the list does not know is a caller's mistake (TypeError), not a silent no-op."""
    unknown = set(filters or {}) - set(columns)
    if unknown:
        raise TypeError(f"unknown filters: {', '.join(sorted(unknown))}")
    narrowed = {columns[name]: value for name, value in (filters or {}).items() if value is not None}
    return queryset.filter(**narrowed) if narrowed else queryset


def collection_list(*, user: AbstractBaseUser | None, filters: Filters | None = None) -> QuerySet[Collection]:
    """Filters: workspace."""
    queryset = filtered(access.collections_for_user(user), filters, {"workspace": "workspace_id"})
    return queryset.order_by("workspace_id", "position", "name", "id")


def folder_list(*, user: AbstractBaseUser | None, filters: Filters | None = None) -> QuerySet[Folder]:
    """Filters: collection."""
    queryset = filtered(access.folders_for_user(user), filters, {"collection": "collection_id"})
    return queryset.order_by("collection_id", "parent_id", "position", "id")


def request_list(*, user: AbstractBaseUser | None, filters: Filters | None = None) -> QuerySet[SavedRequest]:
    """Filters: collection, folder."""
    columns = {"collection": "collection_id", "folder": "folder_id"}
    queryset = filtered(access.requests_for_user(user), filters, columns)
    return queryset.order_by("collection_id", "folder_id", "position", "id")


def environment_list(*, user: AbstractBaseUser | None, filters: Filters | None = None) -> QuerySet[Environment]:
    """Filters: workspace."""
    queryset = filtered(access.environments_for_user(user), filters, {"workspace": "workspace_id"})
    return queryset.order_by("workspace_id", "name", "id")

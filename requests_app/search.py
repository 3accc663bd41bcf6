"""Search a workspace's collections, folders and requests (a selector, beside access.py).

Usage::

    from requests_app.search import workspace_search
    found = workspace_search(user=user, workspace=ws, q="users", cursor="", limit=50, body=False)
    found.collections, found.folders     # name matches, first page only (at most SMALL_HITS each)
    found.requests                       # [RequestHit]: name, method or URL (and description and body
    found.next_cursor                    #   with body=True) contain every word of q, newest first

Matching is case-insensitive "contains every word" on both databases (SQLite folds ASCII
letters only). On PostgreSQL trigram GIN indexes (migration 0006, `pg_trgm`) serve the
`UPPER(col) LIKE '%word%'` tests, so a search of 100,000 requests does not read them all.
Requests come newest first in keyset pages (requests_app/keyset.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Q, TextField
from django.db.models.functions import Cast

from requests_app import access, keyset
from requests_app.models import Collection, Folder, SavedRequest, Workspace
from requests_app.services.errors import ValidationFailed

MAX_QUERY = 200
MAX_WORDS = 8
SMALL_HITS = 20
EMPTY_QUERY = "Type something to search for."
QUERY_TOO_LONG = f"is too long (at most {MAX_QUERY} characters)"
REQUEST_ORDER = ("-id",)


@dataclass
class RequestHit:
    id: int
    name: str
    method: str
    url: str
    collection_id: int
    collection_name: str
    folder_id: int | None
    path: str  # "Collection / Folder / Subfolder"


@dataclass
class SearchResult:
    q: str
    collections: list[dict[str, Any]] = field(default_factory=list)
    folders: list[dict[str, Any]] = field(default_factory=list)
    requests: list[RequestHit] = field(default_factory=list)
    next_cursor: str | None = None


def clean_query(q: str) -> list[str]:
    text = (q or "").strip()
    if not text:
        raise ValidationFailed.for_field("q", EMPTY_QUERY, code="required")
    if len(text) > MAX_QUERY:
        raise ValidationFailed.for_field("q", QUERY_TOO_LONG)
    if "\x00" in text:
        raise ValidationFailed.for_field("q", "must not contain NUL characters")
    return text.split()[:MAX_WORDS]


def _every_word(words: list[str], fields: tuple[str, ...]) -> Q:
    condition = Q()
    for word in words:
        one = Q()
        for name in fields:
            one |= Q(**{f"{name}__icontains": word})
        condition &= one
    return condition


def workspace_search(
    *, user: AbstractBaseUser, workspace: Workspace, q: str, cursor: str = "", limit: int | None = None,
    body: bool = False,
) -> SearchResult:
    """Collections, folders (first page) and requests of `workspace` whose text holds every word of `q`."""
    access.ensure_role(user, workspace, "read")
    words = clean_query(q)
    result = SearchResult(q=" ".join(words))
    collections = dict(Collection.objects.filter(workspace=workspace, deleting=False).values_list("id", "name"))
    if not cursor:
        result.collections = [
            {"id": pk, "name": name}
            for pk, name in Collection.objects.filter(workspace=workspace, deleting=False)
            .filter(_every_word(words, ("name",))).order_by("position", "id").values_list("id", "name")[:SMALL_HITS]
        ]
        result.folders = list(
            Folder.objects.filter(collection_id__in=list(collections), deleting=False).filter(_every_word(words, ("name",)))
            .order_by("-id").values("id", "name", "collection_id", "parent_id")[:SMALL_HITS]
        )
    requests = SavedRequest.objects.filter(collection_id__in=list(collections)).only(
        "id", "name", "method", "url", "collection_id", "folder_id")
    fields: tuple[str, ...] = ("name", "method", "url")
    if body:
        requests = requests.annotate(body_text=Cast("body", TextField()))
        fields += ("description", "body_text")
    page = keyset.page(requests.filter(_every_word(words, fields)), order=REQUEST_ORDER, cursor=cursor, limit=limit)
    paths = _folder_paths(
        {row.collection_id for row in page.items} | {row["collection_id"] for row in result.folders}
    )
    for folder in result.folders:
        folder["path"] = " / ".join(filter(None, [collections.get(folder["collection_id"], ""),
                                                  paths.get(folder["parent_id"], "")]))
    result.requests = [
        RequestHit(row.pk, row.name, row.method, row.url, row.collection_id, collections.get(row.collection_id, ""),
                   row.folder_id, " / ".join(filter(None, [collections.get(row.collection_id, ""),
                                                           paths.get(row.folder_id, "")])))
        for row in page.items
    ]
    result.next_cursor = page.next_cursor
    return result


def _folder_paths(collection_ids: set[int]) -> dict[int | None, str]:
    """'A / B' for every folder of these collections (one query, folder rows only)."""
    rows = {pk: (name, parent) for pk, name, parent in
            Folder.objects.filter(collection_id__in=collection_ids).values_list("id", "name", "parent_id")}
    paths: dict[int | None, str] = {}
    for pk in rows:
        names, current, seen = [], pk, set()
        while current is not None and current in rows and current not in seen:
            seen.add(current)
            names.append(rows[current][0])
            current = rows[current][1]
        paths[pk] = " / ".join(reversed(names))
    return paths

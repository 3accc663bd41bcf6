"""History: what was sent and received, secrets masked; per user, per workspace, newest first.

Usage::

    from requests_app.services.history import (
        history_list, history_exchange, history_spec, history_delete, history_clear, history_record)
    entries = history_list(user=user, workspace=ws)[:20]        # the caller's own entries
    history_list(user=user, workspace=ws, filters={"q": "users", "method": "POST", "status": "4xx",
                                                   "host": "api.example.com"})  # any of them
    history_exchange(entry)      # exchange_to_dict shape, body inline even when kept in a file
    history_spec(entry)          # the request as asked ({{name}} where secrets were), to reopen
    history_delete(user=user, entry=entry)
    history_clear(user=user, workspace=ws)                      # -> number of entries removed
    history_record(user=…, workspace=…, asked=spec_dict, exchange=exchange, secrets={"token": "…"})

History is personal: teammates in a shared workspace don't see each other's entries (they may
hold ad hoc credentials). Bodies larger than WEBCLIENT_HISTORY_INLINE_BYTES go to the default
file storage; at most WEBCLIENT_HISTORY_LIMIT entries are kept per user per workspace.
"""

from __future__ import annotations

import base64
import json
import re
import uuid
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from requests_app import access
from requests_app.engine.exchange import TEXT_KINDS, Exchange, Response, exchange_to_dict
from requests_app.models import Environment, HistoryEntry, SavedRequest, Workspace
from requests_app.selectors import filtered
from requests_app.services.errors import NotFound, ValidationFailed
from requests_app.services.history_files import StoredParts, body_file, decoded_base64, stored_parts, unescaped_text
from requests_app.services.masking import SecretMasker

_BODY_KEYS = ("body_text", "body_base64")


HISTORY_ORDER = ("-created_at", "-id")  # keyset order of every history list (requests_app/keyset.py)

HISTORY_FILTERS = ("q", "method", "status", "host")
STATUS_FILTERS = ("2xx", "3xx", "4xx", "5xx", "error")

STATUS_FILTER_INVALID = "Status must be 2xx, 3xx, 4xx, 5xx, error, or a code from 100 to 599."


def history_list(
    *,
    user: AbstractBaseUser,
    workspace: Workspace | None = None,
    saved_request: SavedRequest | None = None,
    filters: Mapping[str, str] | None = None,
) -> QuerySet[HistoryEntry]:
    """The caller's entries, newest first (in all their workspaces unless one is given).

    `filters` (all optional, blank ignored): `q` text in the URL or the method, `method`,
    `status` (2xx…5xx, "error" for no response, or a code), `host` (the URL's host name);
    `workspace` and `request` ids (ints, None: any), as requests_app.selectors takes them.
    The `exchange` and `spec` columns are deferred: lists show method, url, status, timing.
    """
    queryset = access.history_for_user(user, workspace=workspace)
    if saved_request is not None:
        queryset = queryset.filter(saved_request=saved_request)
    filters = filters or {}
    ids = {name: filters[name] for name in ("workspace", "request") if name in filters}
    queryset = filtered(queryset, ids, {"workspace": "workspace_id", "request": "saved_request_id"})
    queryset = _filtered(queryset, filters)
    return queryset.defer("exchange", "spec").order_by(*HISTORY_ORDER)


def _filtered(queryset: QuerySet[HistoryEntry], filters: Mapping[str, str]) -> QuerySet[HistoryEntry]:
    text = str(filters.get("q") or "").strip()
    if text:
        queryset = queryset.filter(Q(url__icontains=text) | Q(method__iexact=text))
    method = str(filters.get("method") or "").strip()
    if method:
        queryset = queryset.filter(method__iexact=method)
    wanted = str(filters.get("status") or "").strip().lower()
    if wanted == "error":
        queryset = queryset.filter(status__isnull=True)
    elif wanted in STATUS_FILTERS:
        low = int(wanted[0]) * 100
        queryset = queryset.filter(status__gte=low, status__lt=low + 100)
    elif wanted:
        if not wanted.isdigit() or not 100 <= int(wanted) <= 599:
            raise ValidationFailed(STATUS_FILTER_INVALID, fields={"status": STATUS_FILTER_INVALID})
        queryset = queryset.filter(status=int(wanted))
    host = str(filters.get("host") or "").strip().lower()
    if host:
        # scheme://[userinfo@]host[:port] then the end or a path, query or fragment
        pattern = r"^[a-z][a-z0-9+.-]*://([^@/?#]*@)?" + re.escape(host) + r"(:[0-9]+)?([/?#]|$)"
        queryset = queryset.filter(url__iregex=pattern)
    return queryset


def history_hosts(entries: Iterable[HistoryEntry]) -> list[str]:
    """The host names of these entries, once each, sorted (for a host filter's choices)."""
    hosts = {urlsplit(entry.url).hostname or "" for entry in entries}
    return sorted(h for h in hosts if h)


def _read_offloaded(entry: HistoryEntry) -> dict[str, Any]:
    if not entry.body_file:
        return {}
    try:
        with entry.body_file.open("rb") as stored:
            data = json.loads(stored.read().decode("utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def history_exchange(
    entry: HistoryEntry, *, with_stored_body: bool = True, body_excerpt_chars: int | None = None
) -> dict[str, Any]:
    """The recorded exchange (engine.exchange.exchange_to_dict shape), body inline, masked.

    `with_stored_body=False`: a body kept in the entry's file stays there (`body_stored` set);
    history_stored_parts tells where. `body_excerpt_chars`: a text body kept in the file comes
    as its first that many characters (`body_excerpt: true`), a binary one not at all (images
    whole): what a page shows, without reading 50 MiB to show one.
    """
    cached = getattr(entry, "_full_exchange", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    exchange = json.loads(json.dumps(entry.exchange))
    response = exchange.get("response")
    if response and response.get("body_stored") and body_excerpt_chars is not None and response.get("kind") != "image":
        response.pop("body_stored")
        if response.get("kind") in TEXT_KINDS:
            response["body_text"], cut = _stored_text_excerpt(entry, body_excerpt_chars)
            if cut:
                response["body_excerpt"] = True
        return exchange  # type: ignore[no-any-return]
    if response and response.get("body_stored") and with_stored_body:
        body = _read_offloaded(entry).get("response", {})
        response.pop("body_stored", None)
        for key in _BODY_KEYS:
            if key in body:
                response[key] = body[key]
        if not any(key in response for key in _BODY_KEYS):
            response["body_text"] = ""
            exchange.setdefault("warnings", []).append("The stored body of this entry could not be read.")
    entry._full_exchange = exchange  # type: ignore[attr-defined]
    return exchange  # type: ignore[no-any-return]


@contextmanager
def history_stored_parts(entry: HistoryEntry) -> Iterator[StoredParts | None]:
    """With an entry whose bodies are in its file: where each lies in that file (StoredParts),
    to copy out without parsing; None when nothing is stored so or the file cannot be read
    (history_exchange / history_spec then)."""
    stored_response = (entry.exchange.get("response") or {}).get("body_stored")
    if getattr(entry, "_full_exchange", None) is not None or not entry.body_file:
        stored_response = False
    if not (stored_response or entry.spec.get("body_stored")) or not entry.body_file:
        yield None
        return
    try:
        # A file object of its own: FieldFile.open() hands out one object that _read_offloaded closes.
        content = entry.body_file.storage.open(entry.body_file.name, "rb")
    except OSError:
        yield None
        return
    with content:
        try:
            parts = stored_parts(content)
        except (OSError, ValueError):
            parts = None
        if parts is not None and not stored_response:
            parts.response = None  # the entry's row holds it (or the history_exchange cache does)
        yield parts


def _stored_text_excerpt(entry: HistoryEntry, chars: int) -> tuple[str, bool]:
    """(the first `chars` characters of the stored text body, whether there was more)."""
    excerpt = ""
    with history_stored_parts(entry) as parts:
        if parts is not None and parts.response is not None and parts.response[0] == "body_text":
            _, start, end = parts.response
            for text in unescaped_text(parts.pieces(start, end)):
                excerpt += text
                if len(excerpt) > chars:
                    return excerpt[:chars], True
    return excerpt, False


def history_body_bytes(entry: HistoryEntry) -> Iterator[bytes]:
    """The response body as received (decoded from its Content-Encoding, masked), a piece at a
    time: read from the entry's file when it is kept there."""
    with history_stored_parts(entry) as parts:
        if parts is not None and parts.response is not None:
            key, start, end = parts.response
            if key == "body_base64":
                yield from decoded_base64(parts.pieces(start, end))
            else:
                yield from (text.encode("utf-8") for text in unescaped_text(parts.pieces(start, end)))
            return
    response = history_exchange(entry).get("response") or {}
    if "body_base64" in response:
        yield base64.b64decode(response["body_base64"] or "")
    else:
        yield (response.get("body_text") or "").encode("utf-8")


def history_spec(entry: HistoryEntry, *, with_stored_body: bool = True) -> dict[str, Any]:
    """The request as asked (engine dict shape), secrets as {{name}}; body inline (unless
    `with_stored_body=False`: `body_stored` set, history_stored_parts gives it)."""
    spec = dict(entry.spec)
    if spec.get("body_stored") and with_stored_body:
        spec.pop("body_stored")
        spec["body"] = _read_offloaded(entry).get("spec_body", {"mode": "none"})
    return spec


def _without_nul(value: Any) -> Any:
    """PostgreSQL JSON can't hold NUL characters: show them as U+FFFD in wire text and the like."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd") if "\x00" in value else value
    if isinstance(value, dict):
        return {key: _without_nul(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_without_nul(item) for item in value]
    return value


def _storable(exchange: dict[str, Any]) -> dict[str, Any]:
    response = exchange.get("response")
    if response and "\x00" in response.get("body_text", ""):
        # Keep the body exact: as base64 rather than with its NULs replaced.
        text = response.pop("body_text")
        response["body_base64"] = base64.b64encode(text.encode("utf-8")).decode("ascii")
    return _without_nul(exchange)  # type: ignore[no-any-return]


def _size(value: Any) -> int:
    return len(json.dumps(value, separators=(",", ":")).encode("utf-8"))


def _offload(spec: dict[str, Any], exchange: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """Move bodies over the inline limit out of the row; returns (spec, exchange, what goes to the file)."""
    limit = settings.WEBCLIENT_HISTORY_INLINE_BYTES
    stored: dict[str, Any] = {}
    response = exchange.get("response")
    if response and not response.get("body_stored"):
        body = {key: response[key] for key in _BODY_KEYS if key in response}
        if body and _size(body) > limit:
            stored["response"] = body
            exchange = {**exchange, "response": {k: v for k, v in response.items() if k not in _BODY_KEYS}}
            exchange["response"]["body_stored"] = True
    if _body_chars(spec.get("body")) > limit or _size(spec.get("body", {})) > limit:
        stored["spec_body"] = spec["body"]
        spec = {**spec, "body": {"mode": spec["body"].get("mode", "none")}, "body_stored": True}
    return spec, exchange, stored


def _body_chars(body: Any) -> int:
    """The length of a spec body's text parts: past the limit, no need to serialise it to know."""
    if not isinstance(body, dict):
        return 0
    return sum(len(body[key]) for key in ("text", "query", "variables", "data") if isinstance(body.get(key), str))


def history_record(
    *,
    user: AbstractBaseUser,
    workspace: Workspace,
    asked: dict[str, Any],
    exchange: Exchange,
    secrets: Mapping[str, str],
    saved_request: SavedRequest | None = None,
    environment: Environment | None = None,
) -> HistoryEntry:
    """Store one execution with every secret value replaced by {{name}}, then apply retention.

    `asked` is the request as the person wrote it (engine dict shape, before substitution).
    The returned entry's `history_exchange` needs no file read, unless the response body went
    to the file.
    """
    masker = SecretMasker(secrets)
    spec = _without_nul(masker.deep(asked))
    # A body past the inline limit goes from the response's spool to the file without ever being
    # one string in memory (issue 13 item 16); the entry then reads it back when it is shown.
    streamed = exchange.response if _streams(exchange.response) else None
    full = _storable(masker.deep(exchange_to_dict(exchange, with_body=streamed is None)))
    if streamed is not None:
        full["response"]["body_stored"] = True
    row_spec, row_exchange, stored = _offload(spec, full)
    sent_url = full["request"]["url"] if full.get("request") else spec.get("url", "")
    response = full.get("response")
    entry = HistoryEntry(
        workspace=workspace,
        user=user,
        saved_request=saved_request,
        environment=environment,
        spec=row_spec,
        method=(full["request"]["method"] if full.get("request") else spec.get("method", "GET"))[:32],
        url=sent_url,
        status=response["status"] if response else None,
        error_kind=(full["error"] or {}).get("kind", "")[:32] if full.get("error") else "",
        total_ms=full["timings"]["total_ms"],
        exchange=row_exchange,
        created_at=timezone.now(),
    )
    if streamed is not None or stored:
        with body_file(streamed, masker, extra=stored) as content:
            entry.body_file.save(f"{uuid.uuid4().hex}.json", File(content), save=False)
    with transaction.atomic():
        entry.save()
        _prune(user=user, workspace=workspace)
    if streamed is None:
        entry._full_exchange = full  # type: ignore[attr-defined]
    return entry


def _streams(response: Response | None) -> bool:
    return response is not None and response.body_size > settings.WEBCLIENT_HISTORY_INLINE_BYTES


def _delete_files_after_commit(names: Iterable[str]) -> None:
    names = [name for name in names if name]
    if names:
        transaction.on_commit(lambda: [default_storage.delete(name) for name in names])


def _prune(*, user: AbstractBaseUser, workspace: Workspace) -> None:
    """Keep the newest WEBCLIENT_HISTORY_LIMIT entries of (user, workspace).

    One DELETE … RETURNING body_file where the database has it and no table points at history
    entries (so there is nothing to cascade); else the ORM's SELECT-then-DELETE.
    """
    limit = max(settings.WEBCLIENT_HISTORY_LIMIT, 1)
    if connection.features.can_return_columns_from_insert and not HistoryEntry._meta.related_objects:
        table = connection.ops.quote_name(HistoryEntry._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {table} WHERE workspace_id = %s AND user_id = %s AND id NOT IN "
                f"(SELECT id FROM {table} WHERE workspace_id = %s AND user_id = %s "
                f"ORDER BY created_at DESC, id DESC LIMIT %s) RETURNING body_file",
                [workspace.pk, user.pk, workspace.pk, user.pk, limit],
            )
            _delete_files_after_commit(row[0] for row in cursor.fetchall())
        return
    mine = HistoryEntry.objects.filter(workspace=workspace, user=user)
    stale = mine.exclude(id__in=mine.order_by("-created_at", "-id").values("id")[:limit])
    _delete_files_after_commit(stale.exclude(body_file="").values_list("body_file", flat=True))
    stale.delete()


def history_delete(*, user: AbstractBaseUser, entry: HistoryEntry) -> None:
    """Delete one of the caller's entries (someone else's answers NotFound)."""
    if entry.user_id != user.pk:
        raise NotFound("History entry not found.")
    with transaction.atomic():
        _delete_files_after_commit([entry.body_file.name] if entry.body_file else [])
        entry.delete()


def history_clear(*, user: AbstractBaseUser, workspace: Workspace) -> int:
    """Delete all of the caller's entries in `workspace`; returns how many."""
    access.ensure_role(user, workspace, "read")
    mine = HistoryEntry.objects.filter(workspace=workspace, user=user)
    with transaction.atomic():
        _delete_files_after_commit(mine.exclude(body_file="").values_list("body_file", flat=True))
        deleted, _ = mine.delete()
    return deleted

"""Mock servers: a collection answered at /mock/<id or slug>/… from its requests' saved examples.

Usage::

    from requests_app.services import mock
    server = mock.mock_update(user=user, collection=c, enabled=True, slug="shop")
    token = mock.mock_token_rotate(user=user, collection=c)     # shown once; stored hashed
    server = mock.mock_find("shop")                             # enabled mocks only, else NotFound
    mock.mock_allows(server, user=request.user, token=header)   # members (team mode) or the token
    result = mock.mock_answer(server, method="GET", path="/users/7", query=[("a", "1")],
                              headers=[("Accept", "application/json")])
    result.example       # the Example to send, or None
    result.candidates    # when None: the nearest examples, for the 404

Matching (as Postman's mock): the method must be the example's, the path must match the
example request's path segment by segment, where `:name` and `{{name}}` segments match any
one segment; then each of the example's query parameters and headers that the call carries
with the same value adds to the score. Literal segments outweigh wildcards. Ties go to the
earlier request and example. `x-mock-response-name` / `x-mock-response-code` narrow the
choice to the example with that name / status.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction

from requests_app import access
from requests_app.models import Collection, Example, MockServer
from requests_app.services.errors import NotFound, ValidationFailed
from requests_app.services.examples import FRAMING_HEADERS
from requests_app.services.rate_window import count_this_minute

MOCK_NOT_FOUND = "No mock server is enabled at that address."
SLUG_INVALID = "must be 1 to 80 lower-case letters, digits or dashes, not only digits"
SLUG_TAKEN = "That address is taken by another mock server."
SELECT_NAME_HEADER = "x-mock-response-name"
SELECT_CODE_HEADER = "x-mock-response-code"
TOKEN_HEADER = "x-mock-token"
_SLUG = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?")
_VARIABLE = re.compile(r"^\{\{[^{}]+\}\}")
_NEAREST = 5
# Never set on our own origin by an example: cookies there would be webclient's.
UNSERVED_HEADERS = FRAMING_HEADERS | {"set-cookie", "set-cookie2"}


# ---------------------------------------------------------------- settings of a mock


def mock_for(collection: Collection) -> MockServer:
    server, _ = MockServer.objects.get_or_create(collection=collection)
    return server


def _clean_slug(value: Any) -> str | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str) or not _SLUG.fullmatch(value) or value.isdigit():
        raise ValidationFailed.for_field("slug", SLUG_INVALID, code="bad_slug")
    return value


def mock_update(
    *, user: AbstractBaseUser, collection: Collection, enabled: bool | None = None, slug: Any = ...
) -> MockServer:
    """Turn the mock on or off and set its address (`slug`; None or "" for the id only)."""
    access.ensure_role(user, collection, "edit")
    server = mock_for(collection)
    if enabled is not None:
        if not isinstance(enabled, bool):
            raise ValidationFailed.for_field("enabled", "must be true or false")
        server.enabled = enabled
    if slug is not ...:
        server.slug = _clean_slug(slug)
    try:
        with transaction.atomic():
            server.save()
    except IntegrityError:
        raise ValidationFailed.for_field("slug", SLUG_TAKEN, code="slug_taken") from None
    return server


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def mock_token_rotate(*, user: AbstractBaseUser, collection: Collection) -> str:
    """A new secret token for callers outside the workspace (the old one stops working)."""
    access.ensure_role(user, collection, "edit")
    server = mock_for(collection)
    token = f"wcm_{secrets.token_urlsafe(24)}"
    server.token_hash = _hash(token)
    server.save(update_fields=["token_hash", "updated_at"])
    return token


def mock_token_clear(*, user: AbstractBaseUser, collection: Collection) -> MockServer:
    access.ensure_role(user, collection, "edit")
    server = mock_for(collection)
    server.token_hash = ""
    server.save(update_fields=["token_hash", "updated_at"])
    return server


def mock_to_dict(server: MockServer, *, base_url: str = "") -> dict[str, Any]:
    key = server.slug or str(server.collection_id)
    return {
        "collection": server.collection_id,
        "enabled": server.enabled,
        "slug": server.slug or "",
        "url": f"{base_url}/mock/{key}/",
        "has_token": bool(server.token_hash),
    }


# ---------------------------------------------------------------- calls


def mock_find(key: str) -> MockServer:
    """The enabled mock at /mock/<key>/: a collection id or a slug."""
    lookup = {"collection_id": int(key)} if key.isdigit() and len(key) < 19 else {"slug": key}
    server = MockServer.objects.select_related("collection").filter(enabled=True, **lookup).first()
    if server is None:
        raise NotFound(MOCK_NOT_FOUND)
    return server


def mock_allows(server: MockServer, *, user: Any, token: str) -> bool:
    """Members of the workspace (anyone in local mode), or a caller with the mock's token."""
    if token and server.token_hash and secrets.compare_digest(_hash(token), server.token_hash):
        return True
    if not getattr(settings, "TEAM_MODE", False):
        return True
    return access.role_for(user, server.collection.workspace_id) is not None


def mock_rate_allows(server: MockServer) -> bool:
    """A fixed one-minute window per mock, counted in the cache (Redis in team mode)."""
    limit = settings.WEBCLIENT_MOCK_RATE_PER_MINUTE
    if limit <= 0:
        return True
    count, _ = count_this_minute(f"mock-rate:{server.pk}")
    return count <= limit


@dataclass
class _Candidate:
    example: Example
    method: str
    segments: list[str]
    query: list[tuple[str, str]]
    headers: list[tuple[str, str]]
    order: tuple[int, int, int]

    @property
    def path(self) -> str:
        return "/" + "/".join(self.segments)


@dataclass
class MockResult:
    example: Example | None
    candidates: list[dict[str, Any]] = field(default_factory=list)


def _path_and_query(url: str) -> tuple[str, list[tuple[str, str]]]:
    """The path and query of an example's URL; a leading {{base}} or scheme://host is dropped."""
    url = url.strip()
    match = _VARIABLE.match(url)
    if match:
        url = url[match.end():]
    elif "://" in url:
        parts = urlsplit(url)
        url = parts.path + (f"?{parts.query}" if parts.query else "")
    path, _, query = url.partition("?")
    path = path.split("#", 1)[0]
    return path, parse_qsl(query.split("#", 1)[0], keep_blank_values=True)


def _segments(path: str) -> list[str]:
    return [unquote(part) for part in path.split("/") if part]


def _is_wildcard(segment: str) -> bool:
    return segment.startswith(":") and len(segment) > 1 or bool(re.fullmatch(r"\{\{[^{}]+\}\}", segment))


def _candidates(server: MockServer) -> list[_Candidate]:
    examples = (
        Example.objects.filter(saved_request__collection_id=server.collection_id)
        .select_related("saved_request")
        .order_by("saved_request__position", "saved_request_id", "position", "id")
    )
    out = []
    for index, example in enumerate(examples):
        asked = example.request or {}
        path, query = _path_and_query(str(asked.get("url", "")))
        query += [(p["key"], p["value"]) for p in asked.get("params", []) if p.get("enabled", True) and p.get("key")]
        headers = [(h["key"].lower(), h["value"]) for h in asked.get("headers", []) if h.get("enabled", True) and h.get("key")]
        method = str(asked.get("method") or example.saved_request.method or "GET").upper()
        out.append(_Candidate(example, method, _segments(path), query, headers, (index, example.position, example.pk)))
    return out


def _path_score(pattern: list[str], segments: list[str]) -> int | None:
    """None when the path does not match; else literal segments count 2, wildcards 1."""
    if len(pattern) != len(segments):
        return None
    score = 0
    for expected, given in zip(pattern, segments, strict=False):
        if _is_wildcard(expected):
            score += 1
        elif expected == given:
            score += 2
        else:
            return None
    return score


def mock_answer(
    server: MockServer, *, method: str, path: str, query: list[tuple[str, str]], headers: list[tuple[str, str]]
) -> MockResult:
    """The example answering this call, or the nearest candidates when none does."""
    method = method.upper()
    segments = _segments(path)
    lowered = {name.lower(): value for name, value in headers}
    wanted_name = lowered.get(SELECT_NAME_HEADER)
    wanted_code = lowered.get(SELECT_CODE_HEADER)
    query_pairs = set(query)
    header_pairs = {(name.lower(), value) for name, value in headers}
    candidates = _candidates(server)

    best: tuple[tuple[int, int], _Candidate] | None = None
    for candidate in candidates:
        if candidate.method != method:
            continue
        score = _path_score(candidate.segments, segments)
        if score is None:
            continue
        if wanted_name is not None and candidate.example.name != wanted_name:
            continue
        if wanted_code is not None and str(candidate.example.status) != wanted_code.strip():
            continue
        extra = sum(pair in query_pairs for pair in candidate.query)
        extra += sum(pair in header_pairs for pair in candidate.headers)
        rank = (score, extra)
        if best is None or rank > best[0]:
            best = (rank, candidate)
    if best is not None:
        return MockResult(best[1].example)
    return MockResult(None, _nearest(candidates, f"{method} /{'/'.join(segments)}"))


def _nearest(candidates: list[_Candidate], asked: str) -> list[dict[str, Any]]:
    scored = sorted(
        candidates,
        key=lambda c: -difflib.SequenceMatcher(None, asked, f"{c.method} {c.path}").ratio(),
    )
    return [
        {
            "example": c.example.name,
            "request": c.example.saved_request.name,
            "method": c.method,
            "path": c.path,
            "status": c.example.status,
        }
        for c in scored[:_NEAREST]
    ]

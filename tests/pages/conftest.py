"""Page fixtures: Acme's content (a collection, a folder, a request, an environment with a secret)
and Django test clients signed in as each role."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from requests_app.engine.exchange import Exchange, Response, SentRequest
from requests_app.models import Collection, Environment, Folder, HistoryEntry, SavedRequest, Workspace
from requests_app.services.collections import collection_create
from requests_app.services.environments import environment_create
from requests_app.services.folders import folder_create
from requests_app.services.history import history_record
from requests_app.services.saved_requests import request_create

SECRET = "s3cr3t-token-value"


@dataclass
class AcmeContent:
    workspace: Workspace
    collection: Collection
    folder: Folder
    request: SavedRequest
    environment: Environment


@pytest.fixture
def acme_content(acme: Workspace, alice: Any) -> AcmeContent:
    acme.user_role = "owner"  # type: ignore[attr-defined]
    collection = collection_create(
        user=alice, workspace=acme, name="Users API", variables=[{"key": "base", "value": "http://127.0.0.1:9", "enabled": True}]
    )
    folder = folder_create(user=alice, collection=collection, name="Admin")
    saved = request_create(
        user=alice,
        collection=collection,
        folder=folder,
        name="List users",
        method="GET",
        url="{{base}}/users?page=1",
        headers=[{"key": "Accept", "value": "application/json", "enabled": True}],
    )
    environment = environment_create(
        user=alice,
        workspace=acme,
        name="Staging",
        variables=[
            {"key": "base", "value": "http://127.0.0.1:8", "secret": False, "enabled": True},
            {"key": "token", "value": SECRET, "secret": True, "enabled": True},
        ],
    )
    return AcmeContent(acme, collection, folder, saved, environment)


@pytest.fixture
def client_for(db: None) -> Callable[[Any], Client]:
    """client_for(user) -> a Django test client with that user signed in (None: anonymous)."""

    def make(user: Any) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def record_history() -> Callable[..., HistoryEntry]:
    """record_history(user, workspace, body=b'...', content_type=...) -> a stored entry, no network."""

    def record(user: Any, workspace: Workspace, *, body: bytes = b'{"ok": true}', content_type: str = "application/json",
               kind: str = "json", status: int = 200, reason: str = "OK") -> HistoryEntry:  # fmt: skip
        response = Response(
            http_version="HTTP/1.1",
            status=status,
            reason=reason,
            headers=[("Content-Type", content_type), ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")],
            body=body,
            wire_body_size=len(body),
            header_size=80,
            content_type=content_type,
            kind=kind,
            wire_head=f"HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\n\r\n".encode(),
        )
        exchange = Exchange(
            request=SentRequest(method="GET", url="http://127.0.0.1:9/x", wire=b"GET /x HTTP/1.1\r\nHost: 127.0.0.1:9\r\n\r\n"),
            response=response,
        )
        return history_record(
            user=user,
            workspace=workspace,
            asked={"method": "GET", "url": "http://127.0.0.1:9/x"},
            exchange=exchange,
            secrets={},
        )

    return record

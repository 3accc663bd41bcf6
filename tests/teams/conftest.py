"""Teams fixtures: Acme's shared content and signed-in page clients.

`team` gives Acme (alice owner, bob editor, victor viewer; carol is in another workspace
only) with a collection, a folder, a request whose auth holds a password, and an environment
with a secret.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from requests_app.models import Collection, Environment, Folder, SavedRequest, Workspace
from requests_app.services.collections import collection_create
from requests_app.services.environments import environment_create
from requests_app.services.folders import folder_create
from requests_app.services.saved_requests import request_create
from tests.pages.conftest import client_for  # noqa: F401 - client_for(user): a signed-in Django test client

REQUEST_PASSWORD = "hunter2-Quokka-7781"
ENV_SECRET = "sk_live_Pangolin-4410"
HTMX = {"HTTP_HX_REQUEST": "true"}


@dataclass
class Team:
    workspace: Workspace
    collection: Collection
    folder: Folder
    request: SavedRequest
    environment: Environment
    users: dict[str, Any]


@pytest.fixture
def team(acme: Workspace, alice: Any, bob: Any, victor: Any, carol: Any) -> Team:
    collection = collection_create(user=alice, workspace=acme, name="Users API")
    folder = folder_create(user=alice, collection=collection, name="Admin")
    saved = request_create(
        user=alice, collection=collection, folder=folder, name="List users", method="GET",
        url="http://127.0.0.1:9/users", headers=[{"key": "Accept", "value": "application/json", "enabled": True}],
        auth={"type": "basic", "username": "admin", "password": REQUEST_PASSWORD},
    )  # fmt: skip
    environment = environment_create(user=alice, workspace=acme, name="Staging", variables=[
        {"key": "base", "value": "http://127.0.0.1:9", "secret": False, "enabled": True},
        {"key": "token", "value": ENV_SECRET, "secret": True, "enabled": True},
    ])  # fmt: skip
    users = {"owner": alice, "editor": bob, "viewer": victor, "other": carol}
    return Team(acme, collection, folder, saved, environment, users)

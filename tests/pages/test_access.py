"""Every page view, for each kind of visitor: owner and editor may do everything, a viewer may
read and send but not change, an outsider gets 404 (ids can't be probed), anonymous visitors
are sent to sign in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse

from tests.pages.conftest import AcmeContent


@dataclass
class Case:
    name: str
    method: str
    url: Callable[[AcmeContent], str]
    data: Callable[[AcmeContent], dict[str, Any]] | None = None
    edits: bool = False  # needs the editor role
    ok: tuple[int, ...] = (200,)


def ws(name: str, *extra: Callable[[AcmeContent], int]) -> Callable[[AcmeContent], str]:
    return lambda c: reverse(name, args=[c.workspace.pk, *(f(c) for f in extra)])


def collection_id(c: AcmeContent) -> int:
    return c.collection.pk


def folder_id(c: AcmeContent) -> int:
    return c.folder.pk


def request_id(c: AcmeContent) -> int:
    return c.request.pk


def environment_id(c: AcmeContent) -> int:
    return c.environment.pk


def editor_form(c: AcmeContent) -> dict[str, Any]:
    return {
        "method": "GET",
        "url": "http://127.0.0.1:9/users",
        "body_mode": "none",
        "auth_type": "none",
        "saved_request": str(c.request.pk),
        "version": str(c.request.version),
        "environment": "",
    }


CASES = [
    Case("workspace", "get", ws("workspace")),
    Case("request_open", "get", ws("request_open", request_id)),
    Case("sidebar_tree", "get", ws("sidebar_tree")),
    Case("folder_children", "get", ws("folder_children", folder_id)),
    Case("history_list", "get", ws("history_list")),
    Case("history_clear", "post", ws("history_clear")),
    Case("environment_list", "get", ws("environment_list")),
    Case("environment_edit_view", "get", ws("environment_edit", environment_id)),
    Case("environment_activate", "post", ws("environment_activate"), lambda c: {"environment": c.environment.pk}),
    Case("cookies", "get", ws("cookies")),
    Case("cookie_clear", "post", ws("cookie_clear")),
    # a viewer may send (execute) but not save; the target port is closed: an error response, still 200
    Case("request_send", "post", ws("request_send"), editor_form),
    Case("request_save", "post", ws("request_save"), editor_form, edits=True),
    Case("request_save_as_dialog", "get", ws("request_save_as"), edits=True),
    Case("request_save_as", "post", ws("request_save_as"),
         lambda c: {**editor_form(c), "save_as_name": "Copy", "location": f"f:{c.folder.pk}"}, edits=True, ok=(204,)),
    Case("environment_reveal", "get", lambda c: ws("environment_reveal", environment_id)(c) + "?index=1", edits=True),
    Case("collection_create", "post", ws("collection_create"), lambda c: {"name": "New"}, edits=True, ok=(204,)),
    Case("collection_rename", "post", ws("collection_rename", collection_id), lambda c: {"name": "Renamed"}, edits=True, ok=(204,)),
    Case("collection_move", "post", ws("collection_move", collection_id), lambda c: {"direction": "down"}, edits=True, ok=(204,)),
    Case("collection_delete", "post", ws("collection_delete", collection_id), edits=True, ok=(204,)),
    Case("folder_create", "post", ws("folder_create"), lambda c: {"name": "Sub", "folder": c.folder.pk}, edits=True, ok=(204,)),
    Case("folder_rename", "post", ws("folder_rename", folder_id), lambda c: {"name": "Renamed"}, edits=True, ok=(204,)),
    Case("folder_move", "post", ws("folder_move", folder_id), lambda c: {"direction": "up"}, edits=True, ok=(204,)),
    Case("folder_delete", "post", ws("folder_delete", folder_id), edits=True, ok=(204,)),
    Case("request_create", "post", ws("request_create"), lambda c: {"name": "New", "collection": c.collection.pk}, edits=True, ok=(204,)),
    Case("request_rename", "post", ws("request_rename", request_id), lambda c: {"name": "Renamed"}, edits=True, ok=(204,)),
    Case("request_move", "post", ws("request_move", request_id), lambda c: {"direction": "up"}, edits=True, ok=(204,)),
    Case("request_duplicate", "post", ws("request_duplicate", request_id), edits=True, ok=(204,)),
    Case("request_delete", "post", ws("request_delete", request_id), edits=True, ok=(204,)),
    Case("environment_create", "post", ws("environment_create"),
         lambda c: {"name": "Prod", "vars-0-key": "a", "vars-0-value": "1", "vars-0-enabled": "on"}, edits=True, ok=(204,)),
    Case("environment_edit", "post", ws("environment_edit", environment_id),
         lambda c: {"name": "Staging 2", "version": c.environment.version, "vars-0-key": "a", "vars-0-value": "1"}, edits=True, ok=(204,)),
    Case("environment_delete", "post", ws("environment_delete", environment_id), edits=True, ok=(204,)),
]  # fmt: skip


def call(client: Any, case: Case, content: AcmeContent) -> Any:
    data = case.data(content) if case.data else {}
    # as the page sends them: htmx requests, answered with partials (or 204 + HX-Trigger)
    return getattr(client, case.method)(case.url(content), data, HTTP_HX_REQUEST="true")


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
@pytest.mark.parametrize("role", ["owner", "editor"])
def test_owner_and_editor_may_use_every_view(case: Case, role: str, users_by_role: dict[str, Any],
                                             acme_content: AcmeContent, client_for: Callable[[Any], Any]) -> None:  # fmt: skip
    response = call(client_for(users_by_role[role]), case, acme_content)
    assert response.status_code in case.ok, response.content[:500]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_viewer_reads_and_sends_but_cannot_change(case: Case, users_by_role: dict[str, Any],
                                                  acme_content: AcmeContent, client_for: Callable[[Any], Any]) -> None:  # fmt: skip
    response = call(client_for(users_by_role["viewer"]), case, acme_content)
    if case.edits:
        assert response.status_code == 403
    else:
        assert response.status_code in case.ok


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_outsider_gets_not_found(case: Case, users_by_role: dict[str, Any], acme_content: AcmeContent,
                                 client_for: Callable[[Any], Any]) -> None:  # fmt: skip
    response = call(client_for(users_by_role["outsider"]), case, acme_content)
    assert response.status_code == 404


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_anonymous_visitor_is_sent_to_sign_in(case: Case, acme_content: AcmeContent, client_for: Callable[[Any], Any]) -> None:
    response = call(client_for(None), case, acme_content)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")


def test_objects_of_another_of_my_workspaces_are_not_found_under_this_one(
    alice: Any, acme_content: AcmeContent, client_for: Callable[[Any], Any]
) -> None:
    personal = alice.personal_workspace
    url = reverse("request_open", args=[personal.pk, acme_content.request.pk])
    assert client_for(alice).get(url).status_code == 404


@pytest.mark.parametrize("role", ["owner", "viewer", "outsider"])
def test_history_entries_are_personal(role: str, users_by_role: dict[str, Any], alice: Any, acme_content: AcmeContent,
                                      client_for: Callable[[Any], Any], record_history: Callable[..., Any]) -> None:  # fmt: skip
    entry = record_history(alice, acme_content.workspace)
    client = client_for(users_by_role[role])
    for name in ("history_open", "history_body", "history_delete"):
        method = client.post if name == "history_delete" else client.get
        response = method(reverse(name, args=[acme_content.workspace.pk, entry.pk]), HTTP_HX_REQUEST="true")
        assert response.status_code == (200 if role == "owner" else 404), name

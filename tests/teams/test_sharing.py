"""Sharing: /r/<id> opens a saved request for members of its workspace (404 for others); moving
and copying collections and requests between workspaces the user can edit (page and API)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from requests_app.models import Collection, Folder, Revision, SavedRequest
from requests_app.services.collections import collection_create, collection_transfer
from requests_app.services.errors import Forbidden, ValidationFailed
from requests_app.services.saved_requests import request_copy, request_update
from tests.teams.conftest import HTMX, Team


@pytest.mark.parametrize("role", ["owner", "editor", "viewer"])
def test_share_link_opens_the_request_for_members(role: str, team: Team, client_for: Any) -> None:
    response = client_for(team.users[role]).get(reverse("request_share", args=[team.request.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("request_open", args=[team.workspace.pk, team.request.pk])


def test_share_link_is_not_found_for_others_and_asks_strangers_to_sign_in(team: Team, client_for: Any) -> None:
    assert client_for(team.users["other"]).get(reverse("request_share", args=[team.request.pk])).status_code == 404
    anonymous = client_for(None).get(reverse("request_share", args=[team.request.pk]))
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("login"))


def test_a_moved_request_keeps_its_history_and_leaves_a_line_in_both_feeds(team: Team, api_client_for: Any) -> None:
    bob = team.users["editor"]
    saved = request_update(user=bob, saved_request=team.request, version=1, url="http://127.0.0.1:9/v2")
    personal = collection_create(user=bob, workspace=bob.personal_workspace, name="Mine")
    response = api_client_for(bob).post(f"/api/v1/requests/{saved.pk}/move", {"collection": personal.pk}, format="json")
    assert response.status_code == 200 and response.json()["collection"] == personal.pk
    assert Revision.objects.filter(saved_request=saved).count() == 2
    assert team.workspace.activity.filter(verb="moved", object_id=saved.pk).exists()
    assert bob.personal_workspace.activity.filter(verb="moved", object_id=saved.pk).exists()


def test_api_copies_a_request_into_another_workspace(team: Team, api_client_for: Any) -> None:
    bob = team.users["editor"]
    personal = collection_create(user=bob, workspace=bob.personal_workspace, name="Mine")
    response = api_client_for(bob).post(f"/api/v1/requests/{team.request.pk}/copy/",
                                        {"collection": personal.pk, "name": "Mine too"}, format="json")
    assert response.status_code == 201, response.content
    copy = SavedRequest.objects.get(pk=response.json()["id"])
    assert (copy.collection_id, copy.name, copy.url, copy.auth) == (
        personal.pk, "Mine too", team.request.url, team.request.auth)
    assert Revision.objects.filter(saved_request=copy).count() == 1
    assert SavedRequest.objects.filter(pk=team.request.pk, collection=team.collection).exists()


def test_copy_or_move_needs_edit_rights_on_both_sides(team: Team, api_client_for: Any) -> None:
    victor = team.users["viewer"]
    personal = collection_create(user=victor, workspace=victor.personal_workspace, name="Mine")
    with pytest.raises(Forbidden):
        request_copy(user=victor, saved_request=team.request, collection=personal)
    with pytest.raises(Forbidden):
        collection_transfer(user=victor, collection=team.collection, workspace=victor.personal_workspace, copy=True)
    bob_in = api_client_for(team.users["editor"])
    refused = bob_in.post(f"/api/v1/requests/{team.request.pk}/copy/", {"collection": personal.pk}, format="json")
    assert refused.status_code == 404  # victor's personal collection is invisible to bob


def test_api_moves_and_copies_a_collection_to_another_workspace(team: Team, api_client_for: Any) -> None:
    bob = team.users["editor"]
    client = api_client_for(bob)
    target = bob.personal_workspace.pk
    copied = client.post(f"/api/v1/collections/{team.collection.pk}/transfer/",
                         {"workspace": target, "mode": "copy"}, format="json")
    assert copied.status_code == 201, copied.content
    copy = Collection.objects.get(pk=copied.json()["id"])
    assert copy.workspace_id == target and copy.name == "Users API"
    assert SavedRequest.objects.filter(collection=copy).count() == 1 and Folder.objects.filter(collection=copy).count() == 1
    same = client.post(f"/api/v1/collections/{team.collection.pk}/transfer/", {"workspace": team.workspace.pk},
                       format="json")
    assert same.status_code == 400 and same.json()["error"]["code"] == "same_workspace"
    moved = client.post(f"/api/v1/collections/{team.collection.pk}/transfer/", {"workspace": target}, format="json")
    assert moved.status_code == 200 and moved.json()["workspace"] == target
    assert SavedRequest.objects.get(pk=team.request.pk).collection.workspace_id == target
    assert api_client_for(team.users["viewer"]).get(f"/api/v1/requests/{team.request.pk}").status_code == 404


def test_page_dialog_moves_a_request_to_a_folder_of_another_workspace(team: Team, client_for: Any) -> None:
    bob = team.users["editor"]
    personal = collection_create(user=bob, workspace=bob.personal_workspace, name="Mine")
    client = client_for(bob)
    url = reverse("request_transfer", args=[team.workspace.pk, team.request.pk])
    dialog = client.get(url, **HTMX).content.decode()
    assert f'value="c:{personal.pk}"' in dialog and f'value="f:{team.folder.pk}"' in dialog
    assert 'label="Acme (this workspace)"' in dialog
    copied = client.post(url, {"mode": "copy", "location": f"c:{personal.pk}"}, **HTMX)
    assert copied.status_code == 204 and "tree-changed" in copied["HX-Trigger"]
    assert SavedRequest.objects.filter(collection=personal, name="List users").count() == 1
    client.post(url, {"mode": "move", "location": f"c:{personal.pk}"}, **HTMX)
    assert SavedRequest.objects.get(pk=team.request.pk).collection_id == personal.pk
    viewer = client_for(team.users["viewer"])
    assert viewer.get(reverse("request_transfer", args=[team.workspace.pk, team.request.pk])).status_code == 404


def test_page_dialog_moves_a_collection(team: Team, client_for: Any) -> None:
    bob = team.users["editor"]
    client = client_for(bob)
    url = reverse("collection_transfer", args=[team.workspace.pk, team.collection.pk])
    assert f'value="{bob.personal_workspace.pk}"' in client.get(url, **HTMX).content.decode()
    same = client.post(url, {"mode": "move", "workspace": team.workspace.pk}, **HTMX)
    assert same.status_code == 200 and "already in this workspace" in same.content.decode()
    assert client.post(url, {"mode": "move", "workspace": bob.personal_workspace.pk}, **HTMX).status_code == 204
    assert Collection.objects.get(pk=team.collection.pk).workspace_id == bob.personal_workspace.pk


def test_moving_a_collection_needs_edit_rights_in_the_target(team: Team) -> None:
    with pytest.raises(Forbidden):
        collection_transfer(user=team.users["editor"], collection=team.collection,
                            workspace=_viewer_only_workspace(team))


def _viewer_only_workspace(team: Team) -> Any:
    from requests_app.models import Membership
    from requests_app.services.workspaces import workspace_create

    other = workspace_create(user=team.users["other"], name="Carol's")
    Membership.objects.create(workspace=other, user=team.users["editor"], role="viewer")
    return other


def test_copy_into_the_same_collection_without_a_target_is_refused(team: Team) -> None:
    with pytest.raises(ValidationFailed):
        request_copy(user=team.users["editor"], saved_request=team.request)

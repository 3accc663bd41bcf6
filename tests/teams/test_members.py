"""Workspaces and members: create, rename, delete with typed confirmation; add by username or
e-mail, change roles, remove, leave; a workspace always keeps an owner."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.html import escape

from requests_app.models import Membership, Workspace
from requests_app.services.errors import (
    AMBIGUOUS_EMAIL,
    DELETE_CONFIRMATION,
    LAST_OWNER,
    UNKNOWN_EMAIL,
    UNKNOWN_USERNAME,
)
from tests.teams.conftest import HTMX, Team


def role_of(workspace: Workspace, user: Any) -> str | None:
    return Membership.objects.filter(workspace=workspace, user=user).values_list("role", flat=True).first()


def test_api_creates_a_team_workspace_owned_by_the_caller(carol: Any, api_client_for: Any) -> None:
    response = api_client_for(carol).post("/api/v1/workspaces/", {"name": "Carol's team"}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert (body["role"], body["is_personal"]) == ("owner", False)
    assert role_of(Workspace.objects.get(pk=body["id"]), carol) == "owner"


def test_api_adds_members_by_username_or_email_and_lists_them(team: Team, api_client_for: Any,
                                                               make_account: Any) -> None:
    dora = make_account("dora", email="Dora@Example.com")
    alice = api_client_for(team.users["owner"])
    url = f"/api/v1/workspaces/{team.workspace.pk}/members/"
    by_email = alice.post(url, {"email": "dora@example.com", "role": "viewer"}, format="json")
    assert by_email.status_code == 201 and by_email.json()["username"] == "dora"
    by_name = alice.post(url, {"username": "CAROL", "role": "editor"}, format="json")
    assert by_name.status_code == 201 and by_name.json()["role"] == "editor"
    listed = api_client_for(dora).get(url).json()["results"]
    assert [(m["username"], m["role"]) for m in listed] == [
        ("alice", "owner"), ("bob", "editor"), ("carol", "editor"), ("dora", "viewer"), ("victor", "viewer")]


def test_api_names_what_is_wrong_with_a_new_member(team: Team, api_client_for: Any, make_account: Any) -> None:
    make_account("twin1", email="twins@example.com")
    make_account("twin2", email="twins@example.com")
    alice = api_client_for(team.users["owner"])
    url = f"/api/v1/workspaces/{team.workspace.pk}/members/"
    cases = [
        ({"username": "nobody", "role": "viewer"}, "username", UNKNOWN_USERNAME),
        ({"email": "nobody@example.com", "role": "viewer"}, "email", UNKNOWN_EMAIL),
        ({"email": "twins@example.com", "role": "viewer"}, "email", AMBIGUOUS_EMAIL),
    ]
    for body, field, message in cases:
        response = alice.post(url, body, format="json")
        assert response.status_code == 400
        assert response.json()["error"]["fields"] == {field: [message]}
    missing = alice.post(url, {"role": "viewer"}, format="json")
    assert missing.status_code == 400 and "username" in missing.json()["error"]["fields"]


def test_last_owner_can_be_neither_demoted_nor_removed_nor_leave(team: Team, api_client_for: Any) -> None:
    alice = api_client_for(team.users["owner"])
    me = team.users["owner"].pk
    base = f"/api/v1/workspaces/{team.workspace.pk}/members/{me}/"
    demoted = alice.patch(base, {"role": "editor"}, format="json")
    assert demoted.status_code == 400 and demoted.json()["error"]["message"] == f"role: {LAST_OWNER}"
    left = alice.delete(base)
    assert left.status_code == 400 and left.json()["error"]["message"] == LAST_OWNER
    assert role_of(team.workspace, team.users["owner"]) == "owner"
    # with a second owner, the first may step down
    bob_id = team.users["editor"].pk
    assert alice.patch(f"/api/v1/workspaces/{team.workspace.pk}/members/{bob_id}/", {"role": "owner"},
                       format="json").status_code == 200
    assert alice.patch(base, {"role": "viewer"}, format="json").json()["role"] == "viewer"


def test_any_member_may_leave_but_only_owners_remove_others(team: Team, api_client_for: Any) -> None:
    victor = api_client_for(team.users["viewer"])
    bob_id = team.users["editor"].pk
    refused = victor.delete(f"/api/v1/workspaces/{team.workspace.pk}/members/{bob_id}/")
    assert refused.status_code == 403
    assert victor.delete(f"/api/v1/workspaces/{team.workspace.pk}/members/{team.users['viewer'].pk}/").status_code == 204
    assert role_of(team.workspace, team.users["viewer"]) is None


def test_members_page_owner_adds_changes_and_removes(team: Team, client_for: Any) -> None:
    alice = client_for(team.users["owner"])
    ws = team.workspace.pk
    page = alice.get(reverse("members", args=[ws])).content.decode()
    assert 'name="who"' in page and page.count('hx-trigger="change"') == 3
    added = alice.post(reverse("members", args=[ws]), {"who": "carol@example.com", "role": "viewer"}, **HTMX)
    assert "carol is now a member (viewer)." in added.content.decode()
    carol_id = team.users["other"].pk
    changed = alice.post(reverse("member_role", args=[ws, carol_id]), {"role": "editor"}, **HTMX)
    assert "carol is now editor." in changed.content.decode()
    alice.post(reverse("member_remove", args=[ws, carol_id]), **HTMX)
    assert role_of(team.workspace, team.users["other"]) is None
    unknown = alice.post(reverse("members", args=[ws]), {"who": "nobody", "role": "viewer"}, **HTMX)
    assert unknown.status_code == 200 and UNKNOWN_USERNAME in unknown.content.decode()
    last = alice.post(reverse("member_role", args=[ws, team.users["owner"].pk]), {"role": "viewer"}, **HTMX)
    assert LAST_OWNER in last.content.decode()


def test_members_page_shows_no_controls_to_editors_and_viewers(team: Team, client_for: Any) -> None:
    for role in ("editor", "viewer"):
        page = client_for(team.users[role]).get(reverse("members", args=[team.workspace.pk])).content.decode()
        assert "alice" in page and "victor" in page
        assert 'name="who"' not in page and 'hx-trigger="change"' not in page and "Revoke" not in page
        assert ">Remove<" not in page and ">Leave<" in page
        assert "Only an owner can add members" in page


def test_leaving_from_the_page_goes_home(team: Team, client_for: Any) -> None:
    victor = client_for(team.users["viewer"])
    response = victor.post(reverse("member_remove", args=[team.workspace.pk, team.users["viewer"].pk]), **HTMX)
    assert response.status_code == 204 and response["HX-Redirect"] == reverse("home")
    assert victor.get(reverse("members", args=[team.workspace.pk])).status_code == 404


def test_new_workspace_page_creates_one_and_opens_its_members(carol: Any, client_for: Any) -> None:
    client = client_for(carol)
    response = client.post(reverse("workspace_create"), {"name": "Payments"})
    workspace = Workspace.objects.get(name="Payments")
    assert response["Location"] == reverse("members", args=[workspace.pk])
    assert role_of(workspace, carol) == "owner"
    assert "A name is required." in client.post(reverse("workspace_create"), {"name": " "}).content.decode()


def test_rename_and_delete_need_an_owner_and_delete_needs_the_typed_name(team: Team, client_for: Any) -> None:
    ws = team.workspace.pk
    bob, alice = client_for(team.users["editor"]), client_for(team.users["owner"])
    assert bob.post(reverse("workspace_settings", args=[ws]), {"name": "Mine"}).status_code == 403
    assert bob.post(reverse("workspace_delete", args=[ws]), {"confirm": "Acme"}).status_code == 403
    settings_page = bob.get(reverse("workspace_settings", args=[ws])).content.decode()
    assert "Delete workspace" not in settings_page and 'name="name"' not in settings_page
    assert "Renamed." in alice.post(reverse("workspace_settings", args=[ws]), {"name": "Acme Corp"}).content.decode()
    wrong = alice.post(reverse("workspace_delete", args=[ws]), {"confirm": "acme corp"})
    assert wrong.status_code == 200 and escape(DELETE_CONFIRMATION) in wrong.content.decode()
    assert Workspace.objects.filter(pk=ws).exists()
    assert alice.post(reverse("workspace_delete", args=[ws]), {"confirm": "Acme Corp"})["Location"] == reverse("home")
    assert not Workspace.objects.filter(pk=ws).exists()


def test_personal_workspace_has_no_members_to_add(alice: Any, client_for: Any) -> None:
    personal = alice.personal_workspace
    page = client_for(alice).get(reverse("members", args=[personal.pk])).content.decode()
    assert "This is your personal workspace" in page and 'name="who"' not in page

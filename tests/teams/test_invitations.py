"""Invitation links: single use, expiring, revocable, with a clear message for each refusal;
accepting one creates the account even when sign-ups are closed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from requests_app.models import Invitation, Membership
from requests_app.services.errors import Forbidden
from requests_app.services.invitations import (
    INVITATION_EXPIRED,
    INVITATION_REVOKED,
    INVITATION_UNKNOWN,
    INVITATION_USED,
    InvitationRefused,
    invitation_accept,
    invitation_create,
    invitation_revoke,
)
from tests.fixtures.accounts import PASSWORD
from tests.teams.conftest import Team


@pytest.fixture
def closed_signups(settings: Any) -> None:
    settings.WEBCLIENT_SIGNUPS = "off"


def new_account_form(username: str) -> dict[str, str]:
    return {"username": username, "email": f"{username}@example.com", "password": PASSWORD, "password_again": PASSWORD}


def test_only_the_tokens_hash_is_stored(team: Team) -> None:
    invitation, token = invitation_create(user=team.users["owner"], workspace=team.workspace, role="editor")
    assert token not in str(Invitation.objects.filter(pk=invitation.pk).values().first())
    assert invitation.token_hash == Invitation.hash(token)


def test_a_new_person_creates_an_account_and_joins_even_with_signups_closed(team: Team, client_for: Any,
                                                                            closed_signups: None) -> None:
    _, token = invitation_create(user=team.users["owner"], workspace=team.workspace, role="editor",
                                 email="dora@example.com")
    anonymous = client_for(None)
    assert anonymous.get(reverse("signup")).status_code == 403  # sign-ups really are closed
    page = anonymous.get(reverse("invitation_accept", args=[token]))
    assert page.status_code == 200 and "Join “Acme”" in page.content.decode()
    assert 'value="dora@example.com"' in page.content.decode()
    response = anonymous.post(reverse("invitation_accept", args=[token]), new_account_form("dora"))
    assert response.status_code == 302 and response["Location"] == reverse("workspace", args=[team.workspace.pk])
    dora = get_user_model().objects.get(username="dora")
    assert Membership.objects.get(workspace=team.workspace, user=dora).role == "editor"
    assert anonymous.get(response["Location"]).status_code == 200  # signed in as dora


def test_a_signed_in_person_joins_with_the_invitations_role(team: Team, client_for: Any, make_account: Any) -> None:
    _, token = invitation_create(user=team.users["owner"], workspace=team.workspace, role="viewer")
    erin = make_account("erin")
    client = client_for(erin)
    assert "Join as erin" in client.get(reverse("invitation_accept", args=[token])).content.decode()
    assert client.post(reverse("invitation_accept", args=[token])).status_code == 302
    assert Membership.objects.get(workspace=team.workspace, user=erin).role == "viewer"


def test_a_reused_link_is_refused_with_a_clear_message(team: Team, client_for: Any, make_account: Any) -> None:
    _, token = invitation_create(user=team.users["owner"], workspace=team.workspace, role="editor")
    assert client_for(make_account("erin")).post(reverse("invitation_accept", args=[token])).status_code == 302
    again = client_for(make_account("frank")).post(reverse("invitation_accept", args=[token]))
    assert again.status_code == 410 and INVITATION_USED in again.content.decode()
    assert not Membership.objects.filter(workspace=team.workspace, user__username="frank").exists()
    anonymous = client_for(None).post(reverse("invitation_accept", args=[token]), new_account_form("gina"))
    assert anonymous.status_code == 410 and INVITATION_USED in anonymous.content.decode()
    assert not get_user_model().objects.filter(username="gina").exists()  # no account for a refused link


def test_an_expired_link_is_refused_with_a_clear_message(team: Team, client_for: Any) -> None:
    invitation, token = invitation_create(user=team.users["owner"], workspace=team.workspace, role="editor", days=1)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    page = client_for(None).get(reverse("invitation_accept", args=[token]))
    assert page.status_code == 410 and INVITATION_EXPIRED in page.content.decode()
    with pytest.raises(InvitationRefused) as refused:
        invitation_accept(token=token, user=team.users["other"])
    assert refused.value.code == "invitation_expired"


def test_a_revoked_link_is_refused_with_a_clear_message(team: Team, client_for: Any, api_client_for: Any) -> None:
    invitation, token = invitation_create(user=team.users["owner"], workspace=team.workspace, role="editor")
    invitation_revoke(user=team.users["owner"], workspace=team.workspace, invitation_id=invitation.pk)
    page = client_for(None).post(reverse("invitation_accept", args=[token]), new_account_form("hana"))
    assert page.status_code == 410 and INVITATION_REVOKED in page.content.decode()
    api = api_client_for(team.users["other"]).post("/api/v1/invitations/accept", {"token": token}, format="json")
    assert api.status_code == 410
    assert api.json()["error"] == {"code": "invitation_revoked", "message": INVITATION_REVOKED, "fields": {}}


def test_an_unknown_link_is_not_found(client_for: Any, db: None) -> None:
    page = client_for(None).get(reverse("invitation_accept", args=["nope" * 10]))
    assert page.status_code == 404 and INVITATION_UNKNOWN in page.content.decode()


def test_account_form_errors_keep_the_link_usable(team: Team, client_for: Any, closed_signups: None) -> None:
    _, token = invitation_create(user=team.users["owner"], workspace=team.workspace, role="editor")
    client = client_for(None)
    taken = client.post(reverse("invitation_accept", args=[token]), new_account_form("alice"))
    assert taken.status_code == 200 and "That username is taken." in taken.content.decode()
    differ = client.post(reverse("invitation_accept", args=[token]),
                         {**new_account_form("ivy"), "password_again": "something-else-77"})
    assert "The two passwords differ." in differ.content.decode()
    assert client.post(reverse("invitation_accept", args=[token]), new_account_form("ivy")).status_code == 302


def test_a_member_keeps_a_higher_role_when_accepting_a_lower_invitation(team: Team) -> None:
    _, token = invitation_create(user=team.users["owner"], workspace=team.workspace, role="viewer")
    invitation_accept(token=token, user=team.users["editor"])
    assert Membership.objects.get(workspace=team.workspace, user=team.users["editor"]).role == "editor"


def test_only_owners_make_and_revoke_links(team: Team) -> None:
    with pytest.raises(Forbidden):
        invitation_create(user=team.users["editor"], workspace=team.workspace, role="viewer")
    invitation, _ = invitation_create(user=team.users["owner"], workspace=team.workspace, role="viewer")
    with pytest.raises(Forbidden):
        invitation_revoke(user=team.users["editor"], workspace=team.workspace, invitation_id=invitation.pk)


def test_api_creates_lists_and_revokes_links(team: Team, api_client_for: Any) -> None:
    alice = api_client_for(team.users["owner"])
    base = f"/api/v1/workspaces/{team.workspace.pk}/invitations/"
    created = alice.post(base, {"role": "editor", "email": "dora@example.com", "days": 3}, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["state"] == "pending" and body["url"].endswith(reverse("invitation_accept", args=[body["token"]]))
    listed = alice.get(base).json()["results"]
    assert [(i["id"], i["state"]) for i in listed] == [(body["id"], "pending")] and "token" not in listed[0]
    revoked = alice.delete(f"{base}{body['id']}/")
    assert revoked.status_code == 200 and revoked.json()["state"] == "revoked"
    again = alice.delete(f"{base}{body['id']}/")
    assert again.status_code == 400 and again.json()["error"]["code"] == "invitation_not_pending"
    bad = alice.post(base, {"role": "boss"}, format="json")
    assert bad.status_code == 400 and "role" in bad.json()["error"]["fields"]


def test_api_accepts_a_link_for_the_signed_in_account(team: Team, api_client_for: Any) -> None:
    _, token = invitation_create(user=team.users["owner"], workspace=team.workspace, role="editor")
    response = api_client_for(team.users["other"]).post("/api/v1/invitations/accept", {"token": token}, format="json")
    assert response.json() == {"workspace": team.workspace.pk, "name": "Acme", "role": "editor"}


def test_members_page_shows_a_new_link_once_and_revokes_it(team: Team, client_for: Any) -> None:
    alice = client_for(team.users["owner"])
    ws = team.workspace.pk
    html = alice.post(reverse("invitation_create", args=[ws]), {"role": "viewer", "email": "", "days": "2"},
                      HTTP_HX_REQUEST="true").content.decode()
    assert "/invite/" in html and "Copy it now" in html
    invitation = Invitation.objects.get(workspace=team.workspace)
    assert f'data-invitation="{invitation.pk}"' in html
    html = alice.get(reverse("members", args=[ws])).content.decode()
    assert "/invite/" not in html  # shown once
    alice.post(reverse("invitation_revoke", args=[ws, invitation.pk]), HTTP_HX_REQUEST="true")
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None

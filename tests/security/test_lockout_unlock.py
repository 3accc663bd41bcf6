"""Issue 13 item 5: site staff see sign-in lockouts and lift them, on a page and in the API;
nobody else — workspace owners included — learns of them (404)."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.fixtures.accounts import PASSWORD
from tests.security.test_abuse_limits import sign_in

ADDRESS = "198.51.100.7"


@pytest.fixture
def staff(make_account):
    user = make_account("sam")
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


@pytest.fixture
def locked_alice(client, alice, settings):
    """alice locked out, and the address her guesses came from locked too."""
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "alice", "wrong", address=ADDRESS)
    assert sign_in(client, "alice", PASSWORD, address="192.0.2.99").status_code == 429
    return alice


def test_staff_see_the_lockouts_and_unlock_a_username(locked_alice, staff):
    page = Client()
    page.force_login(staff)
    listed = page.get("/staff/lockouts/").content.decode()
    assert "user <strong>alice</strong>" in listed and f"address <code>{ADDRESS}</code>" in listed
    answer = page.post("/staff/lockouts/unlock/", {"kind": "username", "value": "alice"}, HTTP_HX_REQUEST="true")
    assert answer.status_code == 200
    panel = answer.content.decode()
    assert panel.lstrip().startswith('<div id="lockout-panel">') and "The lockout of alice is lifted." in panel
    assert "user <strong>alice</strong>" not in panel and ADDRESS in panel
    assert sign_in(Client(), "alice", PASSWORD, address="192.0.2.99").status_code == 302
    assert sign_in(Client(), "alice", PASSWORD, address=ADDRESS).status_code == 429  # the address is still locked


def test_the_unlock_form_needs_the_csrf_token(locked_alice, staff):
    page = Client(enforce_csrf_checks=True)
    page.force_login(staff)
    assert page.post("/staff/lockouts/unlock/", {"kind": "username", "value": "alice"}).status_code == 403
    assert "user <strong>alice</strong>" in page.get("/staff/lockouts/").content.decode()


def test_a_bad_unlock_is_named(locked_alice, staff):
    page = Client()
    page.force_login(staff)
    answer = page.post("/staff/lockouts/unlock/", {"kind": "address", "value": "not-an-ip"}, HTTP_HX_REQUEST="true")
    assert answer.status_code == 400 and "That is not an IP address." in answer.content.decode()


def test_members_and_owners_do_not_see_the_page(locked_alice, make_account):
    owner = make_account("olga")  # owns her personal workspace: lockouts are not a workspace's
    page = Client()
    page.force_login(owner)
    assert page.get("/staff/lockouts/").status_code == 404
    assert page.post("/staff/lockouts/unlock/", {"kind": "username", "value": "alice"}).status_code == 404
    assert sign_in(Client(), "alice", PASSWORD, address="192.0.2.99").status_code == 429
    assert Client().get("/staff/lockouts/").status_code == 302  # anonymous: to the sign-in page


def test_staff_list_and_unlock_through_the_api(locked_alice, staff, api_client_for):
    api = api_client_for(staff)
    listed = api.get("/api/v1/lockouts").json()
    assert {(row["kind"], row["value"]) for row in listed} == {("username", "alice"), ("address", ADDRESS)}
    assert all(row["failures"] >= 1 and row["locked_until"] > row["last_failure"] for row in listed)
    answer = api.post("/api/v1/lockouts/unlock", {"kind": "address", "value": ADDRESS}, format="json")
    assert answer.status_code == 200 and answer.json()["removed"] == 1
    assert [row["kind"] for row in api.get("/api/v1/lockouts").json()] == ["username"]
    bad = api.post("/api/v1/lockouts/unlock", {"kind": "group", "value": "x"}, format="json")
    assert bad.status_code == 400 and "kind" in bad.json()["error"]["fields"]


def test_the_api_is_not_found_for_non_staff(locked_alice, alice_client, anon_client):
    assert alice_client.get("/api/v1/lockouts").status_code == 404
    refused = alice_client.post("/api/v1/lockouts/unlock", {"kind": "username", "value": "alice"}, format="json")
    assert refused.status_code == 404 and refused.json()["error"]["code"] == "not_found"
    assert anon_client.get("/api/v1/lockouts").status_code == 401
    assert sign_in(Client(), "alice", PASSWORD, address="192.0.2.99").status_code == 429

"""Accounts pages: first account, sign-ups setting, sign in/out, password change, API tokens."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from requests_app.forms import PASSWORDS_DIFFER
from requests_app.models import ApiToken, Collection, SavedRequest
from requests_app.services.errors import USERNAME_TAKEN
from requests_app.services.tour import TOUR, TOUR_NAME
from requests_app.views.accounts import SIGNUPS_CLOSED
from tests.fixtures.accounts import PASSWORD

NEW_PASSWORD = "another-long-password-7"


def signup(client: Client, username: str = "dora", password: str = NEW_PASSWORD, again: str | None = None) -> Any:
    return client.post(
        reverse("signup"), {"username": username, "password": password, "password_again": again or password}
    )


def test_a_fresh_install_offers_to_create_the_first_account(db: None, fast_password_hashing: None) -> None:
    client = Client()
    assert client.get("/").url == reverse("login")
    assert client.get(reverse("login")).url == reverse("signup")
    page = client.get(reverse("signup")).content.decode()
    assert "Create the first account" in page


def test_first_account_owns_a_personal_workspace_with_the_http_tour_aimed_at_this_server(
    db: None, fast_password_hashing: None, settings: Any
) -> None:
    settings.WEBCLIENT_SIGNUPS = "off"  # the first account is always allowed
    client = Client()
    response = signup(client)
    assert response.status_code == 302
    user = get_user_model().objects.get(username="dora")
    workspace = user.workspaces.get()
    tour = Collection.objects.get(workspace=workspace, name=TOUR_NAME)
    assert tour.variables == [{"key": "baseUrl", "value": "http://testserver/echo", "enabled": True}]
    requests = SavedRequest.objects.filter(collection=tour)
    assert requests.count() == sum(len(items) for _, items in TOUR)
    assert all(r.url.startswith("{{baseUrl}}/") and r.description for r in requests)
    methods = set(requests.values_list("method", flat=True))
    assert {"GET", "POST", "PUT", "DELETE", "HEAD", "PURGE"} <= methods
    statuses = " ".join(requests.values_list("name", flat=True))
    for code in (200, 201, 204, 301, 302, 303, 304, 400, 401, 403, 404, 405, 500, 503):
        assert str(code) in statuses
    assert client.get("/").url == reverse("workspace", args=[workspace.pk])


def test_later_signups_follow_the_setting(alice: Any, settings: Any) -> None:
    settings.WEBCLIENT_SIGNUPS = "off"
    response = Client().get(reverse("signup"))
    assert response.status_code == 403
    assert SIGNUPS_CLOSED in response.content.decode()
    assert "Create an account" not in Client().get(reverse("login")).content.decode()
    settings.WEBCLIENT_SIGNUPS = "open"
    assert "Create an account" in Client().get(reverse("signup")).content.decode()
    assert signup(Client(), "erin").status_code == 302


def test_signup_errors_are_shown_by_field(alice: Any, settings: Any) -> None:
    settings.WEBCLIENT_SIGNUPS = "open"
    taken = signup(Client(), "alice").content.decode()
    assert USERNAME_TAKEN in taken
    differ = signup(Client(), "erin", again="something-else-entirely").content.decode()
    assert PASSWORDS_DIFFER in differ
    short = signup(Client(), "erin", password="abc").content.decode()
    assert "too short" in short
    assert not get_user_model().objects.filter(username="erin").exists()


def test_sign_in_and_out(alice: Any) -> None:
    client = Client()
    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/").status_code == 302
    assert client.post(reverse("logout")).url == reverse("login")
    assert client.get(reverse("workspace", args=[alice.personal_workspace.pk])).status_code == 302


def test_wrong_password_is_refused_with_a_message(alice: Any) -> None:
    response = Client().post(reverse("login"), {"username": "alice", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_password_change(alice: Any, client_for: Callable[[Any], Client]) -> None:
    client = client_for(alice)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert "Your password was changed." in response.content.decode()
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)
    assert client.get(reverse("tokens")).status_code == 200  # still signed in


def test_api_token_is_shown_once_listed_by_hint_and_revocable(alice: Any, client_for: Callable[[Any], Client]) -> None:
    client = client_for(alice)
    created = client.post(reverse("tokens"), {"name": "CI"}, HTTP_HX_REQUEST="true").content.decode()
    token = ApiToken.objects.get(user=alice)
    assert "won't be shown again" in created
    text = created.split('id="new-token">', 1)[1].split("<", 1)[0]
    assert text.startswith("wc_") and ApiToken.hash(text) == token.token_hash
    listed = client.get(reverse("tokens")).content.decode()
    assert text not in listed and token.hint in listed and "CI" in listed
    client.post(reverse("token_revoke", args=[token.pk]), HTTP_HX_REQUEST="true")
    assert not ApiToken.objects.filter(pk=token.pk).exists()


def test_someone_elses_token_cannot_be_revoked(alice: Any, carol: Any, client_for: Callable[[Any], Client]) -> None:
    client_for(alice).post(reverse("tokens"), {"name": "mine"})
    token = ApiToken.objects.get(user=alice)
    assert client_for(carol).post(reverse("token_revoke", args=[token.pk])).status_code == 404
    assert ApiToken.objects.filter(pk=token.pk).exists()


@pytest.mark.parametrize("name", ["tokens", "password_change"])
def test_account_pages_need_sign_in(db: None, name: str) -> None:
    assert Client().get(reverse(name)).url.startswith(reverse("login"))

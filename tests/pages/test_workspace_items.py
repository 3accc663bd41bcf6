"""Collections tree, environments and the cookie jar through the page's partials."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from requests_app.models import Collection, Environment, Folder, SavedRequest
from requests_app.services.secrets import MASK
from tests.pages.conftest import SECRET, AcmeContent

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def alice_client(alice: Any, client_for: Callable[[Any], Client]) -> Client:
    return client_for(alice)


def events(response: Any) -> set[str]:
    return set(json.loads(response["HX-Trigger"]))


# ---------------------------------------------------------------- tree


def test_creating_a_collection_reloads_the_tree_and_closes_the_dialog(alice_client: Client, acme_content: AcmeContent) -> None:
    url = reverse("collection_create", args=[acme_content.workspace.pk])
    assert 'name="name"' in alice_client.get(url, **HTMX).content.decode()
    response = alice_client.post(url, {"name": "Orders"}, **HTMX)
    assert response.status_code == 204
    assert events(response) == {"tree-changed", "dialog-close"}
    tree = alice_client.get(reverse("sidebar_tree", args=[acme_content.workspace.pk]), **HTMX).content.decode()
    assert "Orders" in tree


def test_an_empty_name_is_refused_in_the_dialog(alice_client: Client, acme_content: AcmeContent) -> None:
    url = reverse("folder_rename", args=[acme_content.workspace.pk, acme_content.folder.pk])
    response = alice_client.post(url, {"name": "   "}, **HTMX)
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    acme_content.folder.refresh_from_db()
    assert acme_content.folder.name == "Admin"


def test_nested_folder_rename_duplicate_and_delete(alice_client: Client, acme_content: AcmeContent) -> None:
    workspace = acme_content.workspace.pk
    alice_client.post(reverse("folder_create", args=[workspace]), {"name": "Deep", "folder": acme_content.folder.pk}, **HTMX)
    deep = Folder.objects.get(name="Deep")
    assert deep.parent == acme_content.folder
    alice_client.post(reverse("request_rename", args=[workspace, acme_content.request.pk]), {"name": "All users"}, **HTMX)
    alice_client.post(reverse("request_duplicate", args=[workspace, acme_content.request.pk]), **HTMX)
    assert sorted(SavedRequest.objects.values_list("name", flat=True)) == ["All users", "All users copy"]
    children = alice_client.get(reverse("folder_children", args=[workspace, acme_content.folder.pk]), **HTMX).content.decode()
    assert "Deep" in children and "All users copy" in children
    alice_client.post(reverse("folder_delete", args=[workspace, acme_content.folder.pk]), **HTMX)
    assert not Folder.objects.exists() and not SavedRequest.objects.exists()


def test_move_up_and_down_reorders_siblings(alice: Any, alice_client: Client, acme_content: AcmeContent) -> None:
    workspace = acme_content.workspace.pk
    for name in ("B", "C"):
        alice_client.post(reverse("request_create", args=[workspace]), {"name": name, "folder": acme_content.folder.pk}, **HTMX)
    names = lambda: list(SavedRequest.objects.filter(folder=acme_content.folder).order_by("position").values_list("name", flat=True))  # noqa: E731
    assert names() == ["List users", "B", "C"]
    c = SavedRequest.objects.get(name="C")
    alice_client.post(reverse("request_move", args=[workspace, c.pk]), {"direction": "up"}, **HTMX)
    assert names() == ["List users", "C", "B"]
    first = SavedRequest.objects.get(name="List users")
    alice_client.post(reverse("request_move", args=[workspace, first.pk]), {"direction": "up"}, **HTMX)  # already first
    assert names() == ["List users", "C", "B"]
    alice_client.post(reverse("request_move", args=[workspace, first.pk]), {"direction": "down"}, **HTMX)
    assert names() == ["C", "List users", "B"]


def test_new_request_from_the_tree_opens_in_the_editor(alice_client: Client, acme_content: AcmeContent) -> None:
    response = alice_client.post(
        reverse("request_create", args=[acme_content.workspace.pk]), {"name": "Fresh", "collection": acme_content.collection.pk}, **HTMX
    )
    created = SavedRequest.objects.get(name="Fresh")
    assert json.loads(response["HX-Location"]) == {
        "path": reverse("request_open", args=[acme_content.workspace.pk, created.pk]), "target": "#editor"
    }


def test_collection_delete(alice_client: Client, acme_content: AcmeContent) -> None:
    alice_client.post(reverse("collection_delete", args=[acme_content.workspace.pk, acme_content.collection.pk]), **HTMX)
    assert not Collection.objects.filter(pk=acme_content.collection.pk).exists()


def test_the_empty_tree_says_what_to_do(alice: Any, alice_client: Client) -> None:
    html = alice_client.get(reverse("sidebar_tree", args=[alice.personal_workspace.pk]), **HTMX).content.decode()
    assert "No collections yet" in html and "Save as…" in html


# ---------------------------------------------------------------- environments


def test_environment_dialog_masks_secrets_and_reveals_them_to_editors_only(
    bob: Any, victor: Any, acme_content: AcmeContent, client_for: Callable[[Any], Client]
) -> None:
    args = [acme_content.workspace.pk, acme_content.environment.pk]
    for user in (bob, victor):
        html = client_for(user).get(reverse("environment_edit", args=args), **HTMX).content.decode()
        assert SECRET not in html and MASK in html
    assert "Reveal" in client_for(bob).get(reverse("environment_edit", args=args), **HTMX).content.decode()
    assert "Reveal" not in client_for(victor).get(reverse("environment_edit", args=args), **HTMX).content.decode()
    revealed = client_for(bob).get(reverse("environment_reveal", args=args) + "?index=1", **HTMX)
    assert SECRET in revealed.content.decode()
    assert client_for(bob).get(reverse("environment_reveal", args=args) + "?index=0", **HTMX).status_code == 404
    assert client_for(victor).get(reverse("environment_reveal", args=args) + "?index=1", **HTMX).status_code == 403


def test_saving_an_environment_with_the_mask_keeps_the_secret(alice_client: Client, acme_content: AcmeContent) -> None:
    environment = acme_content.environment
    data = {
        "name": "Staging",
        "version": environment.version,
        "vars-0-key": "base", "vars-0-value": "http://127.0.0.1:7", "vars-0-enabled": "on",
        "vars-1-key": "token", "vars-1-value": MASK, "vars-1-enabled": "on", "vars-1-secret": "on",
        "vars-2-key": "new", "vars-2-value": "v",
    }  # fmt: skip
    response = alice_client.post(reverse("environment_edit", args=[acme_content.workspace.pk, environment.pk]), data, **HTMX)
    assert response.status_code == 204
    assert events(response) == {"environments-changed", "dialog-close"}
    from requests_app.services.environments import environment_values

    environment.refresh_from_db()
    assert environment_values(environment) == {"base": "http://127.0.0.1:7", "token": SECRET}
    assert [row["key"] for row in environment.variables] == ["base", "token", "new"]
    assert SECRET not in json.dumps(environment.variables)


def test_choosing_an_environment_updates_the_select_and_the_variables_shown(
    alice_client: Client, acme_content: AcmeContent
) -> None:
    response = alice_client.post(
        reverse("environment_activate", args=[acme_content.workspace.pk]),
        {"environment": acme_content.environment.pk, "saved_request": acme_content.request.pk},
        **HTMX,
    )
    html = response.content.decode()
    assert f'<option value="{acme_content.environment.pk}" selected>' in html
    data = json.loads(html.split('id="variables-data" type="application/json">', 1)[1].split("</script>", 1)[0])
    assert data["base"] == {"value": "http://127.0.0.1:8", "scope": "environment “Staging”"}
    assert data["token"]["value"] == MASK and "secret" in data["token"]["scope"]
    assert "environment-activated" in response["HX-Trigger-After-Settle"]
    page = alice_client.get(reverse("workspace", args=[acme_content.workspace.pk])).content.decode()
    assert f'<option value="{acme_content.environment.pk}" selected>' in page


def test_a_send_uses_the_chosen_environment_over_the_collection(
    alice_client: Client, acme_content: AcmeContent, echo_server: Any
) -> None:
    environment = acme_content.environment
    environment.variables = [{"key": "base", "value": echo_server.url(""), "secret": False, "enabled": True}]
    environment.save()
    data = {"method": "GET", "url": "{{base}}/status/202", "body_mode": "none", "auth_type": "none",
            "saved_request": acme_content.request.pk, "environment": environment.pk}  # fmt: skip
    html = alice_client.post(reverse("request_send", args=[acme_content.workspace.pk]), data, **HTMX).content.decode()
    assert "HTTP/1.1 202 Accepted" in html


def test_environment_create_and_delete(alice_client: Client, acme_content: AcmeContent) -> None:
    workspace = acme_content.workspace.pk
    alice_client.post(reverse("environment_create", args=[workspace]), {"name": "Local", "vars-0-key": "a", "vars-0-value": "1"}, **HTMX)
    local = Environment.objects.get(name="Local")
    listing = alice_client.get(reverse("environment_list", args=[workspace]), **HTMX).content.decode()
    assert "Local" in listing and "Staging" in listing
    alice_client.post(reverse("environment_delete", args=[workspace, local.pk]), **HTMX)
    assert not Environment.objects.filter(pk=local.pk).exists()


# ---------------------------------------------------------------- cookie jar


def test_cookie_jar_lists_cookies_by_domain_and_deletes_one_or_all(
    alice_client: Client, acme_content: AcmeContent, echo_server: Any
) -> None:
    workspace = acme_content.workspace.pk
    data = {"method": "GET", "url": echo_server.url("/cookies/set?flavor=oatmeal&size=big"), "body_mode": "none",
            "auth_type": "none", "opt_use_cookies": "on", "opt_follow_redirects": "on"}  # fmt: skip
    alice_client.post(reverse("request_send", args=[workspace]), data, **HTMX)
    jar = alice_client.get(reverse("cookies", args=[workspace]), **HTMX).content.decode()
    assert "<h3>127.0.0.1</h3>" in jar and "oatmeal" in jar and "big" in jar
    path = "/cookies" if "<td>/cookies</td>" in jar else "/"
    after_delete = alice_client.post(
        reverse("cookie_delete", args=[workspace]), {"domain": "127.0.0.1", "path": path, "name": "flavor"}, **HTMX
    ).content.decode()
    assert "oatmeal" not in after_delete and "big" in after_delete
    cleared = alice_client.post(reverse("cookie_clear", args=[workspace]), **HTMX).content.decode()
    assert "The jar is empty" in cleared

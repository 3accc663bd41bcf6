"""The Scripts tab of the editor, the scripts dialogs of folders and collections, the Tests tab of a Send."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from requests_app.models import Collection, Folder, SavedRequest
from tests.pages.conftest import AcmeContent
from tests.pages.test_editor import HTMX, form

TEST = "pm.test('status is 200', function () { pm.response.to.have.status(200); });\npm.test('fails', function () { pm.expect(1).to.equal(2); });"


@pytest.fixture
def alice_client(alice: Any, client_for: Callable[[Any], Client]) -> Client:
    return client_for(alice)


def test_the_scripts_tab_saves_and_shows_the_request_scripts(alice_client: Client, acme_content: AcmeContent) -> None:
    saved = acme_content.request
    data = form("{{base}}/users", saved_request=saved.pk, version=saved.version,
                script_prerequest="pm.variables.set('x', 1);", script_test=TEST)
    alice_client.post(reverse("request_save", args=[acme_content.workspace.pk]), data, **HTMX)
    saved = SavedRequest.objects.get(pk=saved.pk)
    assert saved.scripts == {"prerequest": "pm.variables.set('x', 1);", "test": TEST}
    page = alice_client.get(reverse("request_open", args=[acme_content.workspace.pk, saved.pk])).content.decode()
    assert 'id="panel-scripts"' in page and "pm.variables.set(&#x27;x&#x27;, 1);" in page
    assert "<script>" not in page.split('id="panel-scripts"')[1].split("</section>")[0]


def test_send_from_the_page_shows_the_tests_tab(alice_client: Client, acme_content: AcmeContent, echo_server: Any) -> None:
    data = form(echo_server.url("/get"), script_test=TEST, script_prerequest="")
    html = alice_client.post(reverse("request_send", args=[acme_content.workspace.pk]), data, **HTMX).content.decode()
    assert 'id="tab-res-tests"' in html and "1/2" in html
    assert "status is 200" in html and "expected 1 to equal 2" in html


def test_folder_and_collection_scripts_dialogs_save_with_their_version(alice_client: Client, acme_content: AcmeContent) -> None:
    folder = acme_content.folder
    url = reverse("folder_scripts", args=[acme_content.workspace.pk, folder.pk])
    assert 'name="script_prerequest"' in alice_client.get(url, **HTMX).content.decode()
    response = alice_client.post(url, {"version": folder.version, "script_prerequest": "console.log('folder');", "script_test": ""}, **HTMX)
    assert response.status_code == 204 and "tree-changed" in response["HX-Trigger"]
    assert Folder.objects.get(pk=folder.pk).scripts == {"prerequest": "console.log('folder');"}
    stale = alice_client.post(url, {"version": folder.version, "script_test": "x"}, **HTMX).content.decode()
    assert "Someone changed these scripts meanwhile" in stale
    collection = acme_content.collection
    url = reverse("collection_scripts", args=[acme_content.workspace.pk, collection.pk])
    alice_client.post(url, {"version": collection.version, "script_prerequest": "", "script_test": TEST}, **HTMX)
    assert Collection.objects.get(pk=collection.pk).scripts == {"test": TEST}


def test_a_viewer_cannot_open_the_scripts_dialog(acme_content: AcmeContent, victor: Any, client_for: Callable[[Any], Client]) -> None:
    url = reverse("folder_scripts", args=[acme_content.workspace.pk, acme_content.folder.pk])
    assert client_for(victor).get(url, **HTMX).status_code in (403, 404)

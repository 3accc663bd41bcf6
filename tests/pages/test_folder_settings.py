"""Folder settings (auth, variables) and what the editor says a request inherits; viewers never
see a credential of a collection or folder in the clear."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.test import Client

from requests_app.services.collections import collection_update
from requests_app.services.folders import folder_create, folder_update
from requests_app.services.inheritance import folder_chain, inherited_values
from tests.pages.conftest import AcmeContent

COLLECTION_TOKEN = "collection-token-0123456789"
FOLDER_TOKEN = "folder-token-abcdefghijklmnop"


def folder_url(content: AcmeContent) -> str:
    return f"/w/{content.workspace.pk}/folders/{content.folder.pk}/settings/"


def collection_url(content: AcmeContent) -> str:
    return f"/w/{content.workspace.pk}/collections/{content.collection.pk}/settings/"


def folder_post(content: AcmeContent, **changes: str) -> dict[str, str]:
    content.folder.refresh_from_db()
    return {"version": str(content.folder.version), "name": "Admin", "description": "",
            "auth_type": "bearer", "auth_token": FOLDER_TOKEN,
            "vars-0-key": "base", "vars-0-value": "http://127.0.0.1:7", "vars-0-enabled": "on", **changes}


def test_an_editor_saves_folder_auth_and_variables(acme_content: AcmeContent, bob: Any,
                                                   client_for: Callable[[Any], Client]) -> None:
    response = client_for(bob).post(folder_url(acme_content), folder_post(acme_content), HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    folder = acme_content.folder
    folder.refresh_from_db()
    assert folder.auth == {"type": "bearer", "token": FOLDER_TOKEN}
    assert folder.variables == [{"key": "base", "value": "http://127.0.0.1:7", "enabled": True}]
    # the folder's base wins over the collection's for the requests below it, and the editor says whose it is
    assert inherited_values(acme_content.collection, folder_chain(folder))["base"] == "http://127.0.0.1:7"
    page = client_for(bob).get(f"/w/{acme_content.workspace.pk}/requests/{acme_content.request.pk}/").content.decode()
    assert '"base": {"value": "http://127.0.0.1:7", "scope": "folder \\u201cAdmin\\u201d"}' in page


def test_inherit_from_parent_is_a_choice_and_a_bad_variable_is_named(acme_content: AcmeContent, alice: Any,
                                                                      client_for: Callable[[Any], Client]) -> None:
    client = client_for(alice)
    html = client.get(folder_url(acme_content), HTTP_HX_REQUEST="true").content.decode()
    assert '<option value="inherit" selected>Inherit from parent</option>' in html
    assert client.post(folder_url(acme_content), folder_post(acme_content, auth_type="inherit"),
                       HTTP_HX_REQUEST="true").status_code == 204
    acme_content.folder.refresh_from_db()
    assert acme_content.folder.auth == {"type": "inherit"}
    nameless = folder_post(acme_content, **{"vars-0-key": " "})
    response = client.post(folder_url(acme_content), nameless, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "a variable needs a name" in response.content.decode()
    bad_version = client.post(folder_url(acme_content), folder_post(acme_content, version="x"), HTTP_HX_REQUEST="true")
    assert bad_version.status_code == 200 and "Someone else saved a newer version" in bad_version.content.decode()


def test_viewers_see_folder_and_collection_credentials_masked(acme_content: AcmeContent, alice: Any, victor: Any,
                                                              client_for: Callable[[Any], Client]) -> None:
    collection_update(user=alice, collection=acme_content.collection, version=acme_content.collection.version,
                      auth={"type": "bearer", "token": COLLECTION_TOKEN})
    folder_update(user=alice, folder=acme_content.folder, version=acme_content.folder.version,
                  auth={"type": "basic", "username": "admin", "password": FOLDER_TOKEN})
    viewer, owner = client_for(victor), client_for(alice)
    for url, secret in ((collection_url(acme_content), COLLECTION_TOKEN), (folder_url(acme_content), FOLDER_TOKEN)):
        html = viewer.get(url, HTTP_HX_REQUEST="true").content.decode()
        assert secret not in html
        assert "••••••" in html
        assert secret in owner.get(url, HTTP_HX_REQUEST="true").content.decode()  # editors edit the real value
    editor_page = viewer.get(f"/w/{acme_content.workspace.pk}/requests/{acme_content.request.pk}/").content.decode()
    assert FOLDER_TOKEN not in editor_page and "Inherit from folder “Admin” (Basic, user admin)" in editor_page
    acme_content.folder.refresh_from_db()
    folder_update(user=alice, folder=acme_content.folder, version=acme_content.folder.version,
                  auth={"type": "bearer", "token": FOLDER_TOKEN})
    editor_page = viewer.get(f"/w/{acme_content.workspace.pk}/requests/{acme_content.request.pk}/").content.decode()
    assert "Inherit from folder “Admin” (Bearer ••••••)" in editor_page  # not even a glimpse for viewers


def test_the_auth_tab_names_the_nearest_folder_that_sets_auth(acme_content: AcmeContent, alice: Any,
                                                              client_for: Callable[[Any], Client]) -> None:
    collection_update(user=alice, collection=acme_content.collection, version=acme_content.collection.version,
                      auth={"type": "bearer", "token": COLLECTION_TOKEN})
    url = f"/w/{acme_content.workspace.pk}/requests/{acme_content.request.pk}/"
    client = client_for(alice)
    assert "Inherit from collection “Users API” (Bearer coll…)" in client.get(url).content.decode()

    folder_update(user=alice, folder=acme_content.folder, version=acme_content.folder.version,
                  auth={"type": "bearer", "token": FOLDER_TOKEN})
    assert "Inherit from folder “Admin” (Bearer fold…)" in client.get(url).content.decode()

    # one level deeper, an inheriting folder in between: still the nearest folder that says something
    inner = folder_create(user=alice, collection=acme_content.collection, parent=acme_content.folder, name="Inner")
    acme_content.request.folder = inner
    acme_content.request.save(update_fields=["folder"])
    assert "Inherit from folder “Admin”" in client.get(url).content.decode()
    folder_update(user=alice, folder=inner, version=inner.version, auth={"type": "none"})
    assert "Inherit from folder “Inner”: the folder says No auth, so none is sent." in client.get(url).content.decode()

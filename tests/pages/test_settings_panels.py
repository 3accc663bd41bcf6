"""Collection and folder settings dialogs: who may read and change them, and what bad input
and a stale version answer (never a 500, never an overwrite)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from tests.pages.conftest import AcmeContent

HTMX = {"HTTP_HX_REQUEST": "true"}


def settings_url(content: AcmeContent, kind: str) -> str:
    target = content.collection.pk if kind == "collections" else content.folder.pk
    return f"/w/{content.workspace.pk}/{kind}/{target}/settings/"


def valid_post(content: AcmeContent) -> dict[str, str]:
    return {"version": str(content.collection.version), "name": "Renamed", "description": "About it",
            "auth_type": "apikey", "auth_key": "X-Key", "auth_value": "{{key}}", "auth_in": "header",
            "vars-0-key": "key", "vars-0-value": "abc", "vars-0-enabled": "on", "vars-1-key": "off", "vars-1-value": "x"}


def test_an_editor_saves_collection_settings(acme_content: AcmeContent, bob: Any, client_for: Callable[[Any], Client]) -> None:
    response = client_for(bob).post(settings_url(acme_content, "collections"), valid_post(acme_content), HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    acme_content.collection.refresh_from_db()
    c = acme_content.collection
    assert (c.name, c.description) == ("Renamed", "About it")
    assert c.auth == {"type": "apikey", "key": "X-Key", "value": "{{key}}", "in": "header"}
    assert c.variables == [{"key": "key", "value": "abc", "enabled": True}, {"key": "off", "value": "x", "enabled": False}]


@pytest.mark.parametrize(("role", "get_status", "post_status"), [("viewer", 200, 403), ("outsider", 404, 404)])
def test_viewers_read_only_and_outsiders_get_nothing(acme_content: AcmeContent, victor: Any, carol: Any,
                                                     client_for: Callable[[Any], Client], role: str,
                                                     get_status: int, post_status: int) -> None:
    client = client_for(victor if role == "viewer" else carol)
    for kind in ("collections", "folders"):
        page = client.get(settings_url(acme_content, kind), HTTP_HX_REQUEST="true")
        assert page.status_code == get_status
        if get_status == 200:
            html = page.content.decode()
            assert "Save settings" not in html and re.search(r"<input id=\"\w+-name\"[^>]* disabled", html)
        assert client.post(settings_url(acme_content, kind), valid_post(acme_content)).status_code == post_status
    acme_content.collection.refresh_from_db()
    assert acme_content.collection.name != "Renamed"


def test_a_stale_version_or_an_inherit_auth_is_a_named_error_and_nothing_is_written(
    acme_content: AcmeContent, alice: Any, client_for: Callable[[Any], Client]
) -> None:
    client = client_for(alice)
    stale = {**valid_post(acme_content), "version": str(acme_content.collection.version - 1 or 99)}
    html = client.post(settings_url(acme_content, "collections"), stale, HTTP_HX_REQUEST="true").content.decode()
    assert "Someone else saved a newer version" in html
    inherit = {**valid_post(acme_content), "auth_type": "inherit"}
    html = client.post(settings_url(acme_content, "collections"), inherit, HTTP_HX_REQUEST="true").content.decode()
    assert "A collection has nothing to inherit from" in html
    acme_content.collection.refresh_from_db()
    assert acme_content.collection.name != "Renamed"


def test_aws_signature_and_oauth2_are_set_in_the_dialogs_and_masked_for_viewers(
    acme_content: AcmeContent, alice: Any, victor: Any, client_for: Callable[[Any], Client]
) -> None:
    client = client_for(alice)
    base = {key: value for key, value in valid_post(acme_content).items() if not key.startswith("auth_")}
    aws = {"auth_type": "awsv4", "auth_access_key": "AKIDEXAMPLE", "auth_secret_key": "aws-secret-1",
           "auth_region": "us-east-1", "auth_service": "s3", "auth_unsigned_payload": "on"}
    assert client.post(settings_url(acme_content, "collections"), {**base, **aws}, **HTMX).status_code == 204
    collection = acme_content.collection
    collection.refresh_from_db()
    assert collection.auth == {"type": "awsv4", "access_key": "AKIDEXAMPLE", "secret_key": "aws-secret-1",
                               "session_token": "", "region": "us-east-1", "service": "s3", "unsigned_payload": True}
    oauth = {"auth_type": "oauth2", "auth_grant_type": "password", "auth_token_url": "https://id.example.com/token",
             "auth_client_id": "app", "auth_client_secret": "oauth-secret-2", "auth_scope": "read",
             "auth_client_auth": "basic", "auth_oauth_username": "ann", "auth_oauth_password": "pw-3",
             "auth_token_in": "header", "auth_header_prefix": "Bearer", "auth_extra_params": "prompt=none"}
    base["version"] = str(collection.version)
    assert client.post(settings_url(acme_content, "collections"), {**base, **oauth}, **HTMX).status_code == 204
    collection.refresh_from_db()
    assert collection.auth["type"] == "oauth2" and collection.auth["grant_type"] == "password"
    assert (collection.auth["client_secret"], collection.auth["password"]) == ("oauth-secret-2", "pw-3")
    assert collection.auth["extra_params"] == [{"key": "prompt", "value": "none", "enabled": True}]
    editor_html = client.get(settings_url(acme_content, "collections"), **HTMX).content.decode()
    assert 'value="https://id.example.com/token"' in editor_html and "oauth-secret-2" in editor_html
    assert '<option value="password" selected>' in editor_html
    viewer_html = client_for(victor).get(settings_url(acme_content, "collections"), **HTMX).content.decode()
    assert 'value="https://id.example.com/token"' in viewer_html
    assert "oauth-secret-2" not in viewer_html and "pw-3" not in viewer_html


def test_oauth2_settings_saved_unchanged_stay_as_stored(acme_content: AcmeContent, alice: Any,
                                                       client_for: Callable[[Any], Client]) -> None:
    from django.template.loader import render_to_string

    from requests_app.engine.spec import auth_from_dict

    stored = {"type": "oauth2", "grant_type": "client_credentials", "token_url": "https://id.example.com/token",
              "client_id": "app", "header_prefix": "",
              "extra_params": [{"key": "debug", "value": "1", "enabled": False}, {"key": "prompt", "value": "none", "enabled": True}]}
    html = render_to_string("requests_app/editor/auth_oauth2_fields.html", {"auth": auth_from_dict(stored), "oauth2_grants": []})
    assert 'name="auth_header_prefix" value=""' in html  # a bare token, not "Bearer"
    assert ">\n# debug=1\nprompt=none\n</textarea>" in html.replace('spellcheck="false">', ">\n")
    base = {key: value for key, value in valid_post(acme_content).items() if not key.startswith("auth_")}
    posted = {**base, "auth_type": "oauth2", "auth_grant_type": "client_credentials", "auth_client_auth": "body",
              "auth_token_url": "https://id.example.com/token", "auth_client_id": "app", "auth_token_in": "header",
              "auth_header_prefix": "", "auth_extra_params": "# debug=1\nprompt=none\n"}
    assert client_for(alice).post(settings_url(acme_content, "collections"), posted, **HTMX).status_code == 204
    acme_content.collection.refresh_from_db()
    auth = acme_content.collection.auth
    assert auth["header_prefix"] == ""
    assert auth["extra_params"] == stored["extra_params"]


def test_a_mistake_in_the_dialog_keeps_what_was_typed(acme_content: AcmeContent, alice: Any,
                                                      client_for: Callable[[Any], Client]) -> None:
    base = {key: value for key, value in valid_post(acme_content).items() if not key.startswith("auth_")}
    posted = {**base, "name": "Typed name", "description": "Typed description", "auth_type": "oauth2",
              "auth_grant_type": "client_credentials", "auth_client_auth": "body", "auth_token_in": "header",
              "auth_token_url": "https://typed.example.com/token", "auth_extra_params": "no equals here"}
    html = client_for(alice).post(settings_url(acme_content, "collections"), posted, **HTMX).content.decode()
    assert "Line 1 of the extra parameters" in html
    assert 'value="Typed name"' in html and "Typed description" in html
    assert 'value="https://typed.example.com/token"' in html and "no equals here</textarea>" in html
    assert 'value="abc"' in html  # the variables typed
    assert "As saved, requests of the collection that inherit send no credentials." in html  # not the typed OAuth 2.0
    acme_content.collection.refresh_from_db()
    assert acme_content.collection.name != "Typed name"  # nothing was saved

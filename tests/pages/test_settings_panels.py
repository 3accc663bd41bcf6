"""Collection and folder settings dialogs: who may read and change them, and what bad input
and a stale version answer (never a 500, never an overwrite)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from tests.pages.conftest import AcmeContent


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


def test_an_auth_kind_the_dialog_cannot_edit_is_kept_as_it_is(acme_content: AcmeContent, alice: Any,
                                                               client_for: Callable[[Any], Client]) -> None:
    aws = {"type": "awsv4", "access_key": "AKIDEXAMPLE", "secret_key": "secret", "region": "us-east-1", "service": "s3"}
    collection = acme_content.collection
    collection.auth = aws
    collection.save(update_fields=["auth"])
    client = client_for(alice)
    html = client.get(settings_url(acme_content, "collections"), HTTP_HX_REQUEST="true").content.decode()
    assert "AWS Signature v4" in html and 'name="auth_keep"' in html
    posted = {key: value for key, value in valid_post(acme_content).items() if not key.startswith("auth_")}
    collection.refresh_from_db()
    posted.update(version=str(collection.version), auth_keep="1")
    assert client.post(settings_url(acme_content, "collections"), posted, HTTP_HX_REQUEST="true").status_code == 204
    collection.refresh_from_db()
    assert collection.auth["type"] == "awsv4" and collection.auth["access_key"] == "AKIDEXAMPLE"
    assert collection.description == "About it"

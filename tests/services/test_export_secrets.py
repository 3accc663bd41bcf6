"""Credentials in exports (issue 12, items 6 and 7): masked the same way in every format; the
real values only when an editor or owner asks for them, never for a viewer."""

from __future__ import annotations

import base64
import json

import pytest

from requests_app.engine import OutboundPolicy, send
from requests_app.engine.spec import Auth, KeyValue, RequestSpec
from requests_app.interop import import_content
from requests_app.services import errors
from requests_app.services.collections import collection_create
from requests_app.services.history import history_record
from requests_app.services.interop import (
    SECRETS_NOT_ALLOWED,
    collection_export,
    history_har,
    request_snippet,
)
from requests_app.services.saved_requests import request_create

PASSWORD = "hunter2-Quasar"
TOKEN = "tok-Walrus-4417"
KEY = "key-Heron-9001"
BASIC = base64.b64encode(f"alice:{PASSWORD}".encode()).decode()


@pytest.fixture
def shop(alice, acme):
    collection = collection_create(user=alice, workspace=acme, name="Shop")
    for name, auth, headers in (
        ("basic", Auth(type="basic", username="alice", password=PASSWORD), []),
        ("bearer", Auth(type="bearer", token=TOKEN), []),
        ("api key", Auth(type="apikey", key="X-Key", value=KEY), []),
        ("typed header", Auth(type="none"), [KeyValue("Authorization", f"Basic {BASIC}")]),
        ("variable", Auth(type="bearer", token="{{token}}"), []),
    ):
        request_create(user=alice, collection=collection, name=name,
                       spec=RequestSpec(url="http://127.0.0.1:9/x", headers=headers, auth=auth))
    return collection


def secrets_in(text: str | bytes) -> list[str]:
    text = text.decode("latin-1") if isinstance(text, bytes) else text
    return [s for s in (PASSWORD, TOKEN, KEY, BASIC) if s in text]


@pytest.mark.parametrize("fmt", ["postman", "http"])
def test_exports_mask_every_credential_with_the_same_placeholders(shop, alice, victor, fmt):
    for user in (alice, victor):
        _, _, text = collection_export(user=user, collection_id=shop.pk, format=fmt)
        assert secrets_in(text) == []
        for placeholder in ("{{password}}", "{{accessToken}}", "{{apiKey}}", "{{credentials}}", "{{token}}"):
            assert placeholder in text, (fmt, placeholder)


def test_editors_and_owners_may_include_secrets_viewers_never(shop, alice, bob, victor):
    for user in (alice, bob):
        _, _, text = collection_export(user=user, collection_id=shop.pk, format="postman", include_secrets=True)
        assert secrets_in(text) == [PASSWORD, TOKEN, KEY, BASIC]
    with pytest.raises(errors.Forbidden) as caught:
        collection_export(user=victor, collection_id=shop.pk, format="postman", include_secrets=True)
    assert caught.value.message == SECRETS_NOT_ALLOWED
    basic = shop.requests.get(name="basic")
    with pytest.raises(errors.Forbidden):
        request_snippet(user=victor, request_id=basic.pk, lang="curl", reveal_secrets=True)
    assert PASSWORD in request_snippet(user=bob, request_id=basic.pk, lang="curl", reveal_secrets=True)
    assert '"$WEBCLIENT_PASSWORD"' in request_snippet(user=victor, request_id=basic.pk, lang="curl")


def test_a_masked_export_imports_back_with_the_placeholders_as_variables(shop, alice):
    _, _, text = collection_export(user=alice, collection_id=shop.pk, format="postman")
    requests = {r.name: r.spec for r in import_content(text).collections[0].requests()}
    assert requests["basic"].auth == Auth(type="basic", username="alice", password="{{password}}")
    assert requests["typed header"].headers == [KeyValue("Authorization", "Basic {{credentials}}")]


def test_history_har_masks_typed_credentials_unless_an_editor_includes_them(alice, victor, acme, echo_server):
    spec = RequestSpec(url=echo_server.url("/anything/h"), auth=Auth(type="basic", username="alice", password=PASSWORD))
    exchange = send(spec, policy=OutboundPolicy.allow_all())
    entry = history_record(user=alice, workspace=acme, asked={"method": "GET", "url": spec.url,
                                                             "auth": {"type": "basic", "username": "alice", "password": PASSWORD}},
                           exchange=exchange, secrets={})
    _, _, text = history_har(user=alice, history_ids=[entry.pk])
    assert secrets_in(text) == []
    headers = {h["name"]: h["value"] for h in json.loads(text)["log"]["entries"][0]["request"]["headers"]}
    assert headers["Authorization"] == "Basic {{credentials}}"
    _, _, clear = history_har(user=alice, history_ids=[entry.pk], include_secrets=True)
    assert BASIC in clear

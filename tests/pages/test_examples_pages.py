"""The Examples tab, "Save as example" on a response, the sidebar count and the mock dialog, through the page."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from requests_app.models import Example, MockServer
from tests.pages.test_editor import HTMX, alice_client, form, send  # noqa: F401  (fixture)


def _saved_and_sent(client: Client, content: Any, echo_server: Any, user: Any) -> tuple[Any, Any]:
    from requests_app.services.saved_requests import request_create

    saved = request_create(user=user, collection=content.collection, name="Anything",
                           url=echo_server.url("/anything?x=1"))
    html = send(client, content, form(echo_server.url("/anything?x=1"), saved_request=str(saved.pk))).content.decode()
    return saved, html


def test_save_a_response_as_an_example_then_edit_it(alice_client, alice, acme_content, echo_server):
    saved, html = _saved_and_sent(alice_client, acme_content, echo_server, alice)
    assert "Save as example" in html
    entry = saved.history.latest("id")
    response = alice_client.post(reverse("example_from_history", args=[acme_content.workspace.pk, entry.pk]),
                                 {"name": "Echo OK"}, **HTMX)
    assert response.status_code == 200
    assert "Saved as example" in response.content.decode()
    assert "examples-changed" in response["HX-Trigger"]
    example = Example.objects.get(saved_request=saved)
    assert example.status == 200 and '"x"' in example.body

    panel = alice_client.get(reverse("request_examples", args=[acme_content.workspace.pk, saved.pk]), **HTMX)
    assert "Echo OK" in panel.content.decode()
    edited = alice_client.post(reverse("example_edit", args=[acme_content.workspace.pk, example.pk]),
                               {"ex_name": "Renamed", "ex_status": "201", "ex_delay_ms": "5", "ex_method": "put",
                                "ex_url": "{{base}}/things/:id", "ex_headers": "Content-Type: text/plain\nX-A: 1",
                                "ex_body": "hi"}, **HTMX)
    assert edited.status_code == 200
    # the answer is the fresh panel with its notice: no second reload of the panel to replace it
    assert "Example saved." in edited.content.decode()
    assert "tree-changed" in edited["HX-Trigger"] and "examples-changed" not in edited["HX-Trigger"]
    example.refresh_from_db()
    assert (example.name, example.status, example.delay_ms, example.body) == ("Renamed", 201, 5, "hi")
    assert (example.request["method"], example.request["url"]) == ("PUT", "{{base}}/things/:id")
    assert example.headers == [{"key": "Content-Type", "value": "text/plain", "enabled": True},
                               {"key": "X-A", "value": "1", "enabled": True}]

    bad = alice_client.post(reverse("example_edit", args=[acme_content.workspace.pk, example.pk]),
                            {"ex_name": "Renamed", "ex_status": "20x", "ex_headers": "no colon", "ex_body": "",
                             "ex_url": "/x"}, **HTMX)
    assert bad.status_code == 400
    assert "Line 1 of the headers has no colon" in bad.content.decode()

    tree = alice_client.get(reverse("sidebar_tree", args=[acme_content.workspace.pk]), **HTMX).content.decode()
    assert "1 saved example" in tree


def test_mock_dialog_turns_the_mock_on_and_makes_a_token(alice_client, acme_content):
    url = reverse("collection_mock", args=[acme_content.workspace.pk, acme_content.collection.pk])
    assert "Mock server for" in alice_client.get(url, **HTMX).content.decode()
    html = alice_client.post(url, {"enabled": "on", "slug": "acme-api", "action": "save"}, **HTMX).content.decode()
    assert "/mock/acme-api/" in html
    assert MockServer.objects.get(collection=acme_content.collection).enabled
    html = alice_client.post(url, {"action": "token"}, **HTMX).content.decode()
    assert "wcm_" in html and "shown once" in html
    bad = alice_client.post(url, {"enabled": "on", "slug": "Not OK", "action": "save"}, **HTMX)
    assert bad.status_code == 400 and "lower-case letters" in bad.content.decode()

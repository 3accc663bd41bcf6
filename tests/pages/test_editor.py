"""The editor's actions through the page: send to a real server on 127.0.0.1, read the
response viewer, save, save as, reopen from the tree and from history."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from requests_app.forms import METHOD_INVALID, URL_MISSING
from requests_app.models import HistoryEntry, SavedRequest
from tests.pages.conftest import AcmeContent

HTMX = {"HTTP_HX_REQUEST": "true"}


def form(url: str, **extra: Any) -> dict[str, Any]:
    data = {
        "method": "GET",
        "url": url,
        "body_mode": "none",
        "auth_type": "none",
        "opt_follow_redirects": "on",
        "opt_verify_tls": "on",
        "opt_use_cookies": "on",
        "environment": "",
    }
    data.update(extra)
    return data


@pytest.fixture
def alice_client(alice: Any, client_for: Callable[[Any], Client]) -> Client:
    return client_for(alice)


def send(client: Client, content: AcmeContent, data: dict[str, Any]) -> Any:
    return client.post(reverse("request_send", args=[content.workspace.pk]), data, **HTMX)


def test_send_shows_the_status_line_the_json_body_and_records_history(
    alice_client: Client, acme_content: AcmeContent, echo_server: Any
) -> None:
    data = form(
        echo_server.url("/anything?color=blue"),
        **{"headers-0-key": "X-Check", "headers-0-value": "page", "headers-0-enabled": "on",
           "headers-1-key": "X-Off", "headers-1-value": "not sent",
           "params-0-key": "skip", "params-0-value": "me"},
    )  # fmt: skip
    response = send(alice_client, acme_content, data)
    html = response.content.decode()
    assert 'class="status-line s2xx"' in html
    assert "HTTP/1.1 200 OK" in html
    # the echo lists the header it received as a ["name", "value"] pair, shown highlighted
    assert ('<span class="j-str">&quot;X-Check&quot;</span>, <span class="j-str">&quot;page&quot;</span>') in html
    assert "X-Off" not in html and "skip" not in html
    assert "history-changed" in response["HX-Trigger"]
    entry = HistoryEntry.objects.get()
    assert entry.status == 200 and entry.url.endswith("/anything?color=blue")


def test_status_line_of_a_4xx_is_orange_with_its_name_and_description(
    alice_client: Client, acme_content: AcmeContent, echo_server: Any
) -> None:
    html = send(alice_client, acme_content, form(echo_server.url("/status/404"))).content.decode()
    assert 'class="status-line s4xx"' in html
    assert 'title="Not Found — Nothing matches the given URI"' in html
    assert ">NOT_FOUND<" not in html  # the reason phrase is said once, in the status line


def test_a_refused_connection_is_shown_in_place_with_a_hint(
    alice_client: Client, acme_content: AcmeContent, closed_port: int
) -> None:
    html = send(alice_client, acme_content, form(f"http://127.0.0.1:{closed_port}/")).content.decode()
    assert 'class="exchange-error"' in html
    assert "Nothing answered at that address" in html  # the kind said as a sentence
    assert '<code class="error-code"' in html and ">refused</code>" in html  # the code small beside it
    assert "Is the server running? Is the port right?" in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"url": ""}, URL_MISSING),
        ({"method": "__custom__", "method_custom": "BAD METHOD"}, METHOD_INVALID),
        ({"headers-0-key": "X-Evil", "headers-0-value": "a\r\nInjected: 1", "headers-0-enabled": "on"}, "headers[0].value"),
    ],
    ids=["missing-url", "bad-method", "crlf-header"],
)
def test_invalid_input_is_a_named_error_not_a_500_and_is_not_recorded(
    alice_client: Client, acme_content: AcmeContent, echo_server: Any, data: dict[str, Any], message: str
) -> None:
    response = send(alice_client, acme_content, {**form(echo_server.url("/anything")), **data})
    assert response.status_code == 200
    html = response.content.decode()
    assert "The request could not be sent as written" in html or "is not valid" in html
    assert ">invalid_request" in html
    assert escape(message) in html
    assert not HistoryEntry.objects.exists()


def test_html_bodies_are_previewed_only_in_a_sandboxed_srcdoc_without_scripts(
    alice_client: Client, acme_content: AcmeContent, echo_server: Any
) -> None:
    html = send(alice_client, acme_content, form(echo_server.url("/html"))).content.decode()
    iframe = html.split("<iframe", 1)[1].split(">", 1)[0]
    assert " sandbox " in iframe
    assert "allow-scripts" not in iframe and "allow-same-origin" not in iframe
    assert 'srcdoc="&lt;' in iframe
    # nowhere in our page is the server's markup live
    assert "<body" not in html.split("<iframe", 1)[0].lower()


def test_response_headers_keep_duplicates_and_raw_shows_the_wire(
    alice_client: Client, acme_content: AcmeContent, echo_server: Any
) -> None:
    url = echo_server.url("/response-headers?X-Dup=one&X-Dup=two")
    html = send(alice_client, acme_content, form(url)).content.decode()
    assert html.count('<td class="h-name">X-Dup</td>') == 2
    assert "GET /response-headers?X-Dup=one&amp;X-Dup=two HTTP/1.1" in html


def test_redirect_chain_is_listed_in_raw(alice_client: Client, acme_content: AcmeContent, echo_server: Any) -> None:
    html = send(alice_client, acme_content, form(echo_server.url("/redirect/2"))).content.decode()
    assert html.count("<li><span class=\"s3xx\">302</span>") == 2


def test_save_updates_the_request_and_a_stale_version_is_refused(
    alice_client: Client, acme_content: AcmeContent
) -> None:
    saved = acme_content.request
    url = reverse("request_save", args=[acme_content.workspace.pk])
    data = form("{{base}}/users?page=2", saved_request=saved.pk, version=saved.version)
    response = alice_client.post(url, data, **HTMX)
    assert "Saved." in response.content.decode()
    assert "tree-changed" in response["HX-Trigger"]
    saved.refresh_from_db()
    assert saved.url == "{{base}}/users?page=2" and saved.params == []
    stale = alice_client.post(url, form("{{base}}/other", saved_request=saved.pk, version=1), **HTMX)
    assert "Changed by alice" in stale.content.decode()  # the conflict view (tests/teams cover it in full)
    saved.refresh_from_db()
    assert saved.url == "{{base}}/users?page=2"


def test_save_as_creates_the_request_in_the_chosen_folder_and_opens_it(
    alice_client: Client, acme_content: AcmeContent
) -> None:
    url = reverse("request_save_as", args=[acme_content.workspace.pk])
    dialog = alice_client.get(url, {"name": "Draft", "saved_request": acme_content.request.pk}, **HTMX).content.decode()
    assert f'<option value="f:{acme_content.folder.pk}" selected>Users API / Admin</option>' in dialog
    data = form("http://127.0.0.1:9/new", save_as_name="New one", location=f"f:{acme_content.folder.pk}",
                **{"body_mode": "raw", "raw_type": "json", "body_text": '{"a": 1}'})  # fmt: skip
    response = alice_client.post(url, data, **HTMX)
    created = SavedRequest.objects.get(name="New one")
    assert created.folder == acme_content.folder
    assert created.body == {"mode": "json", "text": '{"a": 1}'}
    assert json.loads(response["HX-Location"])["path"] == reverse("request_open", args=[acme_content.workspace.pk, created.pk])


def test_save_as_into_a_folder_of_another_workspace_is_not_found(
    alice_client: Client, acme_content: AcmeContent, carol: Any
) -> None:
    from requests_app.services.collections import collection_create
    from requests_app.services.folders import folder_create

    workspace = carol.personal_workspace
    workspace.user_role = "owner"
    foreign = folder_create(user=carol, collection=collection_create(user=carol, workspace=workspace, name="C"), name="F")
    url = reverse("request_save_as", args=[acme_content.workspace.pk])
    response = alice_client.post(url, form("http://127.0.0.1:9/", save_as_name="x", location=f"f:{foreign.pk}"), **HTMX)
    assert response.status_code == 404


def test_opening_a_saved_request_fills_the_editor_and_shows_its_last_response(
    alice: Any, alice_client: Client, acme_content: AcmeContent, echo_server: Any
) -> None:
    saved = acme_content.request
    url = reverse("request_open", args=[acme_content.workspace.pk, saved.pk])
    html = alice_client.get(url, **HTMX).content.decode()
    assert 'value="{{base}}/users?page=1"' in html
    assert 'name="params-0-key" value="page"' in html
    assert "Users API / Admin /" in html
    assert 'hx-swap-oob="innerHTML"' in html and "No response yet" in html
    send(alice_client, acme_content, form(echo_server.url("/status/201"), saved_request=saved.pk))
    html = alice_client.get(url, **HTMX).content.decode()
    assert "HTTP/1.1 201 Created" in html
    assert "<!doctype html>" in alice_client.get(url).content.decode()  # without htmx: the whole page


def test_history_reopens_the_exact_request_and_its_response_and_downloads_the_body(
    alice_client: Client, acme_content: AcmeContent, echo_server: Any
) -> None:
    send(alice_client, acme_content, form(echo_server.url("/anything?x=1"), method="PUT",
                                          **{"body_mode": "raw", "raw_type": "text", "body_text": "hello"}))  # fmt: skip
    entry = HistoryEntry.objects.get()
    listing = alice_client.get(reverse("history_list", args=[acme_content.workspace.pk]), **HTMX).content.decode()
    assert "PUT" in listing and "/anything?x=1" in listing
    html = alice_client.get(reverse("history_open", args=[acme_content.workspace.pk, entry.pk]), **HTMX).content.decode()
    assert '<option value="PUT" selected>' in html
    assert ">hello</textarea>" in html
    assert "HTTP/1.1 200 OK" in html
    download = alice_client.get(reverse("history_body", args=[acme_content.workspace.pk, entry.pk]))
    assert download["Content-Type"] == "application/octet-stream"
    assert download["Content-Disposition"] == f'attachment; filename="response-{entry.pk}.json"'
    assert download["Content-Security-Policy"].startswith("sandbox")
    assert json.loads(download.content)["method"] == "PUT"


def test_history_delete_and_clear(
    alice: Any, alice_client: Client, acme_content: AcmeContent, record_history: Callable[..., Any]
) -> None:
    first, second = record_history(alice, acme_content.workspace), record_history(alice, acme_content.workspace)
    alice_client.post(reverse("history_delete", args=[acme_content.workspace.pk, first.pk]), **HTMX)
    assert list(HistoryEntry.objects.values_list("pk", flat=True)) == [second.pk]
    html = alice_client.post(reverse("history_clear", args=[acme_content.workspace.pk]), **HTMX).content.decode()
    assert not HistoryEntry.objects.exists()
    assert "No history yet" in html


def test_a_viewer_sees_no_save_buttons(victor: Any, acme_content: AcmeContent, client_for: Callable[[Any], Client]) -> None:
    url = reverse("request_open", args=[acme_content.workspace.pk, acme_content.request.pk])
    html = client_for(victor).get(url).content.decode()
    assert 'id="save-as-button"' not in html and 'id="save-button"' not in html
    assert "+ Collection" not in html
    assert 'id="send-button"' in html


def test_images_are_shown_from_a_data_url(alice_client: Client, acme_content: AcmeContent, echo_server: Any) -> None:
    html = send(alice_client, acme_content, form(echo_server.url("/image/png"))).content.decode()
    assert '<img src="data:image/png;base64,iVBOR' in html


def test_a_plain_form_post_without_javascript_gets_the_whole_page_back(
    alice_client: Client, acme_content: AcmeContent, echo_server: Any
) -> None:
    data = form(echo_server.url("/status/418"), saved_request=acme_content.request.pk)
    html = alice_client.post(reverse("request_send", args=[acme_content.workspace.pk]), data).content.decode()
    assert "<!doctype html>" in html
    assert "HTTP/1.1 418" in html
    assert f'value="{echo_server.url("/status/418")}"' in html


def test_the_response_names_unresolved_variables_in_a_warning_line(
    alice_client: Client, acme_content: AcmeContent, echo_server: Any
) -> None:
    html = send(alice_client, acme_content, form(echo_server.url("/anything/{{bookId}}"))).content.decode()
    assert 'id="unresolved-variables"' in html
    assert "Unresolved variable, sent as written: <code>{{bookId}}</code>" in html
    clean = send(alice_client, acme_content, form(echo_server.url("/anything"))).content.decode()
    assert 'id="unresolved-variables"' not in clean

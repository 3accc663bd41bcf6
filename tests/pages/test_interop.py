"""Import dialog, collection downloads, Code panel and HAR downloads through the page."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from requests_app.models import Collection, Environment, Folder, SavedRequest
from requests_app.views.interop import IMPORT_EMPTY
from tests.pages.conftest import SECRET, AcmeContent

HTMX = {"HTTP_HX_REQUEST": "true"}
FIXTURES = Path(__file__).resolve().parents[1] / "interop" / "fixtures"
SHOP = (FIXTURES / "postman" / "shop-api.postman_collection.json").read_bytes()
CURL = "curl -X POST http://127.0.0.1:9/things -H 'X-From: page' --data-raw '{\"a\": 1}' -H 'Content-Type: application/json'"


def rows() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in (Collection, Folder, SavedRequest, Environment)}


def editor_form(url: str, **extra: Any) -> dict[str, Any]:
    data = {"method": "GET", "url": url, "body_mode": "none", "auth_type": "none", "opt_follow_redirects": "on",
            "opt_verify_tls": "on", "opt_use_cookies": "on", "opt_max_redirects": "10", "opt_timeout_ms": "30000",
            "environment": ""}
    data.update(extra)
    return data


@pytest.fixture
def as_role(client_for: Callable[[Any], Client], users_by_role: dict[str, Any]) -> Callable[[str], Client]:
    return lambda role: client_for(users_by_role[role] if role != "anonymous" else None)


def import_url(content: AcmeContent) -> str:
    return reverse("import_dialog", args=[content.workspace.pk])


# ---------------------------------------------------------------- access


@pytest.mark.parametrize("role, status", [("owner", 200), ("editor", 200), ("viewer", 403), ("outsider", 404)])
def test_import_dialog_is_for_editors(as_role, acme_content, role, status):
    before = rows()
    client = as_role(role)
    assert client.get(import_url(acme_content), **HTMX).status_code == status
    assert client.post(import_url(acme_content), {"content": CURL}, **HTMX).status_code == status
    if status != 200:
        assert rows() == before


def test_anonymous_is_sent_to_sign_in(as_role, acme_content):
    for response in (as_role("anonymous").get(import_url(acme_content)),
                     as_role("anonymous").post(import_url(acme_content), {"content": CURL})):
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_page_offers_import_to_editors_and_export_and_code_to_everyone(as_role, acme_content):
    url = reverse("workspace", args=[acme_content.workspace.pk])
    editor_page = as_role("editor").get(url).content.decode()
    viewer_page = as_role("viewer").get(url).content.decode()
    assert import_url(acme_content) in editor_page and import_url(acme_content) not in viewer_page
    export = reverse("collection_export", args=[acme_content.workspace.pk, acme_content.collection.pk])
    for html in (editor_page, viewer_page):
        assert f'href="{export}?format=postman"' in html and f'href="{export}?format=http"' in html
        assert 'id="tab-code"' in html and 'id="copy-curl-button"' in html
        assert '<form id="code-options" hidden></form>' in html


# ---------------------------------------------------------------- import


def test_pasting_a_curl_command_creates_it_shows_the_report_and_refreshes_the_tree(as_role, acme_content):
    response = as_role("editor").post(import_url(acme_content), {"content": CURL, "format": "auto", "collection": ""}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Import finished" in html and "created 1 collection, 1 request" in html and "In “Imported”." in html
    assert json.loads(response["HX-Trigger"]) == {"tree-changed": {}}
    saved = SavedRequest.objects.get(collection__name="Imported")
    assert (saved.method, saved.url) == ("POST", "http://127.0.0.1:9/things")
    assert saved.body == {"mode": "json", "text": '{"a": 1}'}


def test_uploading_a_postman_file_lists_what_was_dropped_with_its_path(as_role, acme_content):
    upload = SimpleUploadedFile("shop.postman_collection.json", SHOP, content_type="application/json")
    response = as_role("owner").post(import_url(acme_content), {"file": upload, "content": "", "format": "auto"}, **HTMX)
    html = response.content.decode()
    assert "Postman collection (v2.0 / v2.1)" in html
    assert "<code>item[1].item[5].request.auth</code>" in html
    assert "level-dropped" in html and "level-downgraded" in html
    assert Collection.objects.filter(name="Shop API", workspace=acme_content.workspace).exists()


def test_importing_into_a_chosen_collection(as_role, acme_content):
    as_role("owner").post(import_url(acme_content), {"content": CURL, "collection": str(acme_content.collection.pk)}, **HTMX)
    assert SavedRequest.objects.filter(collection=acme_content.collection, url="http://127.0.0.1:9/things").exists()
    assert not Collection.objects.filter(name="Imported").exists()


def test_the_into_picker_shows_a_page_of_collections_and_finds_the_rest(as_role, acme_content, settings):
    from requests_app.services.pickers import PICKER_SIZE

    Collection.objects.bulk_create([Collection(workspace=acme_content.workspace, name=f"Bulk {n:03}", position=n + 10)
                                    for n in range(PICKER_SIZE + 20)])
    client = as_role("owner")
    html = client.get(import_url(acme_content), **HTMX).content.decode()
    assert html.count('value="c:') == PICKER_SIZE  # bounded, whatever the workspace holds
    assert "New collections (cURL: “Imported”)" in html and 'value="f:' not in html
    found = client.get(reverse("location_options", args=[acme_content.workspace.pk]),
                       {"only": "collections", "q": "Bulk 065", "collection": ""}, **HTMX).content.decode()
    assert "Bulk 065" in found and found.count('value="c:') == 1 and "New collections" in found
    # the picker's "c:<id>" and a bare id both import into that collection
    as_role("owner").post(import_url(acme_content), {"content": CURL, "collection": f"c:{acme_content.collection.pk}"},
                          **HTMX)
    assert SavedRequest.objects.filter(collection=acme_content.collection, url="http://127.0.0.1:9/things").exists()


def test_a_postman_environment_refreshes_the_environment_list_too(as_role, acme_content):
    environment = json.dumps({"name": "Prod", "values": [{"key": "k", "value": "v", "type": "secret"}]})
    response = as_role("owner").post(import_url(acme_content), {"content": environment}, **HTMX)
    assert set(json.loads(response["HX-Trigger"])) == {"tree-changed", "environments-changed"}
    assert "1 environment" in response.content.decode()


def test_the_chosen_format_overrides_detection(as_role, acme_content):
    before = rows()
    response = as_role("owner").post(import_url(acme_content), {"content": CURL, "format": "postman"}, **HTMX)
    html = response.content.decode()
    assert 'class="alert alert-error import-error"' in html and "Postman collection: line 1, column 1" in html
    assert '<option value="postman" selected>' in html  # the choice is kept
    assert rows() == before


@pytest.mark.parametrize("content, message", [
    ('{"info": {"name": "x"}, "item": [{"name": "neither"}]}', "item[0]: is neither a request"),
    ('{"info": {"name": "x"}, "item": [', "line 1, column"),
    ("   ", IMPORT_EMPTY),
])
def test_malformed_input_answers_the_dialog_with_a_named_error_and_writes_nothing(as_role, acme_content, content, message):
    before = rows()
    response = as_role("owner").post(import_url(acme_content), {"content": content}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="alert"' in html and message in html
    assert "HX-Trigger" not in response
    assert rows() == before


def test_a_50_mb_paste_is_refused_with_the_limit_and_not_echoed_back(as_role, acme_content):
    before = rows()
    response = as_role("owner").post(import_url(acme_content), {"content": "curl http://127.0.0.1:9/ -d " + "x" * (50 * 1024 * 1024)}, **HTMX)
    html = response.content.decode()
    assert "is 50.0 MiB; imports are limited to 10 MiB" in html
    assert len(html) < 20_000
    assert rows() == before


def test_an_oversized_upload_is_read_no_further_than_the_limit(as_role, acme_content):
    upload = SimpleUploadedFile("big.har", b"{" + b" " * (11 * 1024 * 1024) + b"}", content_type="application/json")
    response = as_role("owner").post(import_url(acme_content), {"file": upload}, **HTMX)
    assert "imports are limited to 10 MiB" in response.content.decode()


def test_detection_names_the_format_or_the_problem(as_role, acme_content):
    url = reverse("import_detect", args=[acme_content.workspace.pk])
    client = as_role("editor")
    assert "Detected: <strong>cURL command</strong>" in client.post(url, {"content": CURL}, **HTMX).content.decode()
    upload = SimpleUploadedFile("x.json", SHOP)
    assert "Postman collection" in client.post(url, {"file": upload}, **HTMX).content.decode()
    assert "not valid JSON" in client.post(url, {"content": "{oops"}, **HTMX).content.decode()
    assert client.post(url, {"content": ""}, **HTMX).content.decode().strip() == ""
    assert as_role("viewer").post(url, {"content": CURL}, **HTMX).status_code == 403


# ---------------------------------------------------------------- export and HAR


def test_collection_downloads_for_members_only(as_role, acme_content):
    url = reverse("collection_export", args=[acme_content.workspace.pk, acme_content.collection.pk])
    response = as_role("viewer").get(url + "?format=postman")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="users-api.postman_collection.json"'
    assert json.loads(response.content)["info"]["name"] == "Users API"
    http = as_role("viewer").get(url + "?format=http")
    assert "GET {{base}}/users?page=1" in http.content.decode()
    assert as_role("outsider").get(url).status_code == 404
    # the URL names a workspace: another of alice's workspaces does not serve Acme's collection
    personal = acme_content.workspace.members.get(username="alice").workspaces.get(is_personal=True)
    assert as_role("owner").get(reverse("collection_export", args=[personal.pk, acme_content.collection.pk])).status_code == 404


def test_history_entries_download_as_har(as_role, acme_content, alice, record_history):
    entry = record_history(alice, acme_content.workspace, body=b"hello")
    response = as_role("owner").get(reverse("history_har", args=[acme_content.workspace.pk, entry.pk]))
    assert response.status_code == 200
    har = json.loads(response.content)
    assert har["log"]["entries"][0]["response"]["content"]["text"] == "hello"
    everything = as_role("owner").get(reverse("history_har_all", args=[acme_content.workspace.pk]))
    assert len(json.loads(everything.content)["log"]["entries"]) == 1
    assert as_role("editor").get(reverse("history_har", args=[acme_content.workspace.pk, entry.pk])).status_code == 404
    html = as_role("owner").get(reverse("workspace", args=[acme_content.workspace.pk])).content.decode()
    assert reverse("history_har", args=[acme_content.workspace.pk, entry.pk]) in html


# ---------------------------------------------------------------- Code panel


def snippet(client: Client, content: AcmeContent, data: dict[str, Any]) -> Any:
    return client.post(reverse("editor_snippet", args=[content.workspace.pk]), data, **HTMX)


def test_the_code_panel_shows_the_unsaved_editor_state(as_role, acme_content):
    data = editor_form("{{base}}/users?page=2", method="PATCH", saved_request=str(acme_content.request.pk),
                       snippet_lang="python-urllib",
                       **{"headers-0-key": "X-Unsaved", "headers-0-value": "yes", "headers-0-enabled": "on"})
    html = snippet(as_role("viewer"), acme_content, data).content.decode()
    assert "import urllib.request" in html
    assert "{{base}}/users?page=2" in html and "X-Unsaved" in html and "PATCH" in html


def test_resolving_uses_the_collection_and_the_chosen_environment_but_hides_secrets(as_role, acme_content):
    data = editor_form("{{base}}/x", saved_request=str(acme_content.request.pk), snippet_lang="curl", snippet_resolve="on",
                       environment=str(acme_content.environment.pk), auth_type="bearer", auth_token="{{token}}")
    html = snippet(as_role("owner"), acme_content, data).content.decode()
    assert "http://127.0.0.1:8/x" in html  # the environment's base wins over the collection's
    assert "Bearer {{token}}" in html and SECRET not in html


def test_copy_as_curl_answers_bare_text_and_names_problems(as_role, acme_content):
    ok = snippet(as_role("owner"), acme_content, editor_form("http://127.0.0.1:9/a b", snippet_lang="curl", output="text"))
    assert ok["Content-Type"] == "text/plain; charset=utf-8" and "X-Snippet-Error" not in ok
    assert ok.content.decode().startswith("curl ")
    bad = snippet(as_role("owner"), acme_content, editor_form("http://127.0.0.1:9/", method="__custom__",
                                                             method_custom="GET X", output="text"))
    assert bad["X-Snippet-Error"] == "1" and "method" in bad.content.decode().lower()
    unknown = snippet(as_role("owner"), acme_content, editor_form("http://127.0.0.1:9/", snippet_lang="cobol"))
    assert 'role="alert"' in unknown.content.decode()


def test_code_panel_objects_must_belong_to_the_workspace(as_role, acme_content, carol):
    from requests_app.services.environments import environment_create

    carols = environment_create(user=carol, workspace=carol.workspaces.get(), name="Carol's")
    response = snippet(as_role("owner"), acme_content, editor_form("http://x/", environment=str(carols.pk)))
    assert response.status_code == 404
    assert snippet(as_role("outsider"), acme_content, editor_form("http://x/")).status_code == 404


def test_copy_as_curl_gives_a_shell_variable_for_a_password_and_editors_may_include_it(as_role, acme_content):
    """Issue 12 item 7: the page says which variable to set; an editor may copy the real value, a viewer never."""
    typed = editor_form("http://127.0.0.1:9/a", snippet_lang="curl", output="text", auth_type="basic",
                        auth_username="alice", auth_password="Hunter-2-Quasar")
    masked = snippet(as_role("viewer"), acme_content, typed).content.decode()
    assert "-u alice:\"$WEBCLIENT_PASSWORD\"" in masked and "Hunter-2-Quasar" not in masked
    assert "Hunter-2-Quasar" in snippet(as_role("editor"), acme_content, {**typed, "snippet_secrets": "on"}).content.decode()
    refused = snippet(as_role("viewer"), acme_content, {**typed, "snippet_secrets": "on"})
    assert refused["X-Snippet-Error"] == "1" and "Hunter-2-Quasar" not in refused.content.decode()
    page = as_role("viewer").get(reverse("workspace", args=[acme_content.workspace.pk])).content.decode()
    assert "secrets as $WEBCLIENT_… variables" in page and 'id="snippet-secrets"' not in page
    editor_page = as_role("editor").get(reverse("workspace", args=[acme_content.workspace.pk])).content.decode()
    assert 'id="snippet-secrets"' in editor_page and "secrets=1" in editor_page


def test_exports_of_the_page_mask_credentials_unless_an_editor_asks(as_role, acme_content):
    url = reverse("collection_export", args=[acme_content.workspace.pk, acme_content.collection.pk]) + "?format=postman"
    assert as_role("viewer").get(url + "&secrets=1").status_code == 403
    assert as_role("editor").get(url + "&secrets=1").status_code == 200

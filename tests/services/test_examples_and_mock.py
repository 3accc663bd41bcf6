"""Saved examples and the mock server: the service rules, then real clients (curl and our own
engine) calling /mock/… on a live server and getting the stored example byte for byte."""

from __future__ import annotations

import json
import shutil
import subprocess
from typing import Any

import pytest

from requests_app.engine.spec import KeyValue, RequestSpec
from requests_app.models import Example
from requests_app.services import mock as mock_services
from requests_app.services.collections import collection_create
from requests_app.services.errors import Forbidden, ValidationFailed
from requests_app.services.examples import example_create, example_create_from_history, example_update
from requests_app.services.execution import request_execute
from requests_app.services.saved_requests import request_create
from tests.engine.sending import send_spec

UNICODE_BODY = '{"id": 7, "name": "Zoë 🦊", "tags": ["a", "b"]}\n'


@pytest.fixture
def shop(alice: Any, acme: Any) -> dict[str, Any]:
    collection = collection_create(user=alice, workspace=acme, name="Shop")
    user = request_create(user=alice, collection=collection, name="Get user", method="GET", url="{{base}}/users/:id")
    search = request_create(user=alice, collection=collection, name="Search", method="GET",
                            url="{{base}}/users/search?q=ann", headers=[{"key": "X-Env", "value": "test"}])
    create = request_create(user=alice, collection=collection, name="Create", method="POST", url="https://api.example.com/users")
    found = example_create(user=alice, saved_request=user, name="Found", status=200, body=UNICODE_BODY,
                           headers=[{"key": "Content-Type", "value": "application/json; charset=utf-8", "enabled": True},
                                    {"key": "X-Rate", "value": "10", "enabled": True}])
    missing = example_create(user=alice, saved_request=user, name="Missing", status=404, body='{"error": "no such user"}',
                             headers=[{"key": "Content-Type", "value": "application/json", "enabled": True}])
    ann = example_create(user=alice, saved_request=search, name="Ann", body="[ann]")
    created = example_create(user=alice, saved_request=create, name="Created", status=201, body="created",
                             headers=[{"key": "Location", "value": "/users/8", "enabled": True}])
    mock_services.mock_update(user=alice, collection=collection, enabled=True, slug="shop")
    return {"collection": collection, "user": user, "search": search, "found": found, "missing": missing,
            "ann": ann, "created": created}


def answer(shop: dict[str, Any], method: str, path: str, query=(), headers=()) -> Example | None:
    server = mock_services.mock_find("shop")
    return mock_services.mock_answer(server, method=method, path=path, query=list(query), headers=list(headers)).example


# ---------------------------------------------------------------- examples


def test_several_examples_per_request_in_order(shop):
    assert list(shop["user"].examples.values_list("name", flat=True)) == ["Found", "Missing"]
    assert shop["found"].request["url"] == "{{base}}/users/:id"


def test_example_fields_are_checked_by_name(alice, shop):
    with pytest.raises(ValidationFailed) as error:
        example_update(user=alice, example=shop["found"], status=700)
    assert "status" in error.value.fields
    with pytest.raises(ValidationFailed) as error:
        example_create(user=alice, saved_request=shop["user"], name="  ")
    assert error.value.code == "name_required"
    with pytest.raises(ValidationFailed) as error:
        example_update(user=alice, example=shop["found"], headers=[{"key": 1}])
    assert "headers[0].key" in error.value.fields


def test_viewer_cannot_add_or_change_examples(victor, shop):
    with pytest.raises(Forbidden):
        example_create(user=victor, saved_request=shop["user"], name="x")
    with pytest.raises(Forbidden):
        example_update(user=victor, example=shop["found"], body="changed")


def test_save_a_history_response_as_an_example_masks_secrets(alice, acme, echo_server):
    from requests_app.services.environments import environment_create

    collection = collection_create(user=alice, workspace=acme, name="Echo")
    saved = request_create(user=alice, collection=collection, name="Anything", url=echo_server.url("/anything?k={{key}}"))
    env = environment_create(user=alice, workspace=acme, name="E",
                             variables=[{"key": "key", "value": "very-secret-99", "secret": True, "enabled": True}])
    entry = request_execute(user=alice, workspace=acme, saved_request=saved, environment=env)
    example = example_create_from_history(user=alice, saved_request=saved, entry=entry, name="Echoed")
    assert example.status == 200
    assert "very-secret-99" not in example.body and "{{key}}" in example.body
    assert {h["key"].lower() for h in example.headers} >= {"content-type"}
    assert "content-length" not in {h["key"].lower() for h in example.headers}


# ---------------------------------------------------------------- matching


def test_path_parameters_and_variables_match_any_segment(shop):
    assert answer(shop, "GET", "/users/42") == shop["found"]
    assert answer(shop, "POST", "/users") == shop["created"]
    assert answer(shop, "DELETE", "/users/42") is None


def test_literal_segments_win_over_parameters(shop):
    assert answer(shop, "GET", "/users/search") == shop["ann"]


def test_selection_headers_pick_by_name_or_code(shop):
    assert answer(shop, "GET", "/users/1", headers=[("x-mock-response-name", "Missing")]) == shop["missing"]
    assert answer(shop, "GET", "/users/1", headers=[("X-Mock-Response-Code", "404")]) == shop["missing"]
    assert answer(shop, "GET", "/users/1", headers=[("x-mock-response-code", "500")]) is None


def test_query_and_headers_break_ties(alice, shop):
    other = example_create(user=alice, saved_request=shop["search"], name="Bob", body="[bob]",
                           request={"method": "GET", "url": "{{base}}/users/search?q=bob"})
    assert answer(shop, "GET", "/users/search", query=[("q", "bob")]) == other
    assert answer(shop, "GET", "/users/search", query=[("q", "ann")]) == shop["ann"]


def test_a_miss_lists_the_nearest_candidates(shop):
    server = mock_services.mock_find("shop")
    result = mock_services.mock_answer(server, method="GET", path="/user/42", query=[], headers=[])
    assert result.example is None
    assert result.candidates[0]["path"] == "/users/:id"
    assert result.candidates[0]["method"] == "GET"


def test_slug_rules(alice, shop, acme):
    other = collection_create(user=alice, workspace=acme, name="Other")
    with pytest.raises(ValidationFailed) as error:
        mock_services.mock_update(user=alice, collection=other, slug="shop")
    assert error.value.code == "slug_taken"
    with pytest.raises(ValidationFailed):
        mock_services.mock_update(user=alice, collection=other, slug="Bad Slug")
    with pytest.raises(ValidationFailed):
        mock_services.mock_update(user=alice, collection=other, slug="123")


# ---------------------------------------------------------------- real clients, live server


@pytest.fixture
def live_shop(transactional_db, alice, acme):
    return shop.__wrapped__(alice, acme)


def _curl(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["curl", "-sS", "--noproxy", "*", *args], capture_output=True, check=True, timeout=30)


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_curl_gets_the_stored_example_byte_for_byte(live_server, live_shop, tmp_path):
    body_file, head_file = tmp_path / "body", tmp_path / "head"
    _curl("-o", str(body_file), "-D", str(head_file), f"{live_server.url}/mock/shop/users/42")
    assert body_file.read_bytes() == live_shop["found"].body.encode("utf-8")
    head = head_file.read_bytes().decode("latin-1")
    assert head.startswith("HTTP/1.1 200")
    assert "Content-Type: application/json; charset=utf-8\r\n" in head
    assert "X-Rate: 10\r\n" in head
    assert "Content-Security-Policy: sandbox\r\n" in head

    _curl("-o", str(body_file), "-D", str(head_file), "-X", "POST", f"{live_server.url}/mock/{live_shop['collection'].id}/users")
    assert body_file.read_bytes() == b"created"
    assert "Location: /users/8\r\n" in head_file.read_bytes().decode("latin-1")


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_curl_miss_is_a_404_naming_the_nearest(live_server, live_shop):
    result = _curl("-w", "\n%{http_code}", f"{live_server.url}/mock/shop/user/42")
    text, code = result.stdout.decode().rsplit("\n", 1)
    assert code == "404"
    data = json.loads(text)
    assert data["error"] == "no_example_matches"
    assert data["candidates"][0]["path"] == "/users/:id"


def test_our_engine_gets_the_stored_example_byte_for_byte(live_server, live_shop):
    exchange = send_spec(RequestSpec(url=f"{live_server.url}/mock/shop/users/7",
                                     headers=[KeyValue("x-mock-response-name", "Missing")]))
    assert exchange.error is None
    assert exchange.response.status == 404
    assert exchange.response.body == live_shop["missing"].body.encode("utf-8")
    exchange = send_spec(RequestSpec(url=f"{live_server.url}/mock/shop/users/7"))
    assert exchange.response.body == UNICODE_BODY.encode("utf-8")
    assert ("X-Rate", "10") in exchange.response.headers


def test_delay_is_applied(live_server, live_shop, alice):
    example_update(user=alice, example=live_shop["created"], delay_ms=300)
    exchange = send_spec(RequestSpec(method="POST", url=f"{live_server.url}/mock/shop/users"))
    assert exchange.response.status == 201
    assert exchange.timings.total_ms >= 300


def test_team_mode_needs_a_member_or_the_token(live_server, live_shop, alice, settings):
    settings.TEAM_MODE = True
    url = f"{live_server.url}/mock/shop/users/7"
    assert send_spec(RequestSpec(url=url)).response.status == 403
    token = mock_services.mock_token_rotate(user=alice, collection=live_shop["collection"])
    assert send_spec(RequestSpec(url=url, headers=[KeyValue("X-Mock-Token", token)])).response.status == 200
    assert send_spec(RequestSpec(url=url, headers=[KeyValue("X-Mock-Token", token + "x")])).response.status == 403


def test_disabled_mock_is_not_found_and_rate_limit_answers_429(live_server, live_shop, alice, settings):
    settings.WEBCLIENT_MOCK_RATE_PER_MINUTE = 2
    url = f"{live_server.url}/mock/shop/users/7"
    statuses = [send_spec(RequestSpec(url=url)).response.status for _ in range(3)]
    assert statuses[-1] == 429
    mock_services.mock_update(user=alice, collection=live_shop["collection"], enabled=False)
    assert send_spec(RequestSpec(url=url)).response.status == 404


def test_set_cookie_of_an_example_is_not_served_on_our_origin(live_server, live_shop, alice):
    example_update(user=alice, example=live_shop["created"],
                   headers=[{"key": "Set-Cookie", "value": "sessionid=evil", "enabled": True}])
    exchange = send_spec(RequestSpec(method="POST", url=f"{live_server.url}/mock/shop/users"))
    assert "set-cookie" not in {name.lower() for name, _ in exchange.response.headers}


# ---------------------------------------------------------------- Postman round trip through storage


def test_postman_responses_import_as_examples_export_back_and_feed_the_mock(alice, acme):
    from requests_app.services.interop import collection_export, collection_import
    from tests.interop.test_postman_examples import COLLECTION

    outcome = collection_import(user=alice, workspace=acme, content=json.dumps(COLLECTION), format="postman")
    collection_id = outcome.created["collections"][0]
    examples = list(Example.objects.filter(saved_request__collection_id=collection_id).order_by("position"))
    assert [(e.name, e.status) for e in examples] == [("Found", 200), ("Missing", 404)]
    _, _, text = collection_export(user=alice, collection_id=collection_id, format="postman")
    exported = json.loads(text)
    assert [
        {k: r.get(k) for k in ("name", "code", "header", "body")} for r in exported["item"][0]["response"]
    ] == [
        {"name": "Found", "code": 200, "body": COLLECTION["item"][0]["response"][0]["body"],
         "header": [{"key": "Content-Type", "value": "application/json", "type": "text"},
                    {"key": "X-Rate", "value": "10", "type": "text"}]},
        {"name": "Missing", "code": 404, "body": "", "header": []},
    ]  # fmt: skip
    from requests_app.models import Collection

    mock_services.mock_update(user=alice, collection=Collection.objects.get(pk=collection_id), enabled=True)
    server = mock_services.mock_find(str(collection_id))
    found = mock_services.mock_answer(server, method="GET", path="/users/7", query=[], headers=[])
    assert found.example.name == "Found"


def test_duplicates_and_copies_keep_their_examples(alice, acme, shop):
    from requests_app.services.collections import collection_duplicate
    from requests_app.services.saved_requests import request_copy, request_duplicate

    copy = request_duplicate(user=alice, saved_request=shop["user"])
    assert list(copy.examples.values_list("name", "status")) == [("Found", 200), ("Missing", 404)]
    other = collection_create(user=alice, workspace=acme, name="Other")
    moved = request_copy(user=alice, saved_request=shop["user"], collection=other)
    assert moved.examples.count() == 2
    duplicated = collection_duplicate(user=alice, collection=shop["collection"])
    # the shop's 4 examples and the 2 of the request duplicated above
    assert Example.objects.filter(saved_request__collection=shop["collection"]).count() == 6
    assert Example.objects.filter(saved_request__collection=duplicated).count() == 6



def test_workspace_backup_round_trip_keeps_examples(alice, acme, shop):
    from requests_app.services.backup import workspace_export, workspace_import

    document = json.loads(json.dumps(workspace_export(workspace=acme, passphrase="a long backup passphrase")))
    restored = workspace_import(document=document, passphrase="a long backup passphrase").workspace

    def rows(workspace):
        return sorted(
            (e.saved_request.name, e.name, e.position, e.status, json.dumps(e.headers), e.body, e.delay_ms,
             json.dumps(e.request, sort_keys=True))
            for e in Example.objects.filter(saved_request__collection__workspace=workspace).select_related("saved_request")
        )

    assert rows(restored) == rows(acme) and len(rows(acme)) == 4

import json
import logging

import pytest
from django.core.files.storage import default_storage
from django.db import connection

from requests_app import access
from requests_app.models import CookieJarState, HistoryEntry
from requests_app.services import errors
from requests_app.services.collections import collection_create
from requests_app.services.cookies import cookie_clear, cookie_delete, cookie_list
from requests_app.services.environments import environment_create
from requests_app.services.execution import request_execute
from requests_app.services.history import history_clear, history_delete, history_exchange, history_list, history_spec
from requests_app.services.saved_requests import request_create

SECRET = "tok_Secret-Walrus-99812"
PASSWORD = "hunter2-Correct-Battery"


@pytest.fixture
def env(alice, acme, echo_server):
    return environment_create(
        user=alice,
        workspace=acme,
        name="Local",
        variables=[
            {"key": "base", "value": echo_server.url(""), "secret": False, "enabled": True},
            {"key": "token", "value": SECRET, "secret": True, "enabled": True},
            {"key": "password", "value": PASSWORD, "secret": True, "enabled": True},
        ],
    )


@pytest.fixture
def api(alice, acme):
    return collection_create(
        user=alice, workspace=acme, name="API",
        variables=[{"key": "who", "value": "collection", "enabled": True},
                   {"key": "shadowed", "value": "collection", "enabled": True}],
        auth={"type": "bearer", "token": "{{token}}"},
    )


def echoed(entry):
    return json.loads(history_exchange(entry)["response"]["body_text"])


def raw_history_row(entry):
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM requests_app_historyentry WHERE id = %s", [entry.pk])
        return json.dumps([str(value) for value in cursor.fetchone()])


def test_saved_request_uses_collection_and_environment_variables_and_inherited_auth(alice, acme, api, env):
    saved = request_create(user=alice, collection=api, name="Echo",
                           url="{{base}}/anything?who={{who}}&s={{shadowed}}")
    entry = request_execute(user=alice, workspace=acme, saved_request=saved, environment=env)
    body = echoed(entry)
    assert body["args"] == {"who": ["collection"], "s": ["collection"]}
    # The collection's bearer auth was sent; the history shows the secret by name only.
    assert ["authorization", "Bearer {{token}}"] in [[k.lower(), v] for k, v in body["headers"]]
    assert entry.status == 200 and entry.saved_request == saved and entry.environment == env


def test_environment_wins_over_collection_variables(alice, acme, api, env, echo_server):
    from requests_app.services.environments import environment_update, environment_variables

    environment_update(user=alice, environment=env, version=1,
                       variables=[*environment_variables(env), {"key": "who", "value": "environment"}])
    entry = request_execute(user=alice, workspace=acme, collection=api, environment=env,
                            spec={"method": "GET", "url": "{{base}}/anything?who={{who}}"})
    assert echoed(entry)["args"] == {"who": ["environment"]}


def test_secrets_are_masked_everywhere_in_history(alice, acme, api, env, caplog):
    caplog.set_level(logging.DEBUG)
    spec = {
        "method": "POST",
        "url": "{{base}}/anything?key={{token}}",
        "headers": [{"key": "X-Token", "value": "{{token}}"}],
        "body": {"mode": "json", "text": '{"token": "{{token}}", "pw": "{{password}}"}'},
        "auth": {"type": "basic", "username": "alice", "password": "{{password}}"},
    }
    entry = request_execute(user=alice, workspace=acme, spec=spec, environment=env)
    assert echoed(entry)["json"] == {"token": "{{token}}", "pw": "{{password}}"}
    stored = raw_history_row(HistoryEntry.objects.get(pk=entry.pk))
    for secret in (SECRET, PASSWORD):
        assert secret not in stored
        assert secret not in json.dumps(history_exchange(entry))
        assert secret not in caplog.text
    assert "{{token}}" in history_exchange(entry)["request"]["url"]
    assert history_spec(entry)["url"] == "{{base}}/anything?key={{token}}"


def test_network_failure_is_recorded_with_error(alice, acme, closed_port):
    entry = request_execute(user=alice, workspace=acme, spec={"method": "GET", "url": f"http://127.0.0.1:{closed_port}/"})
    assert entry.error_kind == "refused"
    assert entry.status is None
    assert history_exchange(entry)["error"]["kind"] == "refused"
    assert HistoryEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.parametrize(
    "spec, field",
    [
        ({"method": "GET", "url": "ftp://127.0.0.1/x"}, "url"),
        ({"method": "GET", "url": "http://127.0.0.1/", "headers": [{"key": "Bad Name", "value": "x"}]}, "headers[0]"),
        ({"method": "GET", "url": "http://127.0.0.1/", "headers": [{"key": "X", "value": 5}]}, "headers[0].value"),
    ],
)
def test_invalid_input_raises_named_error_and_records_nothing(alice, acme, spec, field):
    with pytest.raises(errors.ValidationFailed) as caught:
        request_execute(user=alice, workspace=acme, spec=spec)
    assert any(name.startswith(field) for name in caught.value.fields), caught.value.fields
    assert not HistoryEntry.objects.exists()


def test_oversized_request_body_is_a_validation_error(alice, acme, echo_server, settings):
    settings.WEBCLIENT_MAX_REQUEST_BODY_BYTES = 10
    with pytest.raises(errors.ValidationFailed):
        request_execute(user=alice, workspace=acme,
                        spec={"method": "POST", "url": echo_server.url("/anything"),
                              "body": {"mode": "raw", "text": "x" * 100}})
    assert not HistoryEntry.objects.exists()


def test_policy_comes_from_settings(alice, acme, echo_server, settings):
    settings.WEBCLIENT_OUTBOUND = "public_only"
    entry = request_execute(user=alice, workspace=acme, spec={"method": "GET", "url": echo_server.url("/get")})
    assert entry.error_kind == "blocked"


def test_viewer_may_execute_but_outsider_may_not(acme, victor, carol, echo_server):
    workspace = access.get_workspace_for_user(victor, acme.pk)
    entry = request_execute(user=victor, workspace=workspace, spec={"method": "GET", "url": echo_server.url("/get")})
    assert entry.status == 200
    with pytest.raises(errors.NotFound):
        request_execute(user=carol, workspace=acme, spec={"method": "GET", "url": echo_server.url("/get")})


def test_objects_of_another_workspace_are_refused(alice, acme, carol, echo_server):
    carols = access.workspaces_for_user(carol).get()
    foreign_env = environment_create(user=carol, workspace=carols, name="Hers")
    with pytest.raises(errors.NotFound):
        request_execute(user=alice, workspace=acme, environment=foreign_env,
                        spec={"method": "GET", "url": echo_server.url("/get")})


def test_cookie_jar_is_kept_per_user_and_workspace(alice, bob, acme, echo_server):
    request_execute(user=alice, workspace=acme, spec={"method": "GET", "url": echo_server.url("/cookies/set/sid/abc")})
    entry = request_execute(user=alice, workspace=acme, spec={"method": "GET", "url": echo_server.url("/cookies")})
    assert echoed(entry)["cookies"] == {"sid": "abc"}
    bobs = request_execute(user=bob, workspace=acme, spec={"method": "GET", "url": echo_server.url("/cookies")})
    assert echoed(bobs)["cookies"] == {}
    cookies = cookie_list(user=alice, workspace=acme)
    assert [(c["name"], c["value"]) for c in cookies] == [("sid", "abc")]
    cookie_delete(user=alice, workspace=acme, domain=cookies[0]["domain"], path=cookies[0]["path"], name="sid")
    assert cookie_list(user=alice, workspace=acme) == []
    with pytest.raises(errors.NotFound):
        cookie_delete(user=alice, workspace=acme, domain=cookies[0]["domain"], path="/", name="sid")


def test_cookie_save_merges_instead_of_overwriting(alice, acme, echo_server):
    from requests_app.engine import send
    from requests_app.engine.policy import OutboundPolicy
    from requests_app.engine.spec import RequestSpec
    from requests_app.services.cookies import cookie_jar_load, cookie_jar_save

    jar_one, before_one = cookie_jar_load(user=alice, workspace=acme)
    jar_two, before_two = cookie_jar_load(user=alice, workspace=acme)
    send(RequestSpec(url=echo_server.url("/cookies/set/one/1")), policy=OutboundPolicy.allow_all(), cookie_jar=jar_one)
    send(RequestSpec(url=echo_server.url("/cookies/set/two/2")), policy=OutboundPolicy.allow_all(), cookie_jar=jar_two)
    cookie_jar_save(user=alice, workspace=acme, before=before_one, jar=jar_one)
    cookie_jar_save(user=alice, workspace=acme, before=before_two, jar=jar_two)
    assert sorted(c["name"] for c in cookie_list(user=alice, workspace=acme)) == ["one", "two"]
    cookie_clear(user=alice, workspace=acme)
    assert CookieJarState.objects.get(user=alice, workspace=acme).data == []


def test_use_cookies_false_neither_sends_nor_stores(alice, acme, echo_server):
    request_execute(user=alice, workspace=acme, spec={"method": "GET", "url": echo_server.url("/cookies/set/a/1"),
                                                      "options": {"use_cookies": False}})
    assert cookie_list(user=alice, workspace=acme) == []


def test_pruned_entries_take_their_files_along(alice, acme, echo_server, settings, tmp_path,
                                              django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.WEBCLIENT_HISTORY_INLINE_BYTES = 100
    settings.WEBCLIENT_HISTORY_LIMIT = 1
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            request_execute(user=alice, workspace=acme, spec={"method": "GET", "url": echo_server.url("/bytes/500")})
    assert len(list(tmp_path.rglob("*.json"))) == 1


def test_history_retention_keeps_the_newest_per_user_and_workspace(alice, bob, acme, echo_server, settings):
    settings.WEBCLIENT_HISTORY_LIMIT = 3
    request_execute(user=bob, workspace=acme, spec={"method": "GET", "url": echo_server.url("/get?bob")})
    for i in range(5):
        request_execute(user=alice, workspace=acme, spec={"method": "GET", "url": echo_server.url(f"/get?n={i}")})
    mine = list(history_list(user=alice, workspace=acme))
    assert [e.url.rsplit("=", 1)[1] for e in mine] == ["4", "3", "2"]
    assert history_list(user=bob, workspace=acme).count() == 1


def test_large_bodies_go_to_file_storage_and_come_back(alice, acme, echo_server, settings, tmp_path,
                                                       django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.WEBCLIENT_HISTORY_INLINE_BYTES = 1000
    entry = request_execute(user=alice, workspace=acme, spec={"method": "GET", "url": echo_server.url("/bytes/5000")})
    stored = HistoryEntry.objects.get(pk=entry.pk)
    assert stored.body_file and default_storage.exists(stored.body_file.name)
    assert "body_base64" not in stored.exchange["response"]
    assert len(history_exchange(stored)["response"]["body_base64"]) > 6000
    name = stored.body_file.name
    with django_capture_on_commit_callbacks(execute=True):
        history_delete(user=alice, entry=access.get_history_for_user(alice, stored.pk))
    assert not default_storage.exists(name)


def test_history_is_personal_and_clearable(alice, bob, acme, echo_server):
    entry = request_execute(user=alice, workspace=acme, spec={"method": "GET", "url": echo_server.url("/get")})
    with pytest.raises(errors.NotFound):
        access.get_history_for_user(bob, entry.pk)
    assert history_clear(user=alice, workspace=acme) == 1
    assert not HistoryEntry.objects.exists()


def test_history_list_costs_constant_queries(alice, acme, echo_server, django_assert_num_queries):
    for _ in range(3):
        request_execute(user=alice, workspace=acme, spec={"method": "GET", "url": echo_server.url("/get")})
    with django_assert_num_queries(1):
        assert len(list(history_list(user=alice, workspace=acme))) == 3


def test_recording_costs_the_same_queries_however_long_the_history(alice, acme, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from requests_app.engine.exchange import Exchange, Response, SentRequest
    from requests_app.services.history import history_record

    settings.WEBCLIENT_HISTORY_LIMIT = 5

    def record():
        with CaptureQueriesContext(connection) as captured:
            history_record(user=alice, workspace=acme, asked={"method": "GET", "url": "http://x/"}, secrets={},
                           exchange=Exchange(request=SentRequest("GET", "http://x/"),
                                             response=Response("HTTP/1.1", 200, "OK")))
        return len(captured)

    first = record()
    for _ in range(20):
        record()
    assert record() == first
    assert HistoryEntry.objects.filter(user=alice, workspace=acme).count() == 5

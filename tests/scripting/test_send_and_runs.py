"""Scripts on a single Send (service, API) and in stored runs: order, scopes, write-back, masking."""

from __future__ import annotations

import json

import pytest

from requests_app.models import Environment, RunResult
from requests_app.services import runs
from requests_app.services.collections import collection_create, collection_update
from requests_app.services.environments import environment_create, environment_values
from requests_app.services.errors import ValidationFailed
from requests_app.services.execution import request_execute
from requests_app.services.folders import folder_create, folder_update
from requests_app.services.history import history_exchange
from requests_app.services.saved_requests import request_create

SECRET = "tok_Secret-Otter-4471"


@pytest.fixture
def world(alice, acme, echo_server):
    env = environment_create(user=alice, workspace=acme, name="Local", variables=[
        {"key": "base", "value": echo_server.url(""), "secret": False, "enabled": True},
        {"key": "token", "value": SECRET, "secret": True, "enabled": True},
    ])
    collection = collection_create(user=alice, workspace=acme, name="Scripted",
                                   variables=[{"key": "tag", "value": "c1", "enabled": True}])
    collection = collection_update(user=alice, collection=collection, version=collection.version, scripts={
        "prerequest": "pm.request.headers.add({key: 'X-Order', value: 'collection'});",
        "test": "pm.test('collection test', function () { pm.response.to.be.ok; });",
    })
    folder = folder_create(user=alice, collection=collection, name="Users")
    folder = folder_update(user=alice, folder=folder, version=folder.version, scripts={
        "prerequest": "pm.request.headers.upsert({key: 'X-Order', value: pm.request.headers.get('X-Order') + ',folder'});",
    })
    saved = request_create(
        user=alice, collection=collection, folder=folder, name="whoami", method="GET", url="{{base}}/get",
        headers=[{"key": "Authorization", "value": "Bearer {{token}}", "enabled": True}],
        scripts={
            "prerequest": "pm.request.headers.upsert({key: 'X-Order', value: pm.request.headers.get('X-Order') + ',request'});\n"
                          "pm.request.headers.add({key: 'X-Tag', value: pm.collectionVariables.get('tag')});",
            "test": "var seen = pm.response.json();\n"
                    "pm.test('order of pre-request scripts', function () { pm.expect(_.fromPairs(seen.headers)['X-Order']).to.equal('collection,folder,request'); });\n"
                    "pm.test('fails on purpose', function () { pm.expect(1).to.equal(2); });\n"
                    "pm.environment.set('seen', seen.url);\n"
                    "console.log('token is', pm.environment.get('token'));",
        },
    )
    return {"env": env, "collection": collection, "folder": folder, "saved": saved, "echo": echo_server}


def _echo_headers(entry):
    body = json.loads(history_exchange(entry)["response"]["body_text"])
    return dict(body["headers"])


def test_send_runs_the_chain_and_records_tests(alice, acme, world):
    entry = request_execute(user=alice, workspace=acme, saved_request=world["saved"], environment=world["env"])
    exchange = history_exchange(entry)
    assert _echo_headers(entry)["X-Order"] == "collection,folder,request"
    scripts = exchange["scripts"]
    assert [(t["target"], t["passed"]) for t in scripts["tests"]] == [
        ("collection test", True), ("order of pre-request scripts", True), ("fails on purpose", False)]
    assert "expected 1 to equal 2" in scripts["tests"][2]["message"]
    assert scripts["console"] == [{"level": "log", "text": "token is ••••••"}]  # scripts never see a secret
    assert _echo_headers(entry)["Authorization"] == "Bearer {{token}}"  # the secret went out (history masks it back)
    assert SECRET not in json.dumps(entry.exchange)
    assert environment_values(Environment.objects.get(pk=world["env"].pk))["seen"].endswith("/get")


def test_a_viewer_sends_but_does_not_change_the_environment(acme, world, victor):
    entry = request_execute(user=victor, workspace=acme, saved_request=world["saved"], environment=world["env"])
    assert history_exchange(entry)["scripts"]["passed"] == 2
    assert "seen" not in environment_values(Environment.objects.get(pk=world["env"].pk))


def test_unsaved_script_edits_are_sent(alice, acme, world):
    entry = request_execute(user=alice, workspace=acme, saved_request=world["saved"], environment=world["env"],
                            scripts={"test": "pm.test('edited', function () {});"})
    assert [t["target"] for t in history_exchange(entry)["scripts"]["tests"]] == ["collection test", "edited"]


def test_script_errors_are_shown_with_line_and_column(alice, acme, world):
    entry = request_execute(user=alice, workspace=acme, saved_request=world["saved"], environment=world["env"],
                            scripts={"prerequest": "var ok = 1;\nvar broken = ;"})
    errors = history_exchange(entry)["scripts"]["errors"]
    assert [(e["name"], e["line"], e["column"]) for e in errors] == [("SyntaxError", 2, 14)]
    assert entry.status == 200  # the request went out, as newman sends it


def test_skip_request_on_a_send_is_a_named_refusal(alice, acme, world):
    with pytest.raises(ValidationFailed) as caught:
        request_execute(user=alice, workspace=acme, saved_request=world["saved"], environment=world["env"],
                        scripts={"prerequest": "pm.execution.skipRequest();"})
    assert caught.value.code == "skipped"


def test_bad_scripts_are_refused_by_field(alice, world):
    with pytest.raises(ValidationFailed) as caught:
        folder_update(user=alice, folder=world["folder"], version=world["folder"].version, scripts={"onload": "x"})
    assert "scripts.onload" in caught.value.fields


def test_api_execute_answers_the_script_results(alice, acme, world, api_client_for):
    client = api_client_for(alice)
    response = client.post(f"/api/v1/requests/{world['saved'].pk}/execute", {"environment": world["env"].pk}, format="json")
    assert response.status_code == 200, response.content
    scripts = response.json()["scripts"]
    assert (scripts["passed"], scripts["failed"]) == (2, 1)
    assert SECRET not in response.content.decode()


def _execute(client, world, **extra):
    payload = {"workspace": world["collection"].workspace_id, "environment": world["env"].pk, "method": "GET", "url": "{{base}}/get",
               **extra}
    return client.post("/api/v1/execute", payload, format="json")


def test_api_execute_of_a_saved_request_without_scripts_runs_its_stored_chain(alice, world, api_client_for):
    response = _execute(api_client_for(alice), world, request=world["saved"].pk)
    assert response.status_code == 200, response.content
    tests = [(t["target"], t["passed"]) for t in response.json()["scripts"]["tests"]]
    assert tests == [("collection test", True), ("order of pre-request scripts", True), ("fails on purpose", False)]


def test_api_execute_with_scripts_runs_those_instead_of_the_saved_ones(alice, world, api_client_for):
    edited = {"test": "pm.test('edited', function () { pm.expect(pm.request.headers.get('X-Order')).to.equal('collection,folder'); });"}
    response = _execute(api_client_for(alice), world, request=world["saved"].pk, scripts=edited)
    assert response.status_code == 200, response.content
    assert [(t["target"], t["passed"]) for t in response.json()["scripts"]["tests"]] == [("collection test", True), ("edited", True)]
    assert world["saved"].scripts["test"] != edited["test"]  # nothing saved


def test_api_execute_in_a_collection_context_runs_the_collection_scripts(alice, world, api_client_for):
    client = api_client_for(alice)
    response = _execute(client, world, collection=world["collection"].pk)
    assert [(t["target"], t["passed"]) for t in response.json()["scripts"]["tests"]] == [("collection test", True)]
    ad_hoc = _execute(client, world, collection=world["collection"].pk, scripts={"test": "pm.test('ad hoc', function () {});"})
    assert [t["target"] for t in ad_hoc.json()["scripts"]["tests"]] == ["collection test", "ad hoc"]
    plain = _execute(client, world)  # no collection, no request, no scripts: nothing runs
    assert plain.status_code == 200 and "scripts" not in plain.json()


def test_api_execute_refuses_bad_scripts_by_field(alice, world, api_client_for):
    response = _execute(api_client_for(alice), world, request=world["saved"].pk, scripts={"onload": "x"})
    assert response.status_code == 400
    assert "scripts.onload" in response.json()["error"]["fields"]
    assert _execute(api_client_for(alice), world, scripts="x").status_code == 400


def test_a_stored_run_runs_scripts_and_writes_the_environment_back(alice, acme, world):
    run = runs.run_create(workspace=acme, created_by=alice, collection=world["collection"], environment=world["env"],
                          persist_captures=True, iterations=2)
    run = runs.run_execute(run.pk)
    rows = list(RunResult.objects.filter(run=run).order_by("iteration", "position", "id"))
    assert [(r.iteration, [(a["target"], a["passed"]) for a in r.assertions]) for r in rows] == [
        (i, [("collection test", True), ("order of pre-request scripts", True), ("fails on purpose", False)]) for i in (1, 2)]
    assert run.totals["assertions_failed"] == 2
    assert environment_values(Environment.objects.get(pk=world["env"].pk))["seen"].endswith("/get")


def test_a_stored_runs_console_output_is_kept_bounded_masked_and_shown(alice, acme, world, api_client_for, client):
    saved = world["saved"]
    saved.scripts = {**saved.scripts, "test": saved.scripts["test"] + "\nconsole.warn('echoed', pm.response.text());"
                     "\nconsole.info('x'.repeat(5000));\nfor (var i = 0; i < 150; i++) console.error('line ' + i);"}
    saved.save()
    run = runs.run_execute(runs.run_create(workspace=acme, created_by=alice, collection=world["collection"],
                                           environment=world["env"]).pk)
    console = RunResult.objects.get(run=run).console
    assert console[0] == {"level": "log", "text": "token is ••••••"}  # scripts see a secret's mask
    # The echoed request held the secret; the stored line names the variable instead.
    assert console[1]["level"] == "warn" and "echoed" in console[1]["text"] and '"Bearer {{token}}"' in console[1]["text"]
    assert console[2] == {"level": "info", "text": "x" * 2000 + "… (5000 characters)"}
    assert console[3] == {"level": "error", "text": "line 0"}
    assert len(console) == 101 and console[-1] == {"level": "warn", "text": "… 53 more console lines not kept"}
    api = api_client_for(alice).get(f"/api/v1/runs/{run.pk}/results").json()
    assert api["results"][0]["console"] == console
    report = json.loads(api_client_for(alice).get(f"/api/v1/runs/{run.pk}/report?format=json").content)
    assert report["results"][0]["console"] == console
    html_report = api_client_for(alice).get(f"/api/v1/runs/{run.pk}/report?format=html").content.decode()
    assert "<summary>Console (101)</summary>" in html_report and '<span class="console-error">error: line 0</span>' in html_report
    assert '<span class="console-log">log: token is ••••••</span>' in html_report and "Bearer {{token}}" in html_report
    assert SECRET not in html_report
    client.force_login(alice)
    page = client.get(f"/w/{acme.pk}/runs/{run.pk}/").content.decode()
    assert "Console (101)" in page and '<span class="console-error">error: line 0</span>' in page
    assert SECRET not in page and SECRET not in json.dumps(api) and SECRET not in json.dumps(report)


def test_a_send_leaves_an_untouched_secret_and_the_environment_version_alone(alice, acme, world):
    request_execute(user=alice, workspace=acme, saved_request=world["saved"], environment=world["env"])
    env = Environment.objects.get(pk=world["env"].pk)
    version = env.version
    request_execute(user=alice, workspace=acme, saved_request=world["saved"], environment=env)
    env = Environment.objects.get(pk=world["env"].pk)
    assert env.version == version  # the script set "seen" to the same value: nothing to write
    assert environment_values(env)["token"] == SECRET

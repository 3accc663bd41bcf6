"""/api/v1/runs: 202 at once, results, cancel, reports; viewers run but don't edit checks; outsiders get 404."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from requests_app.models import Run
from requests_app.runner.assertions import validate_assertions
from requests_app.services import runs
from requests_app.services.collections import collection_create
from requests_app.services.environments import environment_create
from requests_app.services.saved_requests import request_create

STATUS_200 = [{"type": "status", "op": "equals", "expected": 200}]


@pytest.fixture
def target(alice, acme, echo_server):
    collection = collection_create(user=alice, workspace=acme, name="Shop",
                                   variables=[{"key": "base", "value": echo_server.url(), "enabled": True}])
    ok = request_create(user=alice, collection=collection, name="ok", url="{{base}}/status/{{code}}",
                        assertions=STATUS_200)
    echo = request_create(user=alice, collection=collection, name="echo <b>", url="{{base}}/anything?x=<i>",
                          assertions=[{"type": "jsonpath", "op": "equals", "target": "$.args.x[0]", "expected": "<i>"}])
    environment = environment_create(user=alice, workspace=acme, name="prod",
                                     variables=[{"key": "code", "value": "200", "enabled": True}])
    return {"collection": collection, "ok": ok, "echo": echo, "environment": environment}


def finished(run_id: int) -> Run:
    assert runs.wait_for_local_runs(timeout=30)
    return Run.objects.get(pk=run_id)


@pytest.fixture
def local_mode(settings):
    settings.CELERY_BROKER_URL = ""


@pytest.mark.django_db(transaction=True)
def test_start_answers_202_at_once_and_the_run_finishes_in_the_background(alice_client, target, local_mode):
    response = alice_client.post("/api/v1/runs", {"collection": target["collection"].pk,
                                                  "environment": target["environment"].pk}, format="json")
    assert response.status_code == 202, response.json()
    body = response.json()
    assert body["state"] == "queued" and body["planned_requests"] == 2 and body["title"] == "Shop"
    run = finished(body["id"])
    assert run.state == Run.State.PASSED
    detail = alice_client.get(f"/api/v1/runs/{run.pk}").json()
    assert detail["state"] == "passed" and detail["totals"]["requests"] == 2
    results = alice_client.get(f"/api/v1/runs/{run.pk}/results").json()
    assert len(results["results"]) == 2 and results["next"] is None
    assert [r["name"] for r in results["results"]] == ["ok", "echo <b>"]
    assert results["results"][0]["assertions"][0]["message"] == "status equals 200"


@pytest.mark.django_db(transaction=True)
def test_data_file_iterations_and_failed_filter(alice_client, target, local_mode):
    response = alice_client.post("/api/v1/runs", {
        "requests": [target["ok"].pk], "data": {"format": "json", "content": '[{"code": "200"}, {"code": "503"}]'},
    }, format="json")
    assert response.status_code == 202
    run = finished(response.json()["id"])
    assert run.state == Run.State.FAILED and run.iterations == 2
    failed = alice_client.get(f"/api/v1/runs/{run.pk}/results?failed=1").json()["results"]
    assert [(r["iteration"], r["status"]) for r in failed] == [(2, 503)]


@pytest.mark.django_db(transaction=True)
def test_reports_junit_json_html(alice_client, target, local_mode):
    run_id = alice_client.post("/api/v1/runs", {"collection": target["collection"].pk,
                                                "environment": target["environment"].pk}, format="json").json()["id"]
    finished(run_id)
    junit = alice_client.get(f"/api/v1/runs/{run_id}/report?format=junit")
    assert junit.status_code == 200 and junit["Content-Type"].startswith("application/xml")
    root = ET.fromstring(junit.content)
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("2", "0", "0")
    as_json = alice_client.get(f"/api/v1/runs/{run_id}/report?format=json").json()
    assert as_json["totals"]["requests"] == 2
    page = alice_client.get(f"/api/v1/runs/{run_id}/report?format=html")
    assert page["Content-Disposition"].startswith("attachment")
    assert "sandbox" in page["Content-Security-Policy"]
    assert b"echo &lt;b&gt;" in page.content and b"<b>" not in page.content.split(b"<body>")[1].replace(b"<br>", b"")
    bad = alice_client.get(f"/api/v1/runs/{run_id}/report?format=pdf")
    assert bad.status_code == 400


def test_malformed_data_is_a_400_naming_the_position_and_creates_no_run(alice_client, target):
    response = alice_client.post("/api/v1/runs", {
        "collection": target["collection"].pk, "data": {"format": "csv", "content": "code\n200\n\"open"},
    }, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "csv_malformed" and "line 3" in error["fields"]["data.content"][0]
    assert not Run.objects.exists()


@pytest.mark.parametrize("payload", [{}, {"concurrency": 17}, {"iterations": -1}, {"requests": []}])
def test_invalid_input_is_a_400(alice_client, target, payload):
    body = {"collection": target["collection"].pk, **payload} if payload else {}
    if payload == {"requests": []}:
        body = payload
    assert alice_client.post("/api/v1/runs", body, format="json").status_code == 400
    assert not Run.objects.exists()


def test_viewer_may_run_but_not_edit_assertions(victor_client, target):
    response = victor_client.post("/api/v1/runs", {"collection": target["collection"].pk}, format="json")
    assert response.status_code == 202
    saved = target["ok"]
    edit = victor_client.patch(f"/api/v1/requests/{saved.pk}", {"version": saved.version, "assertions": []}, format="json")
    assert edit.status_code == 403
    saved.refresh_from_db()
    assert saved.assertions == validate_assertions(STATUS_200)


def test_outsiders_get_404_everywhere(carol_client, alice, acme, target):
    run = runs.run_create(workspace=acme, created_by=alice, collection=target["collection"])
    assert carol_client.post("/api/v1/runs", {"collection": target["collection"].pk}, format="json").status_code == 404
    assert carol_client.post("/api/v1/runs", {"requests": [target["ok"].pk]}, format="json").status_code == 404
    for path in ("", "/results", "/report?format=json"):
        assert carol_client.get(f"/api/v1/runs/{run.pk}{path}").status_code == 404
    assert carol_client.post(f"/api/v1/runs/{run.pk}/cancel").status_code == 404
    assert carol_client.get("/api/v1/runs").json()["results"] == []
    run.refresh_from_db()
    assert run.state == Run.State.QUEUED


def test_an_environment_of_another_workspace_is_404(alice_client, alice, target):
    from requests_app.models import Workspace

    personal = Workspace.objects.get(memberships__user=alice, is_personal=True)
    other = environment_create(user=alice, workspace=personal, name="mine")
    response = alice_client.post("/api/v1/runs", {"collection": target["collection"].pk, "environment": other.pk},
                                 format="json")
    assert response.status_code == 404


def test_cancel_a_queued_run(alice_client, alice, acme, target):
    run = runs.run_create(workspace=acme, created_by=alice, collection=target["collection"])
    response = alice_client.post(f"/api/v1/runs/{run.pk}/cancel")
    assert response.status_code == 202 and response.json()["state"] == "cancelled"


def test_list_is_scoped_and_filtered(alice_client, bob_client, alice, acme, target):
    runs.run_create(workspace=acme, created_by=alice, collection=target["collection"])
    assert len(alice_client.get("/api/v1/runs").json()["results"]) == 1
    assert len(bob_client.get(f"/api/v1/runs?collection={target['collection'].pk}").json()["results"]) == 1
    assert bob_client.get("/api/v1/runs?collection=999999").json()["results"] == []

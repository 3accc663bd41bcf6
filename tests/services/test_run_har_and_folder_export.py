"""A run as HAR, a collection as a zip of .http files per folder, runs in the activity feed."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from requests_app.interop.httpfile import parse_http
from requests_app.models import Activity, Run, RunResult
from requests_app.services import errors, runs
from requests_app.services.activity import describe
from requests_app.services.collections import collection_create
from requests_app.services.environments import environment_create
from requests_app.services.folders import folder_create
from requests_app.services.interop import RUN_HAR_COMMENT, collection_export, run_har
from requests_app.services.interop import exports as interop_exports
from requests_app.services.saved_requests import request_create

SECRET = "pw-Velvet-Otter-3371"


def finished_run(workspace, user, collection, **fields) -> Run:
    return Run.objects.create(workspace=workspace, created_by=user, collection=collection, title=collection.name,
                              state=fields.pop("state", Run.State.FAILED), **fields)


def result(run, iteration, position, **fields) -> RunResult:
    defaults = {"name": f"r{position}", "method": "GET", "url": f"http://127.0.0.1:9/{position}", "passed": True}
    return RunResult.objects.create(run=run, iteration=iteration, position=position, **{**defaults, **fields})


# ---------------------------------------------------------------- run as HAR


def test_run_har_has_one_entry_per_result_in_run_order_with_only_what_was_stored(alice, acme):
    collection = collection_create(user=alice, workspace=acme, name="Users API")
    run = finished_run(acme, alice, collection)
    failed = [{"type": "status", "passed": False, "message": "expected status to equal 200, got 418"}]
    result(run, 2, 0, name="status", path="Checks", status=418, time_ms=12.5, size=7, passed=False,
           assertions_failed=1, assertions=failed)
    result(run, 1, 1, name="me", method="POST", status=200, time_ms=3.25, size=120)
    result(run, 1, 0, name="down", error={"kind": "refused", "code": "ECONNREFUSED", "message": "connection refused"},
           passed=False)
    filename, content_type, text = run_har(user=alice, run_id=run.pk)
    assert (filename, content_type) == (f"run-{run.pk}.har", "application/json")
    log = json.loads(text)["log"]
    assert log["version"] == "1.2" and log["comment"] == RUN_HAR_COMMENT
    entries = log["entries"]
    assert [(e["_iteration"], e["_request"]) for e in entries] == [(1, "down"), (1, "me"), (2, "Checks / status")]
    down, me, status = entries
    assert down["response"]["status"] == 0 and down["_error"] == "refused: connection refused"
    assert me["request"]["method"] == "POST" and me["request"]["url"] == "http://127.0.0.1:9/1"
    assert me["response"]["status"] == 200 and me["response"]["content"]["size"] == 120 and me["time"] == 3.25
    # Runs keep no headers or bodies: the entry says nothing rather than something made up.
    assert me["request"]["headers"] == [] and me["response"]["headers"] == [] and "text" not in me["response"]["content"]
    assert me["request"]["bodySize"] == -1
    assert status["_passed"] is False and status["_assertions"] == failed
    assert status["comment"] == "iteration 2: Checks / status"


def test_a_real_run_exports_with_secrets_masked(alice, acme, echo_server):
    collection = collection_create(user=alice, workspace=acme, name="Echo")
    request_create(user=alice, collection=collection, name="login", url=echo_server.url("/anything?pw={{password}}"),
                   assertions=[{"type": "status", "op": "equals", "expected": 200}])
    environment = environment_create(user=alice, workspace=acme, name="Local", variables=[
        {"key": "password", "value": SECRET, "secret": True, "enabled": True}])
    run = runs.run_create(workspace=acme, created_by=alice, collection=collection, environment=environment)
    run = runs.run_execute(run.pk, worker="test:host:1")
    assert run.state == Run.State.PASSED
    text = run_har(user=alice, run_id=run.pk)[2]
    (entry,) = json.loads(text)["log"]["entries"]
    assert entry["response"]["status"] == 200 and entry["_passed"] is True
    assert entry["request"]["url"].startswith(echo_server.url("/anything?pw="))
    assert SECRET not in text


def test_run_har_is_for_members_and_finished_runs(alice, acme, victor, carol):
    collection = collection_create(user=alice, workspace=acme, name="API")
    run = finished_run(acme, alice, collection, state=Run.State.PASSED)
    assert run_har(user=victor, run_id=run.pk)[0] == f"run-{run.pk}.har"  # viewers may export
    with pytest.raises(errors.NotFound):
        run_har(user=carol, run_id=run.pk)
    with pytest.raises(errors.NotFound):
        run_har(user=alice, run_id="nope")
    running = finished_run(acme, alice, collection, state=Run.State.RUNNING)
    with pytest.raises(errors.ValidationFailed) as caught:
        run_har(user=alice, run_id=running.pk)
    assert caught.value.code == "not_finished"


def test_run_har_costs_the_same_queries_for_many_results(alice, acme, django_assert_num_queries):
    collection = collection_create(user=alice, workspace=acme, name="API")
    run = finished_run(acme, alice, collection)
    for position in range(3):
        result(run, 1, position, status=200)
    with django_assert_num_queries(2):  # the run (its workspace joined), its results
        run_har(user=alice, run_id=run.pk)
    for position in range(3, 60):
        result(run, 1, position, status=200)
    with django_assert_num_queries(2):
        assert len(json.loads(run_har(user=alice, run_id=run.pk)[2])["log"]["entries"]) == 60


# ---------------------------------------------------------------- .http, one file per folder


def test_http_folders_export_is_a_zip_with_one_readable_file_per_folder(alice, acme, victor):
    collection = collection_create(user=alice, workspace=acme, name="Shop API",
                                   variables=[{"key": "base", "value": "http://127.0.0.1:9", "enabled": True}])
    catalog = folder_create(user=alice, collection=collection, name="Catalog")
    admin = folder_create(user=alice, collection=collection, name="Admin", parent=catalog)
    request_create(user=alice, collection=collection, name="Health", url="{{base}}/health")
    request_create(user=alice, collection=collection, folder=catalog, name="List products", url="{{base}}/products")
    request_create(user=alice, collection=collection, folder=admin, name="Delete product", method="DELETE",
                   url="{{base}}/products/1")
    filename, content_type, data = collection_export(user=victor, collection_id=collection.pk, format="http-folders")
    assert (filename, content_type) == ("shop-api.http.zip", "application/zip")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        files = {name: archive.read(name).decode() for name in archive.namelist()}
    assert sorted(files) == ["shop-api/Catalog.http", "shop-api/Catalog/Admin.http", "shop-api/Shop API.http"]
    (admin_request,) = parse_http(files["shop-api/Catalog/Admin.http"]).collections[0].items
    assert (admin_request.name, admin_request.spec.method, admin_request.spec.url) == (
        "Delete product", "DELETE", "{{base}}/products/1")
    assert "@base = http://127.0.0.1:9" in files["shop-api/Catalog.http"]


def test_http_folders_export_names_and_bounds(alice, acme, carol, monkeypatch):
    collection = collection_create(user=alice, workspace=acme, name="API")
    hostile = folder_create(user=alice, collection=collection, name="../../etc")
    request_create(user=alice, collection=collection, folder=hostile, name="x", url="http://127.0.0.1:9/")
    data = collection_export(user=alice, collection_id=collection.pk, format="http-folders")[2]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
    # One path part, inside the collection's folder: unzipping can't climb out.
    assert names == ["api/_.._etc.http"]
    with pytest.raises(errors.NotFound):
        collection_export(user=carol, collection_id=collection.pk, format="http-folders")
    monkeypatch.setattr(interop_exports, "MAX_HTTP_FOLDERS_BYTES", 10)
    with pytest.raises(errors.ValidationFailed) as caught:
        collection_export(user=alice, collection_id=collection.pk, format="http-folders")
    assert caught.value.code == "export_too_large"


# ---------------------------------------------------------------- activity


def test_starting_a_run_is_a_line_in_the_activity_feed(alice, acme, victor):
    collection = collection_create(user=alice, workspace=acme, name="Users API")
    request_create(user=alice, collection=collection, name="a", url="http://127.0.0.1:9/")
    before = Activity.objects.filter(workspace=acme).count()
    with runs.dispatching_with(lambda run_id: None):  # no worker: only the record matters here
        run = runs.run_start(user=victor, workspace=acme, collection=collection, iterations=2)
    line = Activity.objects.filter(workspace=acme).latest("id")
    assert Activity.objects.filter(workspace=acme).count() == before + 1
    assert (line.user, line.verb, line.kind, line.object_id) == (victor, "started", "run", run.pk)
    assert describe(line) == "started run “Users API”"


def test_a_refused_run_leaves_no_activity(alice, acme):
    collection = collection_create(user=alice, workspace=acme, name="Empty")
    before = Activity.objects.count()
    with pytest.raises(errors.ValidationFailed):
        runs.run_start(user=alice, workspace=acme, collection=collection)
    assert Activity.objects.count() == before

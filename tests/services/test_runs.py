"""Runs as a service: start, execute (the worker's code), results in batches, cancel, interrupted, reports."""

from __future__ import annotations

import threading
import time
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.utils import timezone

from requests_app.models import Run, RunResult
from requests_app.runner.captures import MASK
from requests_app.services import runs
from requests_app.services.collections import collection_create
from requests_app.services.environments import environment_create, environment_values
from requests_app.services.errors import Forbidden, NotFound, ValidationFailed
from requests_app.services.folders import folder_create
from requests_app.services.runs import writer
from requests_app.services.saved_requests import request_create

STATUS_200 = [{"type": "status", "op": "equals", "expected": 200}]


@pytest.fixture
def api(alice, acme, echo_server):
    """A collection on the echo target: Auth/log in (captures a token), Profile/me (uses it), status."""
    collection = collection_create(user=alice, workspace=acme, name="Users API",
                                   variables=[{"key": "base", "value": echo_server.url(), "enabled": True}])
    auth = folder_create(user=alice, collection=collection, name="Auth")
    login = request_create(
        user=alice, collection=collection, folder=auth, name="log in", method="POST", url="{{base}}/anything/login",
        body={"mode": "json", "text": '{"token": "tok-{{user}}"}'},
        assertions=STATUS_200,
        captures=[{"variable": "token", "source": "jsonpath", "expression": "$.json.token", "secret": True}],
    )
    folder = folder_create(user=alice, collection=collection, name="Profile")
    me = request_create(
        user=alice, collection=collection, folder=folder, name="me", url="{{base}}/anything/me?who={{user}}",
        headers=[{"key": "Authorization", "value": "Bearer {{token}}", "enabled": True}],
        assertions=[{"type": "jsonpath", "op": "equals", "target": "$.args.who[0]", "expected": "{{user}}"},
                    {"type": "jsonpath", "op": "contains", "target": "$.headers[*][1]", "expected": "Bearer tok-{{user}}"}],
    )
    status = request_create(user=alice, collection=collection, name="status", url="{{base}}/status/{{code}}",
                            assertions=STATUS_200)
    environment = environment_create(user=alice, workspace=acme, name="staging", variables=[
        {"key": "user", "value": "ann", "enabled": True},
        {"key": "code", "value": "200", "enabled": True},
        {"key": "password", "value": "hunter2-secret", "secret": True, "enabled": True},
    ])
    return {"collection": collection, "folder": folder, "login": login, "me": me, "status": status,
            "environment": environment}


def start(user, workspace, **kwargs):
    run = runs.run_create(workspace=workspace, created_by=user, **kwargs)
    return runs.run_execute(run.pk, worker="test:host:1")


def test_run_executes_in_tree_order_chaining_captures(alice, acme, api):
    run = start(alice, acme, collection=api["collection"], environment=api["environment"])
    assert run.state == Run.State.PASSED, list(run.results.values_list("assertions", flat=True))
    # Folders before requests at each level, as the page shows them.
    assert list(run.results.values_list("name", "path")) == [("log in", "Auth"), ("me", "Profile"), ("status", "")]
    assert run.totals["requests"] == 3 and run.totals["assertions_failed"] == 0
    assert run.started_at and run.finished_at and run.worker == "test:host:1"


def test_chaining_across_requests_in_one_iteration(alice, acme, api):
    # Given in any order, requests run in tree order: the token exists when "me" needs it.
    run = start(alice, acme, request_ids=[api["me"].pk, api["login"].pk], environment=api["environment"])
    assert run.state == Run.State.PASSED
    assert list(run.results.values_list("name", flat=True)) == ["log in", "me"]
    login = run.results.get(name="log in")
    assert login.captures == [{"variable": "token", "ok": True, "value": MASK, "message": "", "secret": True}]


def test_a_missing_capture_shows_in_the_next_request(alice, acme, api):
    run = start(alice, acme, request_ids=[api["me"].pk], environment=api["environment"])
    me = run.results.get()
    assert me.error is None and not me.passed
    assert "Bearer tok-ann" in me.assertions[1]["message"]


def test_data_rows_drive_iterations_and_failures_are_counted(alice, acme, api):
    data = {"format": "csv", "content": "user,code\nann,200\nbob,418\ncy,200\n"}
    run = start(alice, acme, collection=api["collection"], environment=api["environment"], data=data)
    assert run.iterations == 3 and run.data_format == "csv"
    assert run.state == Run.State.FAILED
    assert run.totals["requests"] == 9 and run.totals["assertions_failed"] == 1
    failed = list(runs.run_results(run=run, failed_only=True))
    assert [(r.iteration, r.name, r.status) for r in failed] == [(2, "status", 418)]
    assert failed[0].assertions[0]["message"] == "expected status to equal 200, got 418"
    assert [r.iteration for r in runs.run_results(run=run, failures_first=True)][:1] == [2]


def test_malformed_data_file_is_a_named_error_and_no_run_is_created(alice, acme, api):
    with pytest.raises(ValidationFailed) as caught:
        runs.run_start(user=alice, workspace=acme, collection=api["collection"],
                       data={"format": "csv", "content": "user,code\nann\n"})
    assert caught.value.code == "csv_row_length"
    assert "line 2" in caught.value.fields["data.content"][0]
    with pytest.raises(ValidationFailed) as caught:
        runs.run_start(user=alice, workspace=acme, collection=api["collection"],
                       data={"format": "json", "content": '[{"user": "ann"},'})
    assert caught.value.code == "bad_json"
    assert not Run.objects.exists()


@pytest.mark.parametrize(("field", "value"), [("iterations", 0 - 1), ("concurrency", 17), ("delay_ms", 60_001)])
def test_out_of_range_settings_create_no_run(alice, acme, api, field, value):
    with pytest.raises(ValidationFailed) as caught:
        runs.run_start(user=alice, workspace=acme, collection=api["collection"], **{field: value})
    assert field in caught.value.fields
    assert not Run.objects.exists()


def test_stored_assertions_that_no_longer_validate_are_named(alice, acme, api):
    type(api["status"]).objects.filter(pk=api["status"].pk).update(assertions=[{"type": "status", "op": "nope"}])
    with pytest.raises(ValidationFailed) as caught:
        runs.run_start(user=alice, workspace=acme, collection=api["collection"])
    assert "'status'" in caught.value.message and caught.value.code == "unknown_op"


def test_targets_of_another_workspace_are_not_found(alice, carol, acme, api):
    from requests_app.models import Workspace

    carols = Workspace.objects.get(memberships__user=carol)
    with pytest.raises(NotFound):
        runs.run_start(user=carol, workspace=carols, collection=api["collection"])
    with pytest.raises(NotFound):
        runs.run_start(user=carol, workspace=carols, request_ids=[api["login"].pk])
    with pytest.raises(NotFound):
        runs.run_start(user=carol, workspace=acme, collection=api["collection"])


def test_viewer_may_run(victor, acme, api):
    run = start(victor, acme, collection=api["collection"], environment=api["environment"])
    assert run.state == Run.State.PASSED and run.created_by == victor


def test_bail_stops_at_the_first_failure(alice, acme, api):
    data = {"format": "json", "content": '[{"user": "a", "code": "500"}, {"user": "b", "code": "200"}]'}
    run = start(alice, acme, collection=api["collection"], environment=api["environment"], data=data, bail=True)
    assert run.state == Run.State.FAILED
    assert run.results.count() == 3  # iteration 1 ends at "status", iteration 2 never starts


def test_results_are_written_in_batches_not_per_request(alice, acme, api, django_assert_max_num_queries, monkeypatch):
    monkeypatch.setattr(writer, "FLUSH_SECONDS", 60)  # only the batch size and the end flush
    monkeypatch.setattr(writer, "RESULT_BATCH", 50)
    run = runs.run_create(workspace=acme, created_by=alice, request_ids=[api["status"].pk],
                          environment=api["environment"], iterations=120)
    inserts = []
    original = RunResult.objects.bulk_create

    def counting(objs, *args, **kwargs):
        inserts.append(len(objs))
        return original(objs, *args, **kwargs)

    monkeypatch.setattr(RunResult.objects, "bulk_create", counting)
    run = runs.run_execute(run.pk)
    assert run.results.count() == 120
    assert inserts == [50, 50, 20]


def test_secrets_are_masked_in_stored_results(alice, acme, api):
    collection = api["collection"]
    leak = request_create(user=alice, collection=collection, name="leak", url="{{base}}/anything?p={{password}}",
                          assertions=[{"type": "body", "op": "contains", "expected": "nothing-like-this"}])
    run = start(alice, acme, request_ids=[leak.pk], environment=api["environment"])
    result = run.results.get()
    assert "hunter2-secret" not in result.url and "{{password}}" in result.url
    assert "hunter2-secret" not in str(result.assertions)


def test_request_error_is_recorded_and_fails_the_run(alice, acme, api, closed_port):
    broken = request_create(user=alice, collection=api["collection"], name="down",
                            url=f"http://127.0.0.1:{closed_port}/", assertions=STATUS_200)
    run = start(alice, acme, request_ids=[broken.pk])
    result = run.results.get()
    assert result.error["kind"] == "refused" and result.assertions == [] and not result.passed
    assert run.state == Run.State.FAILED and run.totals["errors"] == 1


def test_captures_are_written_back_when_asked_and_allowed(alice, victor, acme, api):
    run = start(alice, acme, request_ids=[api["login"].pk], environment=api["environment"], persist_captures=True)
    assert run.captures_saved is True
    api["environment"].refresh_from_db()
    assert environment_values(api["environment"])["token"] == "tok-ann"
    secret_row = next(row for row in api["environment"].variables if row["key"] == "token")
    assert secret_row["secret"] is True and "tok-ann" not in str(secret_row)
    # A viewer's run does not change the environment.
    run = start(victor, acme, request_ids=[api["login"].pk], environment=api["environment"], persist_captures=True,
                data={"format": "csv", "content": "user\nzed\n"})
    assert run.captures_saved is False
    api["environment"].refresh_from_db()
    assert environment_values(api["environment"])["token"] == "tok-ann"


@pytest.mark.django_db(transaction=True)
def test_cancel_stops_a_running_run(alice, acme, api):
    slow = request_create(user=alice, collection=api["collection"], name="slow", url="{{base}}/get")
    run = runs.run_create(workspace=acme, created_by=alice, request_ids=[slow.pk], iterations=200, delay_ms=50)
    thread = threading.Thread(target=runs.run_execute, args=(run.pk,))
    thread.start()
    deadline = time.monotonic() + 60
    while not RunResult.objects.filter(run=run).exists():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    runs.run_cancel(user=alice, run=run)
    thread.join(timeout=60)
    run.refresh_from_db()
    assert run.state == Run.State.CANCELLED
    assert 0 < run.results.count() < 200


def test_cancel_of_a_queued_run_is_immediate_and_it_never_starts(alice, acme, api):
    run = runs.run_create(workspace=acme, created_by=alice, collection=api["collection"])
    assert runs.run_cancel(user=alice, run=run).state == Run.State.CANCELLED
    assert runs.run_execute(run.pk) is None
    assert not run.results.exists()


def test_only_the_starter_or_an_editor_may_cancel(alice, victor, member_of_acme, acme, api):
    run = runs.run_create(workspace=acme, created_by=victor, collection=api["collection"])
    other_viewer = member_of_acme("viewer")
    with pytest.raises(Forbidden):
        runs.run_cancel(user=other_viewer, run=run)
    assert runs.run_cancel(user=victor, run=run).state == Run.State.CANCELLED
    run2 = runs.run_create(workspace=acme, created_by=victor, collection=api["collection"])
    assert runs.run_cancel(user=alice, run=run2).state == Run.State.CANCELLED


def test_a_run_whose_heartbeat_stopped_is_interrupted(alice, acme, api, settings):
    settings.WEBCLIENT_RUN_STALE_SECONDS = 30
    run = runs.run_create(workspace=acme, created_by=alice, collection=api["collection"])
    Run.objects.filter(pk=run.pk).update(state=Run.State.RUNNING, worker="celery:elsewhere:1",
                                         heartbeat_at=timezone.now() - timedelta(seconds=31))
    fresh = runs.run_create(workspace=acme, created_by=alice, collection=api["collection"])
    Run.objects.filter(pk=fresh.pk).update(state=Run.State.RUNNING, worker="celery:elsewhere:2",
                                           heartbeat_at=timezone.now())
    assert runs.runs_mark_interrupted() == 1
    run.refresh_from_db()
    fresh.refresh_from_db()
    assert run.state == Run.State.INTERRUPTED and run.error == runs.WORKER_GONE and run.finished_at
    assert fresh.state == Run.State.RUNNING


def test_reading_a_stale_run_marks_it_interrupted(alice, acme, api, settings):
    settings.WEBCLIENT_RUN_STALE_SECONDS = 30
    run = runs.run_create(workspace=acme, created_by=alice, collection=api["collection"])
    Run.objects.filter(pk=run.pk).update(state=Run.State.RUNNING, heartbeat_at=timezone.now() - timedelta(minutes=5))
    assert runs.get_run_for_user(alice, run.pk).state == Run.State.INTERRUPTED


def test_worker_start_up_marks_runs_of_dead_local_processes_at_once(alice, acme, api):
    import socket
    import subprocess
    import sys

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(dead.stdout)
    run = runs.run_create(workspace=acme, created_by=alice, collection=api["collection"])
    Run.objects.filter(pk=run.pk).update(state=Run.State.RUNNING, worker=f"celery:{socket.gethostname()}:{dead_pid}",
                                         heartbeat_at=timezone.now())
    assert runs.runs_mark_interrupted() == 0  # the heartbeat is fresh
    assert runs.runs_mark_interrupted(startup=True) == 1
    run.refresh_from_db()
    assert run.state == Run.State.INTERRUPTED


def test_a_worker_left_as_a_zombie_counts_as_gone(alice, acme, api):
    """A killed worker's processes wait as zombies until PID 1 reaps them, which in containers
    may be late or never; kill(pid, 0) still finds them (the cause of a CI failure)."""
    import os
    import socket

    pid = os.fork()
    if pid == 0:
        os._exit(0)
    try:
        deadline = time.monotonic() + 60
        while open(f"/proc/{pid}/stat").read().rpartition(")")[2].split()[0] != "Z":
            assert time.monotonic() < deadline
            time.sleep(0.01)
        run = runs.run_create(workspace=acme, created_by=alice, collection=api["collection"])
        Run.objects.filter(pk=run.pk).update(state=Run.State.RUNNING, heartbeat_at=timezone.now(),
                                             worker=f"celery:{socket.gethostname()}:{pid}")
        assert runs.runs_mark_interrupted(startup=True) == 1
    finally:
        os.waitpid(pid, 0)


def test_a_pid_reused_by_another_process_counts_as_gone(alice, acme, api):
    import socket
    import subprocess
    import sys

    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        host = socket.gethostname()
        start = open(f"/proc/{other.pid}/stat").read().rpartition(")")[2].split()[19]
        reused = runs.run_create(workspace=acme, created_by=alice, collection=api["collection"])
        alive = runs.run_create(workspace=acme, created_by=alice, collection=api["collection"])
        Run.objects.filter(pk=reused.pk).update(state=Run.State.RUNNING, heartbeat_at=timezone.now(),
                                                worker=f"celery:{host}:{other.pid}:{int(start) - 1}")
        Run.objects.filter(pk=alive.pk).update(state=Run.State.RUNNING, heartbeat_at=timezone.now(),
                                               worker=f"celery:{host}:{other.pid}:{start}")
        assert runs.runs_mark_interrupted(startup=True) == 1
        reused.refresh_from_db()
        alive.refresh_from_db()
        assert reused.state == Run.State.INTERRUPTED and alive.state == Run.State.RUNNING
    finally:
        other.kill()
        other.wait()


def test_worker_names_carry_the_process_start_time():
    import os

    name = runs.worker_name("celery")
    assert name.split(":")[2] == str(os.getpid())
    assert name.split(":")[3] == open("/proc/self/stat").read().rpartition(")")[2].split()[19]


def test_junit_report_parses_and_counts_match(alice, acme, api):
    data = {"format": "csv", "content": "user,code\nann,200\nbob,404\n"}
    run = start(alice, acme, collection=api["collection"], environment=api["environment"], data=data)
    text, content_type, filename = runs.run_report(run=run, report_format="junit")
    root = ET.fromstring(text.encode())
    assert content_type == "application/xml" and filename == f"run-{run.pk}.xml"
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("6", "1", "0")
    # A suite per request over both iterations, a case per assertion (the data's user names two of them).
    assert [(s.get("name"), s.get("tests"), s.get("failures")) for s in root.findall("testsuite")] == [
        ("Auth / log in", "1", "0"), ("Profile / me", "2", "0"), ("status", "1", "1")]
    assert [c.get("name") for c in root.find("testsuite[2]").findall("testcase")] == [
        "jsonpath $.args.who[0] equals ann", "jsonpath $.headers[*][1] contains Bearer tok-ann",
        "jsonpath $.args.who[0] equals bob", "jsonpath $.headers[*][1] contains Bearer tok-bob"]
    failure = root.find(".//failure")
    assert "Failed 1 time." in failure.text and "expected: 200" in failure.text and "actual:   404" in failure.text


def test_report_of_an_unfinished_run_is_refused(alice, acme, api):
    run = runs.run_create(workspace=acme, created_by=alice, collection=api["collection"])
    with pytest.raises(ValidationFailed) as caught:
        runs.run_report(run=run, report_format="junit")
    assert caught.value.code == "not_finished"


@pytest.mark.django_db(transaction=True)
def test_local_mode_runs_in_the_background_and_start_returns_at_once(alice, acme, api, settings):
    settings.CELERY_BROKER_URL = ""
    run = runs.run_start(user=alice, workspace=acme, collection=api["collection"], environment=api["environment"])
    assert run.state == Run.State.QUEUED  # returned before any request was sent
    assert runs.wait_for_local_runs(timeout=30)
    run.refresh_from_db()
    assert run.state == Run.State.PASSED and run.mode == Run.Mode.LOCAL
    assert run.worker.startswith("local:")


@pytest.mark.django_db(transaction=True)
def test_an_injected_dispatcher_gets_each_started_run_once_committed(alice, acme, api):
    handed: list[int] = []
    with runs.dispatching_with(handed.append):
        run = runs.run_start(user=alice, workspace=acme, collection=api["collection"])
        rerun = runs.run_rerun(user=alice, run=run)
    assert handed == [run.pk, rerun.pk]  # to the seam, not to a worker: both stay queued
    assert set(Run.objects.values_list("state", flat=True)) == {Run.State.QUEUED}
    assert runs.dispatcher() is runs.to_worker  # the block's end puts the worker back


def test_saving_a_request_validates_its_assertions_and_captures(alice, api):
    with pytest.raises(ValidationFailed) as caught:
        request_create(user=alice, collection=api["collection"], name="bad", url="http://127.0.0.1/",
                       assertions=[{"type": "status", "op": "equals", "expected": "two hundred"}])
    assert caught.value.code == "bad_expected" and "assertions[0].expected" in caught.value.fields
    with pytest.raises(ValidationFailed) as caught:
        request_create(user=alice, collection=api["collection"], name="bad", url="http://127.0.0.1/",
                       captures=[{"variable": "x", "source": "regex", "expression": "(unclosed"}])
    assert caught.value.code == "bad_expression" and "captures[0].expression" in caught.value.fields
    saved = request_create(user=alice, collection=api["collection"], name="ok", url="http://127.0.0.1/",
                           assertions=[{"type": "status", "op": "class", "expected": "2XX"}])
    assert saved.assertions == [{"type": "status", "op": "class", "target": "", "expected": "2xx", "enabled": True}]

"""`manage.py run_collection`: exit codes 0/1/2, reports on disk, stored collections and --file runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from requests_app.models import Run
from requests_app.services.collections import collection_create
from requests_app.services.environments import environment_create
from requests_app.services.saved_requests import request_create

ROOT = Path(__file__).resolve().parents[2]
STATUS_200 = [{"type": "status", "op": "equals", "expected": 200}]


def postman_file(tmp_path: Path, base_url: str, *, second_status: int = 200) -> Path:
    test = "pm.test('ok', function () { pm.response.to.have.status(200); });"
    collection = {
        "info": {"name": "CLI check", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
        "variable": [{"key": "base", "value": base_url}],
        "item": [
            {"name": "get", "request": {"method": "GET", "url": "{{base}}/get?user={{user}}"},
             "event": [{"listen": "test", "script": {"exec": [test]}}]},
            {"name": "post", "request": {"method": "POST", "url": f"{{{{base}}}}/status/{second_status}",
                                         "body": {"mode": "raw", "raw": "{}"}},
             "event": [{"listen": "test", "script": {"exec": [test]}}]},
        ],
    }
    path = tmp_path / "check.postman_collection.json"
    path.write_text(json.dumps(collection))
    return path


def run_cli(*args: str, cwd: Path, **environ: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CELERY_BROKER_URL": "", **environ}
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "run_collection", *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=120,
    )


def test_file_run_that_passes_exits_0_and_writes_reports(tmp_path, echo_server):
    collection = postman_file(tmp_path, echo_server.url())
    data = tmp_path / "users.csv"
    data.write_text("user\nann\nbob\n")
    result = run_cli("--file", str(collection), "--data", str(data), "--reporter", "cli,junit,json,html",
                     "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "| requests   | 4" in result.stdout
    root = ET.parse(report_file(tmp_path / "out", "xml")).getroot()
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("2", "0", "0")  # a testcase per test, over iterations
    assert json.loads(report_file(tmp_path / "out", "json").read_text())["totals"]["requests"] == 4
    assert report_file(tmp_path / "out", "html").read_text().startswith("<!DOCTYPE html>")


def test_file_run_with_a_failed_assertion_exits_1(tmp_path, echo_server):
    collection = postman_file(tmp_path, echo_server.url(), second_status=500)
    result = run_cli("--file", str(collection), cwd=tmp_path)
    assert result.returncode == 1
    assert "FAIL  #1 POST post: ok: expected response to have status code 200 but got 500" in result.stdout
    assert "run failed: 1 assertion(s) failed" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--file", "missing.json"], "cannot read file"),
        (["--file", "broken.json"], "broken.json"),
        (["--file", "check.postman_collection.json", "--data", "rows.txt"], "name a .csv or .json file"),
        (["--file", "check.postman_collection.json", "--data", "bad.csv"], "line 2"),
        (["--file", "check.postman_collection.json", "--reporter", "tap"], "unknown reporter"),
        (["--file", "check.postman_collection.json", "--concurrency", "99"], "--concurrency"),
        (["--iterations", "two"], "invalid int value"),
        ([], "give a collection"),
    ],
)
def test_usage_and_input_errors_exit_2(tmp_path, echo_server, args, message):
    postman_file(tmp_path, echo_server.url())
    (tmp_path / "broken.json").write_text('{"info": {"name": "x"}, "item": [')
    (tmp_path / "rows.txt").write_text("user\nann\n")
    (tmp_path / "bad.csv").write_text("user,id\nann\n")
    before = echo_server.accepted_connections
    result = run_cli(*args, cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert message in result.stderr
    assert echo_server.accepted_connections == before  # nothing was sent


# ------------------------------------------------------------------ file runs start without Django

# `manage.py run_collection <the probe's arguments>` in the probe's own process; `code` its exit code.
RUN_COLLECTION_IN_PROCESS = """
import runpy, sys
sys.argv = ["manage.py", "run_collection", *sys.argv[1:]]
code = 0
try:
    runpy.run_path("manage.py", run_name="__main__")
except SystemExit as end:
    code = end.code
"""
PROBE = RUN_COLLECTION_IN_PROCESS + """
print("exit", code, "django" if any(m == "django" or m.startswith("django.") for m in sys.modules) else "no-django")
"""


def probe(*args: str, cwd: Path = ROOT, **environ: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CELERY_BROKER_URL": "", **environ}
    return subprocess.run([sys.executable, "-c", PROBE, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_a_file_run_never_imports_django(tmp_path, echo_server):
    collection = postman_file(tmp_path, echo_server.url())
    result = probe("--file", str(collection), "--reporter", "cli,junit", "--out", str(tmp_path / "out"))
    assert result.stdout.strip().endswith("exit 0 no-django"), result.stdout + result.stderr
    assert "| requests   | 2" in result.stdout
    assert report_file(tmp_path / "out", "xml").exists()


def test_arguments_the_fast_path_does_not_know_go_to_the_management_command(tmp_path, echo_server):
    collection = postman_file(tmp_path, echo_server.url())
    result = probe("--file", str(collection), "--verbosity", "0")
    assert result.stdout.strip().endswith("exit 0 django"), result.stdout + result.stderr


def test_a_file_run_obeys_the_servers_outbound_policy(tmp_path, echo_server):
    collection = postman_file(tmp_path, echo_server.url())
    before = echo_server.accepted_connections
    result = run_cli("--file", str(collection), cwd=tmp_path, WEBCLIENT_OUTBOUND="public_only")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "ERROR #1 GET get:" in result.stdout and "2 request error(s)" in result.stderr
    assert echo_server.accepted_connections == before  # refused before connecting


def test_a_bad_outbound_setting_is_a_usage_error(tmp_path, echo_server):
    collection = postman_file(tmp_path, echo_server.url())
    result = run_cli("--file", str(collection), cwd=tmp_path, WEBCLIENT_OUTBOUND="everything")
    assert result.returncode == 2
    assert "WEBCLIENT_OUTBOUND settings" in result.stderr


def test_a_bad_limit_in_the_environment_is_a_usage_error(tmp_path, echo_server):
    collection = postman_file(tmp_path, echo_server.url())
    result = run_cli("--file", str(collection), cwd=tmp_path, WEBCLIENT_MAX_RESPONSE_BYTES="ten")
    assert result.returncode == 2 and "settings from the environment" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_file_with_no_requests_is_a_usage_error(tmp_path):
    empty = tmp_path / "empty.postman_collection.json"
    empty.write_text(json.dumps({"info": {"name": "empty", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"}, "item": []}))
    result = run_cli("--file", str(empty), cwd=tmp_path)
    assert result.returncode == 2 and "holds no requests to run" in result.stderr


def test_a_file_run_keeps_the_servers_response_size_cap(tmp_path, echo_server):
    collection = {
        "info": {"name": "big", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
        "item": [{"name": "bytes", "request": {"method": "GET", "url": echo_server.url("/bytes/5000")}}],
    }
    path = tmp_path / "big.postman_collection.json"
    path.write_text(json.dumps(collection))
    result = run_cli("--file", str(path), "--reporter", "json", "--out", str(tmp_path), cwd=tmp_path,
                     WEBCLIENT_MAX_RESPONSE_BYTES="1000")
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(report_file(tmp_path, "json", stem="big.postman_collection-").read_text())["results"][0]["size"] == 1000


def report_file(folder: Path, extension: str, *, stem: str = "check.postman_collection-") -> Path:
    [path] = sorted(folder.glob(f"{stem}*.{extension}"))
    return path


def test_a_report_never_overwrites_the_input_or_an_earlier_report(tmp_path, echo_server):
    """A collection named "race" in DIR/race.json, reports written to DIR: the input survives
    and a second run still reads it (it used to fail on "info: missing")."""
    collection = {
        "info": {"name": "race", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
        "item": [{"name": "get", "request": {"method": "GET", "url": echo_server.url("/get")}}],
    }
    path = tmp_path / "race.json"
    path.write_text(json.dumps(collection))
    original = path.read_bytes()
    for _ in range(2):
        result = run_cli("--file", str(path), "--reporter", "json,junit", "--out", str(tmp_path), cwd=tmp_path)
        assert result.returncode == 0, result.stdout + result.stderr
        assert path.read_bytes() == original
    reports = sorted(p.name for p in tmp_path.glob("race-*"))
    assert len(reports) == 4 and len(set(reports)) == 4, reports
    written = [line.split(": ", 1)[1] for line in result.stderr.splitlines() if " report: " in line]
    assert all(Path(name).exists() for name in written)


# ------------------------------------------------------------------ stored collections (in-process)


@pytest.fixture
def stored(alice, acme, echo_server):
    collection = collection_create(user=alice, workspace=acme, name="Nightly",
                                   variables=[{"key": "base", "value": echo_server.url(), "enabled": True}])
    request_create(user=alice, collection=collection, name="health", url="{{base}}/status/{{code}}",
                   assertions=STATUS_200)
    environment_create(user=alice, workspace=acme, name="staging", variables=[{"key": "code", "value": "200"}])
    environment_create(user=alice, workspace=acme, name="broken", variables=[{"key": "code", "value": "502"}])
    return collection


def test_stored_collection_by_name_passes_and_is_recorded(stored, tmp_path, capsys):
    call_command("run_collection", "Nightly", "--env", "staging", "--reporter", "cli,junit", "--out", str(tmp_path))
    run = Run.objects.get()
    assert run.state == Run.State.PASSED and run.created_by is None and run.worker.startswith("cli:")
    assert ET.parse(report_file(tmp_path, "xml", stem=f"run-{run.pk}-")).getroot().get("tests") == "1"
    assert "Nightly: passed" in capsys.readouterr().out


def test_a_stored_run_reads_and_compiles_its_collection_once(stored, monkeypatch, tmp_path):
    from requests_app.services.runs import plan

    reads = []
    tree_order = plan.tree_order
    monkeypatch.setattr(plan, "tree_order", lambda *args, **kwargs: reads.append(1) or tree_order(*args, **kwargs))
    call_command("run_collection", "Nightly", "--env", "staging", "--reporter", "json", "--out", str(tmp_path))
    assert Run.objects.get().state == Run.State.PASSED
    assert len(reads) == 1  # at creation; the CLI executes that plan at once


def test_stored_collection_by_id_that_fails_exits_1(stored, tmp_path):
    with pytest.raises(CommandError) as caught:
        call_command("run_collection", str(stored.pk), "--env", "broken", "--reporter", "json", "--out", str(tmp_path))
    assert caught.value.returncode == 1
    assert Run.objects.get().state == Run.State.FAILED


def test_ambiguous_or_unknown_names_exit_2(stored, alice, acme):
    with pytest.raises(CommandError) as caught:
        call_command("run_collection", "Nope")
    assert caught.value.returncode == 2
    collection_create(user=alice, workspace=acme, name="Nightly")
    with pytest.raises(CommandError) as caught:
        call_command("run_collection", "Nightly")
    assert caught.value.returncode == 2 and "give the id or --workspace" in str(caught.value)
    with pytest.raises(CommandError) as caught:
        call_command("run_collection", str(stored.pk), "--env", "nowhere")
    assert caught.value.returncode == 2
    assert not Run.objects.exists()

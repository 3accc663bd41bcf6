"""Scripted collections run by newman and by `run_collection --file` against the same recorder.

newman is the reference: the target must receive the same requests (method, path, the headers
scripts set, body) in the same order, and the run must report the same assertions (name,
passed, skipped) in the same order with the same totals.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.scripting import collections
from tests.scripting.recorder import Recorder

ROOT = Path(__file__).resolve().parents[2]


def _significant(received: list[tuple[str, str, dict[str, str], str]]) -> list[tuple[str, str, dict[str, str], str]]:
    """What scripts decide: headers they or the file set (x-*, authorization, content-type) and the body."""
    keep = ("authorization", "content-type")
    return [
        (method, path, {k: v for k, v in headers.items() if k.startswith("x-") or k in keep}, body)
        for method, path, headers, body in received
    ]


def _files(tmp_path: Path, collection: dict[str, Any], data: list[dict[str, str]] | None) -> list[str]:
    (tmp_path / "in").mkdir(parents=True, exist_ok=True)
    args = []
    path = tmp_path / "in" / "collection.json"
    path.write_text(json.dumps(collection))
    env = tmp_path / "in" / "env.json"
    env.write_text(json.dumps(collections.ENVIRONMENT))
    args += [str(path), "-e", str(env)]
    if data is not None:
        rows = tmp_path / "in" / "data.json"
        rows.write_text(json.dumps(data))
        args += ["-d", str(rows)]
    return args


def run_newman(newman: str, tmp_path: Path, build, data=None) -> tuple[list, list[tuple[str, bool, bool]], dict[str, int]]:
    with Recorder() as target:
        args = _files(tmp_path, build(target.base), data)
        report = tmp_path / "newman.json"
        subprocess.run(
            [newman, "run", *args, "--reporters", "json", "--reporter-json-export", str(report)],
            capture_output=True, text=True, timeout=300,
        )
        received = target.received
    run = json.loads(report.read_text())["run"]
    executions, seen = [], set()
    for execution in run["executions"]:
        ref = execution["cursor"]["ref"]  # the json reporter lists an item again after its pm.sendRequest
        if ref not in seen:
            seen.add(ref)
            executions.append(execution)
    assertions = [
        (a["assertion"], "error" not in a, bool(a.get("skipped")))
        for execution in executions
        for a in execution.get("assertions") or []
    ]
    stats = run["stats"]["assertions"]
    # a script that failed (not a pm.test): newman's failures without a test name
    errors = [f["source"]["name"] for f in run["failures"] if not f["error"].get("test")]
    return received, assertions, {"total": stats["total"], "failed": stats["failed"], "script_errors": errors}


def run_ours(tmp_path: Path, build, data=None) -> tuple[list, list[tuple[str, bool, bool]], dict[str, int], dict]:
    with Recorder() as target:
        args = _files(tmp_path, build(target.base), data)
        collection, _, env, *rest = args
        command = [sys.executable, str(ROOT / "manage.py"), "run_collection", "--file", collection, "--env", env]
        if rest:
            command += ["--data", rest[1]]
        out = tmp_path / "ours"
        done = subprocess.run(
            [*command, "--reporter", "json", "--out", str(out)],
            capture_output=True, text=True, timeout=300, env={**os.environ, "CELERY_BROKER_URL": ""},
        )
        received = target.received
    [report_file] = out.glob("*.json")  # collection-<time>.json
    report = json.loads(report_file.read_text())
    assertions = [
        (a["target"], a["passed"], a["op"] == "skip")
        for row in report["results"]
        for a in row["assertions"]
        if a["type"] == "script"
    ]
    totals = report["totals"]
    counted = {
        "total": totals["assertions_passed"] + totals["assertions_failed"],
        "failed": totals["assertions_failed"],
        "script_errors": [row["name"] for row in report["results"] if (row["error"] or {}).get("kind") == "script"],
    }
    return received, assertions, counted, {"returncode": done.returncode, "report": report, "stderr": done.stderr}


@pytest.mark.parametrize(
    "build, data",
    [(collections.chained, collections.DATA), (collections.script_errors, None)],
    ids=["chained-login-hmac-loops-sendrequest-data", "script-errors"],
)
def test_scripted_collection_matches_newman(newman, tmp_path, build, data):
    newman_received, newman_assertions, newman_totals = run_newman(newman, tmp_path / "newman", build, data)
    ours_received, ours_assertions, ours_totals, run = run_ours(tmp_path / "ours", build, data)

    assert _significant(ours_received) == _significant(newman_received)
    assert ours_assertions == newman_assertions
    assert ours_totals == newman_totals
    assert run["returncode"] == 1  # failing tests fail the run, as newman exits 1

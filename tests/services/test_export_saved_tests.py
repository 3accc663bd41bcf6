"""Exports keep a request's saved assertions and captures (issue 19, item 7).

Postman v2.1 and .http have no field for them: they go into the test script, translated into
tests the other tool runs where they translate (checked with newman, the real peer), as
comments otherwise, and an import reads them back, so a round trip keeps every check.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from requests_app.models import Collection, SavedRequest
from requests_app.services.collections import collection_create
from requests_app.services.interop import collection_export, collection_import
from requests_app.services.saved_requests import request_create

ASSERTIONS = [
    {"type": "status", "op": "equals", "expected": 200},
    {"type": "status", "op": "in", "expected": [200, 201]},
    {"type": "header", "op": "exists", "target": "Content-Type"},
    {"type": "body", "op": "contains", "expected": "anything"},
    {"type": "jsonpath", "op": "equals", "target": "$.method", "expected": "GET"},
    {"type": "jsonpath", "op": "length", "target": "$.query[?(@[0]=='a')]", "expected": 1},  # no translation
    {"type": "response_time", "op": "lt", "expected": 5000},
    {"type": "header", "op": "equals", "target": "X-Never", "expected": "50%} {{v}}", "enabled": False},
]
CAPTURES = [
    {"variable": "method", "source": "jsonpath", "expression": "$.method"},
    {"variable": "token", "source": "regex", "expression": "order-(\\d+)", "group": 1, "secret": True},
]


def stored_checks(collection: Any) -> list[tuple[str, Any, Any]]:
    return [(r.name, r.assertions, r.captures) for r in SavedRequest.objects.filter(collection=collection).order_by("name")]


@pytest.fixture
def checked(alice: Any, acme: Any, echo_server: Any) -> Any:
    collection = collection_create(user=alice, workspace=acme, name="Checked",
                                   variables=[{"key": "base", "value": echo_server.url(), "enabled": True}])
    request_create(user=alice, collection=collection, name="a", url="{{base}}/anything?a=1",
                   assertions=ASSERTIONS, captures=CAPTURES, scripts={"test": "console.log('mine');"})
    request_create(user=alice, collection=collection, name="b", url="{{base}}/status/201",
                   assertions=[{"type": "status", "op": "equals", "expected": 200}])
    return collection


@pytest.mark.parametrize("fmt", ["postman", "http"])
def test_a_round_trip_keeps_assertions_captures_and_the_script(alice: Any, acme: Any, checked: Any, fmt: str) -> None:
    _, _, content = collection_export(user=alice, collection_id=checked.pk, format=fmt)
    outcome = collection_import(user=alice, workspace=acme, content=content, name="checked.http")
    again = Collection.objects.get(pk=outcome.created["collections"][0])
    assert stored_checks(again) == stored_checks(checked)
    assert SavedRequest.objects.get(collection=again, name="a").scripts["test"] == "console.log('mine');"
    assert "test" not in SavedRequest.objects.get(collection=again, name="b").scripts


def test_postman_export_writes_tests_postman_runs(alice: Any, checked: Any) -> None:
    _, _, content = collection_export(user=alice, collection_id=checked.pk, format="postman")
    script = "\n".join(json.loads(content)["item"][0]["event"][0]["script"]["exec"])
    assert 'pm.response.to.have.status(200)' in script
    assert 'pm.expect(pm.response.json().method).to.eql("GET")' in script
    lines = script.split("\n")
    for word in ('"op": "length"', "X-Never"):  # no translation / disabled: a comment only
        at = next(i for i, line in enumerate(lines) if word in line)
        assert lines[at].startswith("// webclient assertion: {")
        assert not lines[at + 1].startswith("pm.test")


@pytest.fixture(scope="session")
def newman(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """newman 6 installed by npm into a scratch folder (outside the repository)."""
    if shutil.which("npm") is None:
        pytest.skip("npm is missing: newman (the Postman peer) cannot be installed")
    folder = tmp_path_factory.mktemp("newman")
    subprocess.run(["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(folder), "newman@6.2.2"],
                   check=True, capture_output=True, timeout=600)
    return folder / "node_modules" / ".bin" / "newman"


@pytest.mark.slow
def test_newman_runs_the_exported_checks_against_the_echo_server(alice: Any, checked: Any, newman: Path,
                                                                tmp_path: Path) -> None:
    _, _, content = collection_export(user=alice, collection_id=checked.pk, format="postman")
    path = tmp_path / "checked.json"
    path.write_text(content)
    report = tmp_path / "report.json"
    subprocess.run([str(newman), "run", str(path), "--reporters", "json", "--reporter-json-export", str(report)],
                   capture_output=True, timeout=300)
    runs = json.loads(report.read_text())["run"]["executions"]
    results = {(run["item"]["name"], test["assertion"]): "error" not in test
               for run in runs for test in run.get("assertions", [])}
    assert results[("a", "status equals 200")] is True
    assert results[("a", "jsonpath equals $.method GET")] is True
    assert results[("a", "header exists Content-Type")] is True
    assert results[("a", "body contains anything")] is True
    assert results[("b", "status equals 200")] is False  # /status/201: the check really ran
    assert len([key for key in results if key[0] == "a"]) == 6

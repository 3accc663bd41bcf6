"""The JUnit report against newman's own (`--reporters junit`) for the same scripted collections:
the same suites (one per request), testcases (one per test) and failures, counted the same way."""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.scripting import collections
from tests.scripting.recorder import Recorder
from tests.scripting.test_newman_parity import ROOT, _files


def _shape(path: Path) -> list[tuple]:
    """What both reports must agree on (times, ids, timestamps and the error texts' wording aside)."""
    root = ET.parse(path).getroot()
    return [
        (
            suite.get("name"), suite.get("tests"), suite.get("failures"), suite.get("errors"),
            suite.find("system-err") is not None,
            [
                (case.get("name"), case.get("classname"),
                 None if case.find("failure") is None else (case.find("failure").get("type"), case.find("failure").get("message")),
                 None if case.find("failure") is None else (case.find("failure").text or "").strip().split(".")[0])
                for case in suite.findall("testcase")
            ],
        )
        for suite in root.findall("testsuite")
    ]


def _newman_junit(newman: str, tmp_path: Path, build, data) -> Path:
    report = tmp_path / "newman.xml"
    with Recorder() as target:
        args = _files(tmp_path, build(target.base), data)
        subprocess.run([newman, "run", *args, "--reporters", "junit", "--reporter-junit-export", str(report)],
                       capture_output=True, text=True, timeout=300)
    return report


def _our_junit(tmp_path: Path, build, data) -> Path:
    with Recorder() as target:
        args = _files(tmp_path, build(target.base), data)
        collection, _, env, *rest = args
        command = [sys.executable, str(ROOT / "manage.py"), "run_collection", "--file", collection, "--env", env,
                   *(["--data", rest[1]] if rest else []), "--reporter", "junit", "--out", str(tmp_path / "ours")]
        subprocess.run(command, capture_output=True, text=True, timeout=300, env={**os.environ, "CELERY_BROKER_URL": ""})
    [report] = (tmp_path / "ours").glob("*.xml")
    return report


@pytest.mark.parametrize(
    "build, data",
    [(collections.chained, collections.DATA), (collections.script_errors, None)],
    ids=["chained-login-hmac-loops-sendrequest-data", "script-errors"],
)
def test_junit_report_matches_newmans(newman, tmp_path, build, data):
    theirs = _shape(_newman_junit(newman, tmp_path / "newman", build, data))
    ours = _shape(_our_junit(tmp_path / "ours", build, data))
    for mine, newmans in zip(ours, theirs, strict=True):
        assert mine == newmans
    if build is collections.chained:
        assert sum(1 for suite in ours for case in suite[5] if case[2]) == 2  # it does fail tests, twice each


def _refused_base() -> str:
    """http://127.0.0.1:<a port nothing listens on>."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def _counts(path: Path) -> list[tuple]:
    """Suites, their counts and each testcase's name and outcome (messages differ: newman's chai plugin words them)."""
    root = ET.parse(path).getroot()
    return [
        (suite.get("name"), suite.get("tests"), suite.get("failures"), suite.get("errors"), suite.find("system-err") is not None,
         [(case.get("name"), case.find("failure") is None) for case in suite.findall("testcase")])
        for suite in root.findall("testsuite")
    ]


def test_test_scripts_run_after_a_refused_request_as_newmans_do(newman, tmp_path):
    refused_base = _refused_base()

    def build(base: str) -> dict:
        return collections.refused(base, refused_base)

    theirs = _counts(_newman_junit(newman, tmp_path / "newman", build, None))
    ours = _counts(_our_junit(tmp_path / "ours", build, None))
    assert ours == theirs
    refused_suite = ours[0]
    assert refused_suite[1:5] == ("6", "3", "1", True)  # six tests ran, three read the missing response and failed
    assert [passed for _, passed in refused_suite[5]] == [False, True, False, False, True, True]

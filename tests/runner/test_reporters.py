"""Reports: JUnit parses and counts match, JSON round-trips, HTML escapes, the CLI draws a table."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET

import pytest

from requests_app.runner.assertions import AssertionResult
from requests_app.runner.captures import MASK, CaptureResult
from requests_app.runner.loop import ResultRow, compute_totals
from requests_app.runner.reporters import (
    CliReporter,
    RunReport,
    html_report,
    json_report,
    junit_report,
    render_report,
)

PASS = AssertionResult(True, "status equals 200", 200, 200, "status", "equals")
FAIL = AssertionResult(False, "expected $.id to equal 7, got 8", 7, 8, "jsonpath", "equals", "$.id")


def rows() -> list[ResultRow]:
    out = []
    for iteration in (1, 2):
        out.append(
            ResultRow(
                iteration, 0, "log in", "POST", "http://127.0.0.1:1/login", key=1, path="Auth",
                status=200, time_ms=10.0, size=20, assertions=[PASS],
                captures=[CaptureResult("token", True, "t-secret", secret=True)],
            )
        )
        out.append(
            ResultRow(
                iteration, 1, "<script>alert(1)</script>", "GET", "http://127.0.0.1:1/me?a=<b>", key=2,
                status=200, time_ms=30.0, size=40,
                assertions=[PASS, FAIL if iteration == 2 else PASS],
            )
        )
    out.append(
        ResultRow(
            2, 2, "bye", "GET", "http://127.0.0.1:1/bye", key=3,
            error={"kind": "refused", "code": "", "message": "Connection refused \x00 by 127.0.0.1:1"},
        )
    )
    return out


def report(results=None) -> RunReport:
    results = rows() if results is None else results
    return RunReport(
        title="Users API",
        state="failed",
        totals=compute_totals(results, duration_ms=123.4, iterations=2),
        results=results,
        started_at="2025-01-01T10:00:00Z",
        environment="staging",
        run_id=7,
    )


def test_totals_count_requests_assertions_errors_and_times():
    totals = report().totals
    assert (totals.requests, totals.assertions_passed, totals.assertions_failed, totals.errors) == (5, 5, 1, 1)
    assert totals.mean_ms == pytest.approx(20.0)
    assert totals.p95_ms == 30.0


def test_junit_has_a_suite_per_request_and_a_case_per_test_as_newman():
    root = ET.fromstring(junit_report(report()).encode())
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("3", "1", "1")
    suites = root.findall("testsuite")
    assert [(s.get("name"), s.get("tests"), s.get("failures"), s.get("errors"), s.get("time")) for s in suites] == [
        ("Auth / log in", "1", "0", "0", "0.010"),
        ("<script>alert(1)</script>", "2", "1", "0", "0.030"),
        ("bye", "0", "0", "1", "0.000"),
    ]
    assert suites[0].get("timestamp") == "2025-01-01T10:00:00"
    cases = root.findall(".//testcase")
    assert [(c.get("name"), c.get("classname")) for c in cases] == [
        ("status equals 200", "AuthLogIn"), ("status equals 200", "ScriptAlert1Script"), ("jsonpath $.id equals 7", "ScriptAlert1Script")]
    failure = cases[2].find("failure")
    assert failure.get("type") == "AssertionFailure" and failure.get("message") == "expected $.id to equal 7, got 8"
    assert failure.text.startswith("Failed 1 time.\nCollection name: Users API.\nRequest name: <script>alert(1)</script>.")
    assert "Iteration 2: expected $.id to equal 7, got 8\n  expected: 7\n  actual:   8" in failure.text
    error = suites[2].find("system-err")
    assert error.text.startswith("Iteration: 2\nrefused: Connection refused")
    # NUL cannot be carried by XML 1.0: replaced, and the document still parses.
    assert "\ufffd" in error.text


def test_junit_masks_secret_captures():
    text = junit_report(report())
    assert "t-secret" not in text
    assert f"captured token = {MASK}" in text


def test_junit_of_an_empty_run_is_valid():
    root = ET.fromstring(junit_report(report([])).encode())
    assert root.get("tests") == "0" and root.findall("testsuite") == []


def test_json_report_has_run_totals_and_results():
    data = json.loads(json_report(report()))
    assert data["run"] == {"id": 7, "title": "Users API", "state": "failed", "started_at": "2025-01-01T10:00:00Z", "environment": "staging"}
    assert data["totals"]["requests"] == 5
    assert data["results"][3]["assertions"][1] == FAIL.to_dict()
    assert data["results"][0]["captures"][0]["value"] == MASK
    assert ResultRow.from_dict(data["results"][3]).failed_assertions == 1


def test_html_report_escapes_everything_and_runs_no_script():
    page = html_report(report())
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "a=&lt;b&gt;" in page
    assert "default-src 'none'" in page
    assert "t-secret" not in page
    # failures first
    assert page.index("Failures (2)") < page.index("All results (5)")


def test_html_report_shows_the_scripts_console_output_escaped():
    results = rows()
    results[0].console = [{"level": "log", "text": "token <b>is</b> ••••••"}, {"level": "error", "text": "boom & bust"}]
    page = html_report(report(results))
    assert page.count("Console (") == 1 and "<summary>Console (2)</summary>" in page
    assert '<span class="console-log">log: token &lt;b&gt;is&lt;/b&gt; ••••••</span>\n' in page
    assert '<span class="console-error">error: boom &amp; bust</span>' in page
    assert "<b>is</b>" not in page


def test_unknown_report_format_is_refused():
    with pytest.raises(ValueError, match="unknown report format"):
        render_report(report(), "pdf")


def test_cli_reporter_without_a_terminal_prints_failures_and_a_summary_table():
    stream = io.StringIO()
    cli = CliReporter(stream, total=5)
    for row in rows():
        cli.on_result(row)
    cli.finish(report())
    out = stream.getvalue()
    assert "\r" not in out and "[" not in out.splitlines()[0][:1]
    assert "FAIL  #2 GET <script>alert(1)</script>: expected $.id to equal 7, got 8" in out
    assert "ERROR #2 GET bye: Connection refused" in out
    assert "| assertions | 6        | 1" in out
    assert "Users API: failed in 0.12 s" in out


def test_cli_reporter_on_a_terminal_draws_a_progress_bar():
    stream = io.StringIO()
    cli = CliReporter(stream, total=5, is_tty=True)
    for row in rows():
        cli.on_result(row)
    cli.finish(report())
    out = stream.getvalue()
    assert "[" + "#" * 6 in out and "/5" in out
    assert "\r\x1b[2K" in out

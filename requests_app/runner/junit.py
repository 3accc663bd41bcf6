"""The JUnit XML report, shaped as newman's JUnit reporter writes it. No Django.

    junit_xml(report)   # str

- one <testsuite> per request of the collection (its folder path and name, "Users / list users"),
  over all iterations: `tests` counts the tests of its last run, `failures` the failed executions of
  them, `errors` the executions that got no response or whose scripts failed (listed, one per
  iteration, in <system-err>), `time` the request's mean time;
- one <testcase> per test, named as written (`pm.test('status is 200', …)`; a declarative
  assertion by what it checks, "status equals 200"), classname the request's name in
  CamelCase; a test that failed in any iteration has one <failure> (type AssertionFailure,
  message the first failure's) whose text says how many times it failed and each message;
- a request without tests is an empty <testsuite tests="0">; pm.sendRequest calls are not
  requests of the collection and have none;
- <testsuites> `tests` counts the testcases (one per distinct test name and request), `failures` and `errors` add up the suites' (newman
  puts its count of test-script runs in `tests` and no failures or errors there).

newman 6's output for the same collection has the same suites, names, counts and failures
(tests/runner/test_junit.py compares them). Beyond it, each suite's <system-out> lists what
was sent and received per iteration, and captures (secret ones masked).
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from requests_app.runner.script_steps import SEND_REQUEST_SUFFIX

if TYPE_CHECKING:
    from requests_app.runner.assertions import AssertionResult
    from requests_app.runner.loop import ResultRow
    from requests_app.runner.reporters import RunReport

_ERROR_NAME = re.compile(r"^[A-Za-z]*Error: ")
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: Any) -> str:
    """Characters XML 1.0 cannot carry (NUL, other controls from response bodies) become U+FFFD."""
    return _XML_INVALID.sub("\ufffd", "" if value is None else str(value))


def _seconds(ms: float | None) -> str:
    return f"{(ms or 0) / 1000:.3f}"


def _shown(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def case_name(result: AssertionResult) -> str:
    """A test's name, the same in every iteration (a failed declarative assertion's message holds the actual value)."""
    if result.type == "script":
        return result.target
    expected = "" if result.expected is None else _shown(result.expected).strip('"')
    return " ".join(part for part in (result.type, result.target, result.op, expected) if part)


def _failure_message(result: AssertionResult) -> str:
    if result.type == "script":  # newman gives a thrown error's message without its name
        return _ERROR_NAME.sub("", result.message.removeprefix(f"{result.target}: "), count=1)
    return result.message


def _class_name(suite_name: str) -> str:
    """newman's classname: the request's name in CamelCase, letters and digits only."""
    return "".join(word[:1].upper() + word[1:] for word in re.findall(r"[A-Za-z0-9]+", suite_name))


@dataclass
class _Test:
    name: str
    runs: int = 0
    failures: list[tuple[int, AssertionResult]] = field(default_factory=list)  # (iteration, result)


@dataclass
class _Suite:
    name: str
    key: Any
    rows: list[ResultRow] = field(default_factory=list)
    tests: dict[str, _Test] = field(default_factory=dict)

    def add(self, row: ResultRow) -> None:
        self.rows.append(row)
        for result in row.assertions:
            name = case_name(result)
            test = self.tests.setdefault(name, _Test(name))
            test.runs += 1
            if not result.passed:
                test.failures.append((row.iteration, result))

    @property
    def failures(self) -> int:
        return sum(len(test.failures) for test in self.tests.values())

    @property
    def errors(self) -> int:
        return sum(1 for row in self.rows if row.error is not None)


def _suites(rows: list[ResultRow]) -> list[_Suite]:
    suites: dict[tuple[str, str, Any], _Suite] = {}
    for row in rows:
        if row.name.endswith(SEND_REQUEST_SUFFIX) and row.key is None:
            continue
        name = f"{row.path} / {row.name}" if row.path else row.name
        suites.setdefault((row.path, row.name, row.key), _Suite(name, row.key)).add(row)
    return list(suites.values())


def _summary(row: ResultRow) -> str:
    line = f"Iteration {row.iteration}: {row.method} {row.url} -> {row.status if row.status is not None else 'no response'}"
    if row.time_ms is not None:
        line += f" ({row.time_ms:.1f} ms, {row.size} bytes)"
    lines = [line]
    for capture in row.captures:
        shown = capture.to_dict()
        lines.append(
            f"  captured {capture.variable} = {shown['value']}" if capture.ok else f"  not captured {capture.variable}: {capture.message}"
        )
    return "\n".join(lines)


def _failure_text(report: RunReport, suite: _Suite, test: _Test) -> str:
    lines = [
        f"Failed {len(test.failures)} time{'s' if len(test.failures) != 1 else ''}.",
        f"Collection name: {report.title}.",
        f"Request name: {suite.name}.",
        f"Test description: {test.name}.",
    ]
    lines.append(f"Error message: {_failure_message(test.failures[0][1])}.")
    for iteration, result in test.failures:
        lines.append(f"Iteration {iteration}: {_failure_message(result)}")
        if result.type != "script":
            lines.append(f"  expected: {_shown(result.expected)}")
            lines.append(f"  actual:   {_shown(result.actual)}")
    return "\n".join(lines)


def junit_xml(report: RunReport) -> str:
    suites = _suites(list(report.results))
    root = ET.Element(
        "testsuites",
        name=xml_text(report.title),
        tests=str(sum(len(s.tests) for s in suites)),
        failures=str(sum(s.failures for s in suites)),
        errors=str(sum(s.errors for s in suites)),
        time=_seconds(report.totals.duration_ms),
    )
    timestamp = report.started_at.replace("Z", "").split("+")[0] if report.started_at else ""
    for suite in suites:
        mean_ms = sum(row.time_ms or 0 for row in suite.rows) / len(suite.rows)
        attributes = {"name": xml_text(suite.name)}
        if suite.key is not None:
            attributes["id"] = xml_text(suite.key)
        if timestamp:
            attributes["timestamp"] = timestamp
        attributes.update(
            tests=str(len(suite.rows[-1].assertions)),  # newman: the tests of the request's last run
            failures=str(suite.failures),
            errors=str(suite.errors),
            time=_seconds(mean_ms),
        )
        element = ET.SubElement(root, "testsuite", attributes)
        errors = [
            f"Iteration: {row.iteration}\n{row.error.get('kind', '')}: {row.error.get('message', '')}\n---"
            for row in suite.rows
            if row.error is not None
        ]
        if errors:
            ET.SubElement(element, "system-err").text = xml_text("\n".join(errors))
        for test in suite.tests.values():
            case = ET.SubElement(element, "testcase", name=xml_text(test.name), time=_seconds(mean_ms), classname=_class_name(suite.name))
            if test.failures:
                failure = ET.SubElement(
                    case, "failure", type="AssertionFailure", message=xml_text(_failure_message(test.failures[0][1]))
                )
                failure.text = xml_text(_failure_text(report, suite, test))
        ET.SubElement(element, "system-out").text = xml_text("\n".join(_summary(row) for row in suite.rows))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"

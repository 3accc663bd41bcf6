"""Run reports: JUnit XML for CI, JSON, a standalone HTML page, and the terminal reporter.

Usage::

    report = RunReport(title="Users API", state=outcome.state, totals=outcome.totals,
                       results=outcome.results, started_at="2025-01-01T10:00:00Z", environment="staging")
    junit_report(report)     # str: as newman's JUnit reporter: a <testsuite> per request, a
                             # <testcase> per test (pm.test or assertion); see junit.py
    json_report(report)      # str
    html_report(report)      # str: everything escaped, no script, a CSP that forbids any; scripts'
                             # console output folded under each request's assertions
    cli = CliReporter(sys.stdout, total=500)   # a progress bar on a terminal, failure lines elsewhere
    cli.on_result(row) ...; cli.finish(report)  # then a summary table

Secret captures are masked in every report. Characters XML cannot carry (NUL and
other control characters from response bodies) are replaced by U+FFFD.
"""

from __future__ import annotations

import html
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TextIO

from requests_app.runner.loop import ResultRow, RunTotals

REPORT_FORMATS = ("junit", "json", "html")
REPORT_EXTENSIONS = {"junit": "xml", "json": "json", "html": "html"}
CLI_REPORTER = "cli"

@dataclass
class RunReport:
    title: str
    state: str
    totals: RunTotals
    results: Sequence[ResultRow]
    started_at: str = ""  # ISO 8601
    environment: str = ""
    run_id: Any = None


def _shown(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def junit_report(report: RunReport) -> str:
    from requests_app.runner.junit import junit_xml  # only when a JUnit report is asked for (start-up of CI runs)

    return junit_xml(report)


def report_dict(report: RunReport) -> dict[str, Any]:
    return {
        "run": {
            "id": report.run_id,
            "title": report.title,
            "state": report.state,
            "started_at": report.started_at,
            "environment": report.environment,
        },
        "totals": report.totals.to_dict(),
        "results": [row.to_dict() for row in report.results],
    }


def json_report(report: RunReport) -> str:
    return json.dumps(report_dict(report), ensure_ascii=False, indent=2) + "\n"


_HTML_STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:2rem;color:#1d1d1f}
table{border-collapse:collapse;margin:1rem 0;width:100%}
th,td{border:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f4f4f6}.pass{color:#17702e}.fail{color:#b3261e;font-weight:600}
code{font:12px ui-monospace,monospace;white-space:pre-wrap;word-break:break-all}
ul{margin:0;padding-left:1.2rem}
details.console summary{cursor:pointer;color:#6e6e73;font-size:12px}
details.console pre{font:12px ui-monospace,monospace;white-space:pre-wrap;word-break:break-all;margin:.3rem 0 0;max-height:20em;overflow:auto}
.console-warn{color:#8a5a00}.console-error{color:#b3261e}
"""


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _html_row(row: ResultRow) -> str:
    outcome = '<span class="pass">passed</span>' if row.passed else '<span class="fail">failed</span>'
    checks = "".join(
        f'<li class="{"pass" if a.passed else "fail"}">{_e(a.message)}'
        + ("" if a.passed else f"<br><code>expected {_e(_shown(a.expected))}\nactual   {_e(_shown(a.actual))}</code>")
        + "</li>"
        for a in row.assertions
    )
    if row.error is not None:
        checks += f'<li class="fail">{_e(row.error.get("kind"))}: {_e(row.error.get("message"))}</li>'
    captures = "".join(
        f"<li>{_e(c.variable)} = <code>{_e(c.to_dict()['value'])}</code></li>" if c.ok else f"<li>{_e(c.variable)}: {_e(c.message)}</li>"
        for c in row.captures
    )
    time_ms = "" if row.time_ms is None else f"{row.time_ms:.1f} ms"
    return (
        f"<tr><td>{row.iteration}</td><td>{_e(row.path + ' / ' if row.path else '')}{_e(row.name)}</td>"
        f"<td><code>{_e(row.method)} {_e(row.url)}</code></td><td>{_e(row.status if row.status is not None else '—')}</td>"
        f"<td>{_e(time_ms)}</td><td>{_e(row.size if row.size is not None else '')}</td><td>{outcome}</td>"
        f"<td><ul>{checks}</ul>{_html_console(row)}</td><td><ul>{captures}</ul></td></tr>"
    )


def _html_console(row: ResultRow) -> str:
    """The scripts' console output, folded (as on the run page); stored runs' lines come masked."""
    if not row.console:
        return ""
    lines = "\n".join(
        f'<span class="console-{_e(line.get("level"))}">{_e(line.get("level"))}: {_e(line.get("text"))}</span>' for line in row.console
    )
    return f'<details class="console"><summary>Console ({len(row.console)})</summary><pre>{lines}</pre></details>'



def html_report(report: RunReport) -> str:
    totals = report.totals
    failures = [row for row in report.results if not row.passed]
    header = (
        "<tr><th>Iteration</th><th>Request</th><th>Sent</th><th>Status</th><th>Time</th>"
        "<th>Size</th><th>Outcome</th><th>Assertions</th><th>Captures</th></tr>"
    )
    summary = "".join(
        f"<tr><th>{_e(label)}</th><td>{_e(value)}</td></tr>"
        for label, value in (
            ("State", report.state),
            ("Environment", report.environment or "—"),
            ("Started", report.started_at or "—"),
            ("Iterations", totals.iterations),
            ("Requests", totals.requests),
            ("Assertions passed", totals.assertions_passed),
            ("Assertions failed", totals.assertions_failed),
            ("Errors", totals.errors),
            ("Duration", f"{totals.duration_ms / 1000:.3f} s"),
            ("Mean time", "—" if totals.mean_ms is None else f"{totals.mean_ms:.1f} ms"),
            ("p95 time", "—" if totals.p95_ms is None else f"{totals.p95_ms:.1f} ms"),
        )
    )
    failure_section = (
        f"<h2>Failures ({len(failures)})</h2><table>{header}{''.join(_html_row(r) for r in failures)}</table>" if failures else ""
    )
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
        f"<title>{_e(report.title)} — run report</title><style>{_HTML_STYLE}</style></head><body>"
        f"<h1>{_e(report.title)}</h1><table>{summary}</table>{failure_section}"
        f"<h2>All results ({len(report.results)})</h2><table>{header}{''.join(_html_row(r) for r in report.results)}</table>"
        "</body></html>\n"
    )


def render_report(report: RunReport, report_format: str) -> str:
    if report_format == "junit":
        return junit_report(report)
    if report_format == "json":
        return json_report(report)
    if report_format == "html":
        return html_report(report)
    raise ValueError(f"unknown report format {report_format!r}; use one of {', '.join(REPORT_FORMATS)}")


class CliReporter:
    """Terminal output: a progress bar on a TTY, failures as they happen, a summary table at the end."""

    BAR_WIDTH = 30
    REDRAW_S = 0.1

    def __init__(self, stream: TextIO, *, total: int | None = None, is_tty: bool | None = None) -> None:
        self.stream = stream
        self.total = total
        self.is_tty = stream.isatty() if is_tty is None else is_tty
        self.done = 0
        self.failed = 0
        self._drawn_at = 0.0
        self._bar_visible = False

    def _clear_bar(self) -> None:
        if self._bar_visible:
            self.stream.write("\r\x1b[2K")
            self._bar_visible = False

    def _draw_bar(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._drawn_at < self.REDRAW_S:
            return
        self._drawn_at = now
        if self.total:
            filled = min(self.BAR_WIDTH, self.BAR_WIDTH * self.done // self.total)
            bar = "[" + "#" * filled + "-" * (self.BAR_WIDTH - filled) + f"] {self.done}/{self.total}"
        else:
            bar = f"{self.done} requests"
        self.stream.write(f"\r\x1b[2K{bar}  failed: {self.failed}")
        self.stream.flush()
        self._bar_visible = True

    def on_result(self, row: ResultRow) -> None:
        self.done += 1
        if row.unresolved_variables:
            self._clear_bar()
            names = ", ".join("{{" + name + "}}" for name in row.unresolved_variables)
            self.stream.write(f"WARN  #{row.iteration} {row.method} {row.name}: unresolved, sent as written: {names}\n")
        if not row.passed:
            self.failed += 1
            self._clear_bar()
            self.stream.write(self._failure_line(row) + "\n")
        if self.is_tty:
            self._draw_bar(force=not row.passed)

    @staticmethod
    def _failure_line(row: ResultRow) -> str:
        where = f"#{row.iteration} {row.method} {row.name}"
        if row.error is not None:
            return f"ERROR {where}: {row.error.get('message', '')}"
        reasons = "; ".join(a.message for a in row.assertions if not a.passed)
        return f"FAIL  {where}: {reasons}"

    def finish(self, report: RunReport) -> None:
        self._clear_bar()
        totals = report.totals
        failed_requests = sum(1 for r in report.results if r.error is None and r.failed_assertions)
        table = [
            ("", "executed", "failed"),
            ("iterations", str(totals.iterations), ""),
            ("requests", str(totals.requests), f"{failed_requests} + {totals.errors} errors"),
            ("assertions", str(totals.assertions_passed + totals.assertions_failed), str(totals.assertions_failed)),
        ]
        widths = [max(len(line[i]) for line in table) for i in range(3)]
        rule = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
        out = [rule]
        for number, line in enumerate(table):
            out.append("| " + " | ".join(cell.ljust(widths[i]) for i, cell in enumerate(line)) + " |")
            if number == 0:
                out.append(rule)
        out.append(rule)
        mean = "—" if totals.mean_ms is None else f"{totals.mean_ms:.1f} ms"
        p95 = "—" if totals.p95_ms is None else f"{totals.p95_ms:.1f} ms"
        out.append(f"{report.title}: {report.state} in {totals.duration_ms / 1000:.2f} s · mean {mean} · p95 {p95}")
        self.stream.write("\n".join(out) + "\n")
        self.stream.flush()

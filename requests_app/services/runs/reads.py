"""Reading runs (selectors): the user's runs, one run, its results and its report."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import QuerySet
from django.utils import timezone

from requests_app import access
from requests_app.models import Run, RunResult, Workspace
from requests_app.runner.loop import ResultRow, RunTotals
from requests_app.runner.reporters import REPORT_EXTENSIONS, REPORT_FORMATS, RunReport, render_report
from requests_app.selectors import Filters, filtered
from requests_app.services.errors import ValidationFailed
from requests_app.services.runs.liveness import runs_mark_interrupted, stale_after

NOT_FINISHED = "The run has not finished yet."

TERMINAL_STATES = (Run.State.PASSED, Run.State.FAILED, Run.State.CANCELLED, Run.State.INTERRUPTED)

# Keyset orders (requests_app/keyset.py) of the run list and of a run's results.
RUN_ORDER = ("-created_at", "-id")
RESULT_ORDER = ("iteration", "position", "id")
RESULT_ORDER_FAILURES_FIRST = ("passed", "iteration", "position", "id")

REPORT_CONTENT_TYPES = {"junit": "application/xml", "json": "application/json", "html": "text/html"}


def runs_for_user(user: AbstractBaseUser | None, *, workspace: Workspace | None = None) -> QuerySet[Run]:
    """Runs of the user's workspaces, newest first."""
    return access.runs_for_user(user, workspace=workspace).order_by(*RUN_ORDER)


def run_list(*, user: AbstractBaseUser | None, filters: Filters | None = None) -> QuerySet[Run]:
    """The user's runs, newest first (the page's and the API's list). Filters: workspace, collection."""
    columns = {"workspace": "workspace_id", "collection": "collection_id"}
    return filtered(access.runs_for_user(user), filters, columns).order_by(*RUN_ORDER)


def get_run_for_user(user: AbstractBaseUser | None, run_id: Any) -> Run:
    """access.get_run_for_user (NotFound outside the user's workspaces), with a run whose worker
    went silent marked interrupted first, so the page and API never show it running forever."""
    run = access.get_run_for_user(user, run_id)
    if run.state == Run.State.RUNNING and run.heartbeat_at and run.heartbeat_at < timezone.now() - stale_after():
        runs_mark_interrupted()
        run.refresh_from_db()
    return run


def run_results(
    *,
    run: Run,
    failed_only: bool = False,
    errors_only: bool = False,
    iteration: int | None = None,
    failures_first: bool = False,
) -> QuerySet[RunResult]:
    results = run.results.all()
    if failed_only:
        results = results.filter(passed=False)
    if errors_only:  # the request itself failed (refused, timeout, blocked…), not an assertion
        results = results.filter(error__isnull=False)
    if iteration is not None:
        results = results.filter(iteration=iteration)
    return results.order_by(*(RESULT_ORDER_FAILURES_FIRST if failures_first else RESULT_ORDER))


def result_row(result: RunResult) -> ResultRow:
    """A stored result as the runner's ResultRow (what reports are made of)."""
    return ResultRow.from_dict(
        {
            "iteration": result.iteration,
            "index": result.position,
            "name": result.name,
            "path": result.path,
            "key": result.saved_request_id,
            "method": result.method,
            "url": result.url,
            "status": result.status,
            "time_ms": result.time_ms,
            "size": result.size,
            "assertions": result.assertions,
            "captures": result.captures,
            "error": result.error,
            "unresolved_variables": result.unresolved_variables,
            "console": result.console,
        }
    )


def run_report_data(run: Run) -> RunReport:
    rows = [result_row(result) for result in run_results(run=run)]
    return RunReport(
        title=run.title,
        state=run.state,
        totals=RunTotals.from_dict(run.totals or {}),
        results=rows,
        started_at=run.started_at.isoformat() if run.started_at else "",
        environment=run.environment_name,
        run_id=run.pk,
    )


def run_report(*, run: Run, report_format: str) -> tuple[str, str, str]:
    """(text, content type, file name) of a finished run's report."""
    if report_format not in REPORT_FORMATS:
        raise ValidationFailed.for_field("format", f"must be one of {', '.join(REPORT_FORMATS)}", code="unknown_format")
    if run.state not in TERMINAL_STATES:
        raise ValidationFailed.for_field("format", NOT_FINISHED, code="not_finished")
    text = render_report(run_report_data(run), report_format)
    return text, REPORT_CONTENT_TYPES[report_format], f"run-{run.pk}.{REPORT_EXTENSIONS[report_format]}"

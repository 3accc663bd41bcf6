"""Collection runs: start (returns at once), execute in a worker, cancel, results, reports.

Usage::

    from requests_app.services import runs
    run = runs.run_start(user=user, workspace=ws, collection=c, environment=env, iterations=3,
                         data={"format": "csv", "content": "user\\nann\\nbob\\n"}, bail=False)
    run.state                  # "queued" -> "running" -> "passed" | "failed" | "cancelled" | "interrupted"
    runs.run_cancel(user=user, run=run)
    runs.run_results(run=run, failed_only=True)        # RunResult queryset, failures first
    runs.run_report(run=run, report_format="junit")    # (text, content type, file name)
    runs.run_execute(run.pk)   # the worker's code: the local thread pool and the Celery task call it
    runs.runs_mark_interrupted(startup=True)           # worker start-up and the periodic check

Where the work happens: with CELERY_BROKER_URL set, `requests_app.tasks.execute_run` on a
Celery worker (team mode); otherwise a small thread pool in this process (local mode,
WEBCLIENT_RUN_WORKERS threads). Same code either way.

Inside a run: the network never waits for the database. The run loop
(runner.loop.run_plan) sends on a thread of its own over a keep-alive ConnectionPool,
while the worker's thread stores results in batches (bulk_create every RESULT_BATCH rows
or FLUSH_SECONDS), keeps the live totals, beats the heartbeat and reads the cancel flag. A run whose heartbeat stops for
WEBCLIENT_RUN_STALE_SECONDS, or whose worker process is gone, is marked `interrupted`.

Secrets: stored results pass through the environment's SecretMasker; secret captures are
masked. Viewers may start runs (like sending); only editors may change assertions, and
only a person who may edit the environment gets captures written back to it.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import platform
import queue
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import DatabaseError, close_old_connections, connection, transaction
from django.db import connections as db_connections
from django.db.models import Q, QuerySet
from django.utils import timezone

from requests_app import access
from requests_app.engine.exchange import Cookie, Exchange, Response, Timings
from requests_app.engine.spec import RequestSpec, auth_to_dict
from requests_app.models import (
    Collection,
    Environment,
    Folder,
    HistoryEntry,
    Role,
    Run,
    RunResult,
    SavedRequest,
    Workspace,
)
from requests_app.runner.assertions import AssertionFormatError, AssertionResult, compile_assertions, evaluate
from requests_app.runner.captures import MASK, CaptureFormatError, apply_captures, compile_captures
from requests_app.runner.datafile import DATA_FORMATS, DataFileError, parse_data_file
from requests_app.runner.execute import send_plan
from requests_app.runner.loop import (
    MAX_CONCURRENCY,
    MAX_DELAY_MS,
    MAX_ITERATIONS,
    PlanItem,
    ResultRow,
    RunOutcome,
    RunTotals,
    TotalsCounter,
    make_plan_item,
)
from requests_app.runner.reporters import REPORT_EXTENSIONS, REPORT_FORMATS, RunReport, render_report
from requests_app.runner.responses import ResponseView
from requests_app.services import tree
from requests_app.services.activity import activity_record
from requests_app.services.environments import (
    environment_secret_scope,
    environment_secrets,
    environment_update,
    environment_values,
    environment_variables,
)
from requests_app.services.errors import Forbidden, NotFound, ServiceError, ValidationFailed, VersionConflict
from requests_app.services.execution import collection_values, outbound_policy
from requests_app.services.history import history_exchange, history_list
from requests_app.services.masking import SecretMasker, credential_secrets
from requests_app.services.quotas import ensure_run_size
from requests_app.services.saved_requests import spec_with_collection_auth
from requests_app.services.scripts import environment_rows_after_scripts, script_limits, stored_scripts
from requests_app.services.validation import REQUEST_PARTS

logger = logging.getLogger(__name__)

RESULT_BATCH = 200
FLUSH_SECONDS = 0.5
HEARTBEAT_SECONDS = 5.0
CANCEL_POLL_SECONDS = 0.5
MAX_PLAN_REQUESTS = 2_000

# Messages a person can meet, tested by name.
NO_TARGET = "Choose what to run: a collection, a folder or a list of requests."
ONE_TARGET = "Choose one target: a collection, a folder or a list of requests."
EMPTY_TARGET = "There is nothing to run: the target has no requests."
MIXED_COLLECTIONS = "The requests to run must all belong to one collection."
TOO_MANY_REQUESTS = f"A run may hold at most {MAX_PLAN_REQUESTS} requests."
NOT_FINISHED = "The run has not finished yet."
WORKER_GONE = "The worker running this stopped before the run ended."
QUEUE_UNREACHABLE = "The run could not be handed to a worker: the queue is unreachable."
INTERNAL_ERROR = "The run stopped on an internal error; the server log has the details."
CANNOT_CANCEL = "Only the person who started a run, or an editor, may cancel it."

TERMINAL_STATES = (Run.State.PASSED, Run.State.FAILED, Run.State.CANCELLED, Run.State.INTERRUPTED)


def stale_after() -> timedelta:
    return timedelta(seconds=settings.WEBCLIENT_RUN_STALE_SECONDS)


def worker_name(kind: str) -> str:
    """Who runs it: "<kind>:<host>:<pid>[:<start>]", so a restarted worker can tell its dead
    predecessors. <start> is the process's start time in clock ticks (Linux), so that a pid
    reused by another process after a crash is not taken for the worker that held the run."""
    start = _process_start_ticks(os.getpid())
    name = f"{kind}:{platform.node()}:{os.getpid()}"
    return f"{name}:{start}" if start is not None else name


# ------------------------------------------------------------------ the plan


@dataclass
class Target:
    workspace: Workspace
    collection: Collection
    folder: Folder | None
    requests: list[SavedRequest]  # in tree order
    title: str


def _tree_order(collection: Collection, *, under: Folder | None = None, only: set[int] | None = None) -> list[SavedRequest]:
    """Requests in the collection's one order, depth first (as newman runs them). Two queries."""
    loaded = tree.load(collection, under=under)
    ordered = loaded.requests_in_order(None if under is None else under.pk)
    if only is not None:
        ordered = [saved for saved in ordered if saved.pk in only]
    for saved in ordered:
        saved.folder_path = loaded.path(saved.folder_id)  # type: ignore[attr-defined]
        saved.folder_chain = _folder_chain(saved.folder_id, loaded.folders)  # type: ignore[attr-defined]
    return ordered


def _folder_chain(folder_id: int | None, by_id: dict[int, Folder]) -> list[Folder]:
    """The folders above a request, outermost first."""
    chain = []
    while folder_id is not None and folder_id in by_id and len(chain) <= len(by_id):
        folder = by_id[folder_id]
        chain.append(folder)
        folder_id = folder.parent_id
    return chain[::-1]


def _resolve_target(
    workspace: Workspace,
    collection: Collection | None,
    folder: Folder | None,
    request_ids: list[int] | None,
) -> Target:
    given = [x for x in (collection, folder, request_ids) if x]
    if not given:
        raise ValidationFailed.for_field("collection", NO_TARGET, code="no_target")
    if len(given) > 1:
        raise ValidationFailed.for_field("collection", ONE_TARGET, code="one_target")
    if collection is not None:
        _belongs(collection, workspace, "Collection")
        return Target(workspace, collection, None, _tree_order(collection), collection.name)
    if folder is not None:
        _belongs(folder, workspace, "Folder")
        ordered = _tree_order(folder.collection, under=folder)
        return Target(workspace, folder.collection, folder, ordered, f"{folder.collection.name} / {folder.name}")
    assert request_ids is not None
    ids = list(dict.fromkeys(request_ids))
    found = list(
        SavedRequest.objects.filter(pk__in=ids, collection__workspace=workspace).select_related("collection")
    )
    if len(found) != len(ids):
        raise NotFound("Request not found in this workspace.")
    collections = {saved.collection_id for saved in found}
    if len(collections) != 1:
        raise ValidationFailed.for_field("requests", MIXED_COLLECTIONS, code="mixed_collections")
    owner = found[0].collection
    ordered = _tree_order(owner, only={saved.pk for saved in found})
    names = ", ".join(saved.name for saved in ordered[:3]) + ("…" if len(ordered) > 3 else "")
    return Target(workspace, owner, None, ordered, f"{owner.name}: {names}")


def _belongs(obj: Any, workspace: Workspace, what: str) -> None:
    if access.workspace_id_of(obj) != workspace.pk:
        raise NotFound(f"{what} not found in this workspace.")


def plan_items(saved_requests: Iterable[SavedRequest], collection: Collection) -> list[PlanItem]:
    """Plan items for stored requests; stored assertions/captures that no longer validate are named."""
    items = []
    limit = settings.WEBCLIENT_MAX_RESPONSE_BYTES
    for saved in saved_requests:
        spec = spec_with_collection_auth({part: getattr(saved, part) for part in REQUEST_PARTS}, collection)
        spec.options.max_response_bytes = min(spec.options.max_response_bytes, limit)
        try:
            items.append(
                make_plan_item(
                    name=saved.name,
                    spec=spec,
                    assertions=saved.assertions,
                    captures=saved.captures,
                    key=saved.pk,
                    path=getattr(saved, "folder_path", ""),
                    scripts=stored_scripts(collection, getattr(saved, "folder_chain", []), saved),
                )
            )
        except (AssertionFormatError, CaptureFormatError) as error:
            message = f"{saved.name!r}: {error.message}"
            raise ValidationFailed(message, code=error.code, fields={f"requests[{saved.pk}].{error.field}": [message]}) from None
    return items


def _data_rows(data: dict[str, Any] | None) -> tuple[str, list[dict[str, str]]]:
    if not data:
        return "", []
    data_format = data.get("format", "")
    if data_format not in DATA_FORMATS:
        raise ValidationFailed.for_field("data.format", f"must be one of {', '.join(DATA_FORMATS)}", code="unknown_format")
    content = data.get("content", "")
    if not isinstance(content, (str, bytes)):
        raise ValidationFailed.for_field("data.content", "must be the file's text", code="bad_data")
    try:
        return data_format, parse_data_file(content, data_format)
    except DataFileError as error:
        raise ValidationFailed(str(error), code=error.code, fields={"data.content": [str(error)]}) from None


def _bounded(name: str, value: int, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationFailed.for_field(name, f"must be a whole number from {low} to {high}", code="out_of_range")
    return value


# ------------------------------------------------------------------ start, cancel, read


def run_start(*, user: AbstractBaseUser, workspace: Workspace, **target_and_settings: Any) -> Run:
    """Create a queued run and hand it to a worker; returns at once. Any member may run
    (like sending). Takes run_create's target and settings; invalid input raises
    ValidationFailed and creates nothing."""
    access.ensure_role(user, workspace, "read")
    run = run_create(workspace=workspace, created_by=user, **target_and_settings)
    # A run is shared news, like running a saved request (services.execution).
    activity_record(user=user, verb="started", kind="run", workspace=workspace, object_id=run.pk, name=run.title,
                    detail={"requests": run.planned_requests})
    transaction.on_commit(lambda: _dispatch(run.pk))
    if not transaction.get_connection().in_atomic_block:
        # on_commit ran at once: a broker that refused the run marked it failed, say so (a local
        # worker may have started it already: the answer stays "queued" then, as it was asked)
        refused = Run.objects.filter(pk=run.pk, state=Run.State.FAILED, error=QUEUE_UNREACHABLE).exists()
        if refused:
            run.refresh_from_db(fields=["state", "error", "finished_at"])
    return run


def run_create(**target_and_settings: Any) -> Run:
    """Validate and store a queued run without handing it to a worker (run_start, the CLI).

    No access check here: callers check (run_start) or are the server's operator (the CLI).
    Arguments: those of run_create_planned.
    """
    return run_create_planned(**target_and_settings)[0]


def run_create_planned(
    *,
    workspace: Workspace,
    created_by: AbstractBaseUser | None,
    collection: Collection | None = None,
    folder: Folder | None = None,
    request_ids: list[int] | None = None,
    environment: Environment | None = None,
    iterations: int | None = None,
    data: dict[str, Any] | None = None,
    delay_ms: int = 0,
    bail: bool = False,
    concurrency: int = 1,
    persist_captures: bool = False,
) -> tuple[Run, list[PlanItem]]:
    """run_create, also giving the plan it validated: a caller that executes at once in the same
    process (the CLI) hands it to run_execute instead of reading and compiling the target twice.

    No access check here: callers check (run_start) or are the server's operator (the CLI).
    """
    target = _resolve_target(workspace, collection, folder, request_ids)
    if environment is not None:
        _belongs(environment, workspace, "Environment")
    if not target.requests:
        raise ValidationFailed.for_field("collection", EMPTY_TARGET, code="empty_target")
    if len(target.requests) > MAX_PLAN_REQUESTS:
        raise ValidationFailed.for_field("collection", TOO_MANY_REQUESTS, code="too_many_requests")
    data_format, rows = _data_rows(data)
    if iterations is None or iterations == 0:
        iterations = len(rows) or 1
    _bounded("iterations", iterations, 1, MAX_ITERATIONS)
    _bounded("delay_ms", delay_ms, 0, MAX_DELAY_MS)
    _bounded("concurrency", concurrency, 1, MAX_CONCURRENCY)
    ensure_run_size(iterations * len(target.requests))
    items = plan_items(target.requests, target.collection)  # validates stored assertions before anything is created
    run = Run.objects.create(
        workspace=workspace,
        created_by=created_by if getattr(created_by, "is_authenticated", False) else None,
        collection=target.collection,
        folder=target.folder,
        request_ids=[saved.pk for saved in target.requests] if request_ids else [],
        title=target.title[:300],
        environment=environment,
        environment_name=environment.name if environment else "",
        iterations=iterations,
        delay_ms=delay_ms,
        bail=bail,
        concurrency=concurrency,
        data_format=data_format,
        data_rows=rows,
        persist_captures=persist_captures,
        planned_requests=iterations * len(target.requests),
        mode=Run.Mode.CELERY if settings.CELERY_BROKER_URL else Run.Mode.LOCAL,
    )
    return run, items


def _dispatch(run_id: int) -> None:
    if settings.CELERY_BROKER_URL:
        from requests_app.tasks import execute_run

        try:
            execute_run.apply_async((run_id,), queue=settings.WEBCLIENT_RUN_QUEUE or None)
        except Exception:  # the broker is down: say so on the run instead of leaving it queued
            logger.exception("could not queue run %s", run_id)
            Run.objects.filter(pk=run_id, state=Run.State.QUEUED).update(
                state=Run.State.FAILED, error=QUEUE_UNREACHABLE, finished_at=timezone.now()
            )
        return
    _local_workers().submit(run_id)


def run_cancel(*, user: AbstractBaseUser, run: Run) -> Run:
    """Ask the run to stop: a queued run is cancelled at once, a running one within a second."""
    access.ensure_role(user, run.workspace, "read")
    if run.created_by_id != user.pk and not access.role_allows(access.role_for(user, run.workspace), "edit"):
        raise Forbidden(CANNOT_CANCEL)
    if run.state in TERMINAL_STATES:
        return run
    Run.objects.filter(pk=run.pk).update(cancel_requested=True)
    Run.objects.filter(pk=run.pk, state=Run.State.QUEUED).update(state=Run.State.CANCELLED, finished_at=timezone.now())
    _LOCAL_CANCELS.cancel(run.pk)
    run.refresh_from_db()
    return run


# Keyset orders (requests_app/keyset.py) of the run list and of a run's results.
RUN_ORDER = ("-created_at", "-id")
RESULT_ORDER = ("iteration", "position", "id")
RESULT_ORDER_FAILURES_FIRST = ("passed", "iteration", "position", "id")


def runs_for_user(user: AbstractBaseUser | None, *, workspace: Workspace | None = None) -> QuerySet[Run]:
    """Runs of the user's workspaces, newest first."""
    workspaces = access.workspaces_for_user(user)
    queryset = Run.objects.filter(workspace__in=workspaces.values("pk")).order_by(*RUN_ORDER)
    if workspace is not None:
        queryset = queryset.filter(workspace=workspace)
    return queryset


def get_run_for_user(user: AbstractBaseUser | None, run_id: Any) -> Run:
    """The run, if it belongs to one of the user's workspaces (else NotFound); stale ones are marked first."""
    parsed = access.parse_id(run_id)
    run = None if parsed is None else runs_for_user(user).select_related("workspace").filter(pk=parsed).first()
    if run is None:
        raise NotFound("Run not found.")
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


REPORT_CONTENT_TYPES = {"junit": "application/xml", "json": "application/json", "html": "text/html"}


def run_report(*, run: Run, report_format: str) -> tuple[str, str, str]:
    """(text, content type, file name) of a finished run's report."""
    if report_format not in REPORT_FORMATS:
        raise ValidationFailed.for_field("format", f"must be one of {', '.join(REPORT_FORMATS)}", code="unknown_format")
    if run.state not in TERMINAL_STATES:
        raise ValidationFailed.for_field("format", NOT_FINISHED, code="not_finished")
    text = render_report(run_report_data(run), report_format)
    return text, REPORT_CONTENT_TYPES[report_format], f"run-{run.pk}.{REPORT_EXTENSIONS[report_format]}"


# ------------------------------------------------------------------ execution


class _CancelRegistry:
    """Runs executing in this process, so a cancel from this process reaches them without the database."""

    def __init__(self) -> None:
        self._events: dict[int, threading.Event] = {}
        self._lock = threading.Lock()

    def register(self, run_id: int) -> threading.Event:
        with self._lock:
            return self._events.setdefault(run_id, threading.Event())

    def cancel(self, run_id: int) -> None:
        with self._lock:
            event = self._events.get(run_id)
        if event is not None:
            event.set()

    def forget(self, run_id: int) -> None:
        with self._lock:
            self._events.pop(run_id, None)


_LOCAL_CANCELS = _CancelRegistry()


class _ResultWriter:
    """Stores rows in batches, keeps live totals, beats the heartbeat and reads the cancel flag.

    It works in the thread that called run_execute (the worker's thread, on its database
    connection) while the requests go out on another: the network never waits for the
    database, and every database call of a run happens on one connection. A database
    hiccup keeps the rows for the next try.
    """

    def __init__(self, run: Run, masker: SecretMasker, secret_names: set[str], cancel: threading.Event) -> None:
        self.run_id = run.pk
        self.masker = masker
        self.secret_names = secret_names
        self.cancel = cancel
        self.rows: queue.SimpleQueue[ResultRow] = queue.SimpleQueue()
        self.counter = TotalsCounter()
        self.started = time.perf_counter()
        self.pending: list[RunResult] = []
        self.learnt: dict[str, str] = {}

    def mask_also(self, value: str) -> None:
        """A secret learnt during the run (an OAuth 2.0 token) is masked in what is stored from now on."""
        if value in self.learnt.values():
            return
        self.learnt[f"oauth2_access_token_{len(self.learnt) + 1}"] = value
        self.masker = self.masker.with_secrets(self.learnt)

    def add(self, row: ResultRow) -> None:
        self.rows.put(row)

    def serve(self, plan_done: threading.Event) -> None:
        """Until the plan has ended and every row is stored."""
        last_flush = last_beat = last_cancel_check = time.monotonic()
        while True:
            finished = plan_done.is_set()  # read before draining: rows are queued before it is set
            collect_until = time.monotonic() + (0 if finished else FLUSH_SECONDS / 2)
            try:
                while len(self.pending) < RESULT_BATCH:
                    row = self.rows.get(timeout=max(0.0, collect_until - time.monotonic()))
                    self.counter.add(row)
                    self.pending.append(self._stored(row))
            except queue.Empty:
                pass
            now = time.monotonic()
            beat_due = now - last_beat >= HEARTBEAT_SECONDS
            if self.pending and (finished or len(self.pending) >= RESULT_BATCH or now - last_flush >= FLUSH_SECONDS):
                self._flush(beat=beat_due)
                last_flush = now
            elif beat_due:
                self._beat()
            if beat_due:
                last_beat = now
            if finished and self.rows.empty():
                if self.pending:
                    self._flush(beat=True, retries=20)
                return
            if now - last_cancel_check >= CANCEL_POLL_SECONDS:
                self._check_cancel()
                last_cancel_check = now

    def _stored(self, row: ResultRow) -> RunResult:
        data = row.to_dict()
        for capture in data["captures"]:
            if capture["variable"] in self.secret_names and capture["value"] is not None:
                capture["value"] = MASK
        data = self.masker.deep(data)
        return RunResult(
            run_id=self.run_id,
            iteration=row.iteration,
            position=row.index,
            saved_request_id=row.key,
            name=row.name[:200],
            path=row.path[:500],
            method=row.method[:32],
            url=data["url"],
            status=row.status,
            time_ms=row.time_ms,
            size=row.size,
            passed=row.passed,
            assertions_failed=row.failed_assertions,
            assertions=data["assertions"],
            captures=data["captures"],
            error=data["error"],
            unresolved_variables=data["unresolved_variables"],
            console=data.get("console", []),
        )

    def _flush(self, *, beat: bool, retries: int = 0) -> None:
        for attempt in range(retries + 1):
            try:
                with transaction.atomic():
                    RunResult.objects.bulk_create(self.pending)
                    changes: dict[str, Any] = {"totals": self.live_totals().to_dict()}
                    if beat:
                        changes["heartbeat_at"] = timezone.now()
                    Run.objects.filter(pk=self.run_id).update(**changes)
                self.pending = []
                return
            except DatabaseError:
                if attempt == retries:
                    if retries:
                        raise
                    logger.warning("run %s: storing results failed, will retry", self.run_id, exc_info=True)
                    return
                time.sleep(0.25)

    def _beat(self) -> None:
        try:
            Run.objects.filter(pk=self.run_id).update(heartbeat_at=timezone.now())
        except DatabaseError:
            logger.warning("run %s: heartbeat failed, will retry", self.run_id, exc_info=True)

    def _check_cancel(self) -> None:
        try:
            if Run.objects.filter(pk=self.run_id, cancel_requested=True).exists():
                self.cancel.set()
        except DatabaseError:
            logger.warning("run %s: could not read the cancel flag", self.run_id, exc_info=True)

    def live_totals(self) -> RunTotals:
        return self.counter.progress(duration_ms=(time.perf_counter() - self.started) * 1000)


def _claim(run_id: int, worker: str) -> Run | None:
    now = timezone.now()
    claimed = Run.objects.filter(pk=run_id, state=Run.State.QUEUED, cancel_requested=False).update(
        state=Run.State.RUNNING, started_at=now, heartbeat_at=now, worker=worker[:200]
    )
    if not claimed:
        Run.objects.filter(pk=run_id, state=Run.State.QUEUED, cancel_requested=True).update(
            state=Run.State.CANCELLED, finished_at=now
        )
        return None
    return Run.objects.select_related("workspace", "collection", "folder", "environment", "created_by").get(pk=run_id)


def _plan_for(run: Run) -> list[PlanItem]:
    if run.collection is None:
        raise ServiceError("The collection of this run was deleted.", code="target_gone")
    if run.request_ids:
        ordered = _tree_order(run.collection, only=set(run.request_ids))
    elif run.folder_id is not None:
        if run.folder is None:
            raise ServiceError("The folder of this run was deleted.", code="target_gone")
        ordered = _tree_order(run.collection, under=run.folder)
    else:
        ordered = _tree_order(run.collection)
    return plan_items(ordered, run.collection)


def run_execute(
    run_id: int,
    *,
    worker: str | None = None,
    on_result: Callable[[ResultRow], None] | None = None,
    plan: list[PlanItem] | None = None,
) -> Run | None:
    """Execute a queued run to its end (the task code of both modes); None if someone else has it.

    The requests go out on a thread of their own; this thread stores the results.
    `on_result` (the CLI's progress) is called on the sending thread. `plan`: what
    run_create_planned made for this run in this process moments ago (the CLI); workers,
    which run later, read the target again.
    """
    run = _claim(run_id, worker or worker_name("local"))
    if run is None:
        return None
    cancel = _LOCAL_CANCELS.register(run.pk)
    environment = run.environment
    secrets = environment_secrets(environment)
    writer = _ResultWriter(run, SecretMasker(secrets), set(secrets), cancel)
    error = ""
    ended: list[RunOutcome | BaseException] = []
    try:
        items = plan if plan is not None else _plan_for(run)
        assert run.collection is not None
        role = _runner_role(run)
        if not access.can_edit(role):  # stored credentials are secrets to viewers, in results too
            stored = credential_secrets(*(auth_to_dict(item.spec.auth) for item in items))
            writer.masker = writer.masker.with_secrets(stored)
        settings_of_run = {
            "iterations": run.iterations,
            "data_rows": run.data_rows,
            "collection_vars": collection_values(run.collection),
            "environment_vars": environment_values(environment),
            "secrets": environment_secret_scope(environment, role=role),
            "delay_ms": run.delay_ms,
            "bail": run.bail,
            "concurrency": run.concurrency,
            "script_limits": script_limits(),
            "script_secrets": secrets,  # scripts see the mask; requests get the values
        }

        def deliver(row: ResultRow) -> None:
            writer.add(row)
            if on_result is not None:
                on_result(row)

        plan_done = threading.Event()

        def send_all() -> None:
            try:
                ended.append(
                    execute_plan(items, on_result=deliver, should_cancel=cancel.is_set, keep_results=False,
                                 user=run.created_by, workspace=run.workspace, on_token=writer.mask_also,
                                 **settings_of_run)
                )
            except BaseException as exc:
                ended.append(exc)
            finally:
                plan_done.set()

        sender = threading.Thread(target=send_all, name=f"run-{run.pk}-send", daemon=True)
        sender.start()
        try:
            writer.serve(plan_done)
        finally:
            cancel.set()  # if storing failed, stop sending too
            sender.join()
    except ServiceError as exc:
        error = exc.message
    except Exception:
        logger.exception("run %s: storing results failed", run.pk)
        error = INTERNAL_ERROR
    finally:
        _LOCAL_CANCELS.forget(run.pk)
    outcome = ended[0] if ended and isinstance(ended[0], RunOutcome) else None
    if ended and not isinstance(ended[0], RunOutcome):
        logger.error("run %s failed", run.pk, exc_info=ended[0])
        error = error or INTERNAL_ERROR
    changes: dict[str, Any] = {"finished_at": timezone.now(), "heartbeat_at": timezone.now()}
    if outcome is not None:
        changes["totals"] = outcome.totals.to_dict()
    if outcome is not None and not error:
        changes["state"] = outcome.state
    else:
        changes["state"] = Run.State.FAILED
        changes["error"] = error or INTERNAL_ERROR
    Run.objects.filter(pk=run.pk).update(**changes)
    script_env = outcome.script_variables.get("environment") if outcome is not None else None
    if outcome is not None and not error and run.persist_captures and environment is not None and (outcome.captured or script_env is not None):
        _write_back(run, environment, outcome.captured, outcome.secret_captures, script_env, settings_of_run["environment_vars"])
    run.refresh_from_db()
    return run


def _runner_role(run: Run) -> str | None:
    """The role secrets are judged by: the person who started the run; the server's operator (a
    `run_collection` command, no person) counts as an owner."""
    if run.created_by_id is None:
        return Role.OWNER
    return access.role_for(run.created_by, run.workspace_id)


def execute_plan(
    items: list[PlanItem], *, user: AbstractBaseUser | None = None, workspace: Workspace | None = None,
    on_token: Callable[[str], None] | None = None, **run_settings: Any,
) -> RunOutcome:
    """runner.execute.send_plan with the server's outbound policy and request body limit; steps
    with OAuth 2.0 auth get the runner's token (refreshed first when due) when `user` is given;
    `on_token(token)` hears each token before it is sent, to mask it in what is stored."""
    before_send = None
    if user is not None and workspace is not None and any(item.spec.auth.type == "oauth2" for item in items):
        from requests_app.services import oauth

        def before_send(spec: RequestSpec, variables: Any) -> list[str]:
            if spec.auth.type != "oauth2":
                return []
            token, warnings = oauth.oauth_token_for_send(
                user=user, workspace=workspace, auth=oauth.resolved_auth(spec.auth, list(variables))
            )
            spec.auth.token = token
            if token and on_token is not None:
                on_token(token)
            return warnings

    try:
        return send_plan(
            items,
            policy=outbound_policy(),
            max_request_body_bytes=settings.WEBCLIENT_MAX_REQUEST_BODY_BYTES,
            before_send=before_send,
            **run_settings,
        )
    finally:
        if before_send is not None:
            # Token lookups ran on this (sending) thread: its database connections end with it.
            db_connections.close_all()


def _write_back(
    run: Run,
    environment: Environment,
    captured: dict[str, str],
    secret_names: set[str],
    script_env: dict[str, Any] | None = None,
    env_before: dict[str, str] | None = None,
) -> None:
    """Captured values and the scripts' pm.environment changes into the environment, when the
    person who ran it may edit it (Postman's runner keeps variable values the same way)."""
    user = run.created_by
    try:
        fresh = access.get_environment_for_user(user, environment.pk, need="edit")
    except (NotFound, Forbidden):
        Run.objects.filter(pk=run.pk).update(captures_saved=False)
        return
    for _attempt in range(3):
        rows = environment_variables(fresh)  # secrets as the mask: environment_update keeps them
        if script_env is not None:
            rows, _ = environment_rows_after_scripts(rows, env_before or {}, script_env)
        seen = set()
        for row in rows:
            if row["key"] in captured:
                row["value"] = captured[row["key"]]
                seen.add(row["key"])
        for key, value in captured.items():
            if key not in seen:
                rows.append({"key": key, "value": value, "secret": key in secret_names, "enabled": True})
        try:
            environment_update(user=user, environment=fresh, version=fresh.version, variables=rows)
        except VersionConflict:
            fresh = access.get_environment_for_user(user, environment.pk, need="edit")
            continue
        Run.objects.filter(pk=run.pk).update(captures_saved=True)
        return


# ------------------------------------------------------------------ local mode workers


class _LocalWorkers:
    """A small thread pool for runs in local mode, and a thread that beats the heartbeat of
    the runs waiting in it and periodically marks runs of stopped workers interrupted."""

    def __init__(self, size: int) -> None:
        self.name = worker_name("local")
        self.pool = ThreadPoolExecutor(max_workers=size, thread_name_prefix="webclient-run")
        self.futures: dict[Future[Any], int] = {}
        self.lock = threading.Lock()
        self.checker = threading.Thread(target=self._check_periodically, name="webclient-run-check", daemon=True)
        self.checker.start()

    def submit(self, run_id: int) -> None:
        Run.objects.filter(pk=run_id).update(worker=self.name, heartbeat_at=timezone.now())
        future = self.pool.submit(self._execute, run_id)
        with self.lock:
            self.futures[future] = run_id
        future.add_done_callback(self._done)

    def _done(self, future: Future[Any]) -> None:
        with self.lock:
            self.futures.pop(future, None)

    def _execute(self, run_id: int) -> None:
        close_old_connections()
        try:
            run_execute(run_id, worker=self.name)
        except Exception:
            logger.exception("local run %s failed", run_id)
        finally:
            connection.close()

    def wait(self, timeout: float = 60.0) -> bool:
        """Until every submitted run ended (tests, the CLI); True when they all did."""
        deadline = time.monotonic() + timeout
        while True:
            with self.lock:
                pending = list(self.futures)
            if not pending:
                return True
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            for future in pending:
                try:
                    future.result(timeout=max(0.0, deadline - time.monotonic()))
                except Exception:
                    pass

    def _check_periodically(self) -> None:
        check_every = max(HEARTBEAT_SECONDS, stale_after().total_seconds() / 2)
        last_check = time.monotonic()
        while True:
            time.sleep(HEARTBEAT_SECONDS)
            try:
                with self.lock:
                    held = list(self.futures.values())
                if held:
                    Run.objects.filter(pk__in=held, state=Run.State.QUEUED).update(heartbeat_at=timezone.now())
                if time.monotonic() - last_check >= check_every:
                    last_check = time.monotonic()
                    runs_mark_interrupted()
            except Exception:
                logger.warning("periodic check of runs failed", exc_info=True)
            finally:
                connection.close()


_local: _LocalWorkers | None = None
_local_lock = threading.Lock()


def _local_workers() -> _LocalWorkers:
    global _local
    with _local_lock:
        if _local is None:
            runs_mark_interrupted(startup=True)  # this process is new: runs of dead local workers stopped
            _local = _LocalWorkers(settings.WEBCLIENT_RUN_WORKERS)
        return _local


def wait_for_local_runs(timeout: float = 60.0) -> bool:
    return True if _local is None else _local.wait(timeout)


# ------------------------------------------------------------------ stopped workers


def _process_stat(pid: int) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the command name, or None where there is none."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            return stat.read().rpartition(")")[2].split()
    except OSError:
        return None


def _process_start_ticks(pid: int) -> str | None:
    fields = _process_stat(pid)
    return fields[19] if fields and len(fields) > 19 else None  # field 22 of stat(5): starttime


def _process_is_gone(worker: str) -> bool:
    """True for a worker on this host whose process no longer exists.

    A killed worker's processes are re-parented to PID 1, which in containers and micro-VMs
    often reaps late or never: until then they are zombies (state Z), which `kill(pid, 0)`
    still finds. A zombie, a dead process (X) and a pid now held by a process that started at
    another time all count as gone.
    """
    parts = worker.split(":")
    if len(parts) not in (3, 4) or parts[1] != platform.node() or not parts[2].isdigit():
        return False
    pid = int(parts[2])
    if pid == os.getpid():
        return False
    fields = _process_stat(pid)
    if fields is not None:
        if fields[0] in ("Z", "X", "x"):
            return True
        return len(parts) == 4 and len(fields) > 19 and fields[19] != parts[3]
    try:
        os.kill(pid, 0)  # no /proc (not Linux): ask the kernel
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def runs_mark_interrupted(*, startup: bool = False) -> int:
    """Mark runs whose worker stopped as interrupted; returns how many.

    Always: running runs, and queued runs of local mode (they live in one process's
    memory), whose heartbeat is older than WEBCLIENT_RUN_STALE_SECONDS. At a worker's
    start-up also: runs of worker processes on this host that no longer exist, at once.
    """
    now = timezone.now()
    cutoff = now - stale_after()
    held = Run.objects.filter(Q(state=Run.State.RUNNING) | Q(state=Run.State.QUEUED, mode=Run.Mode.LOCAL))
    stale = held.filter(Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, created_at__lt=cutoff))
    marked = stale.update(state=Run.State.INTERRUPTED, error=WORKER_GONE, finished_at=now)
    if startup:
        candidates = held.exclude(worker="").values_list("pk", "worker")
        gone = [pk for pk, worker in candidates if _process_is_gone(worker)]
        if gone:
            marked += held.filter(pk__in=gone).update(state=Run.State.INTERRUPTED, error=WORKER_GONE, finished_at=now)
    if marked:
        logger.info("marked %s run(s) interrupted", marked)
    return marked


# ------------------------------------------------------------------ re-run, compare, try tests


def run_rerun(*, user: AbstractBaseUser, run: Run) -> Run:
    """Start a new run with this run's target and settings (its data rows too); any member may."""
    if run.collection_id is None:
        raise ValidationFailed.for_field("collection", "The collection of this run was deleted.", code="target_gone")
    target: dict[str, Any] = {}
    if run.request_ids:
        target["request_ids"] = list(run.request_ids)
    elif run.folder_id is not None:
        target["folder"] = run.folder
    else:
        target["collection"] = run.collection
    data = {"format": "json", "content": json.dumps(run.data_rows)} if run.data_rows else None
    return run_start(
        user=user,
        workspace=run.workspace,
        environment=run.environment,
        iterations=run.iterations,
        data=data,
        delay_ms=run.delay_ms,
        bail=run.bail,
        concurrency=run.concurrency,
        persist_captures=run.persist_captures,
        **target,
    )


NOT_COMPARABLE = "Only runs of the same target can be compared."


@dataclass
class AssertionChange:
    """One assertion whose outcome differs between two runs (None: it did not run there)."""

    iteration: int
    request: str
    assertion: str
    before: bool | None
    after: bool | None
    before_message: str = ""
    after_message: str = ""

    @property
    def change(self) -> str:
        if self.before is None:
            return "new"
        if self.after is None:
            return "gone"
        return "fixed" if self.after else "broken"


@dataclass
class RunComparison:
    before: Run
    after: Run
    changes: list[AssertionChange]
    unchanged: int


def _same_target(a: Run, b: Run) -> bool:
    return (a.collection_id, a.folder_id, sorted(a.request_ids or [])) == (
        b.collection_id, b.folder_id, sorted(b.request_ids or [])
    )


def _assertion_outcomes(run: Run) -> dict[tuple[int, str, str, int], tuple[str, str, bool, str]]:
    """{(iteration, request key, assertion label, nth of that label): (request, label, passed, message)}."""
    outcomes: dict[tuple[int, str, str, int], tuple[str, str, bool, str]] = {}
    rows = run.results.order_by("iteration", "position", "id").values_list(
        "iteration", "saved_request_id", "name", "path", "assertions"
    )
    for iteration, saved_id, name, path, assertions in rows:
        request_key = str(saved_id) if saved_id is not None else f"{path}/{name}"
        request_label = f"{path} / {name}" if path else name
        seen: dict[str, int] = {}
        for item in assertions or []:
            label = " ".join(str(part) for part in (item.get("type"), item.get("target"), item.get("op")) if part)
            nth = seen[label] = seen.get(label, -1) + 1
            outcomes[(iteration, request_key, label, nth)] = (
                request_label, label, bool(item.get("passed")), str(item.get("message", ""))
            )
    return outcomes


def runs_of_same_target(*, user: AbstractBaseUser, run: Run, limit: int = 30) -> list[Run]:
    """Other runs of this run's target, newest first: what it can be compared with."""
    candidates = (
        runs_for_user(user, workspace=run.workspace)
        .filter(collection_id=run.collection_id, folder_id=run.folder_id)
        .exclude(pk=run.pk)
    )
    if not run.request_ids:
        return list(candidates.filter(request_ids=[])[:limit])
    return [other for other in candidates[: limit * 4] if _same_target(run, other)][:limit]


def run_compare(*, run: Run, other: Run) -> RunComparison:
    """Which assertions changed status between two runs of the same target (older one first)."""
    if run.workspace_id != other.workspace_id or not _same_target(run, other):
        raise ValidationFailed.for_field("other", NOT_COMPARABLE, code="not_comparable")
    before, after = sorted((run, other), key=lambda r: (r.created_at, r.pk))
    old, new = _assertion_outcomes(before), _assertion_outcomes(after)
    changes: list[AssertionChange] = []
    unchanged = 0
    for key in sorted(old.keys() | new.keys(), key=lambda k: (k[0], k[1], k[2], k[3])):
        was, now = old.get(key), new.get(key)
        if was is not None and now is not None and was[2] == now[2]:
            unchanged += 1
            continue
        shown = now or was
        assert shown is not None
        changes.append(
            AssertionChange(
                iteration=key[0],
                request=shown[0],
                assertion=shown[1],
                before=None if was is None else was[2],
                after=None if now is None else now[2],
                before_message=was[3] if was else "",
                after_message=now[3] if now else "",
            )
        )
    return RunComparison(before=before, after=after, changes=changes, unchanged=unchanged)


NO_RESPONSE_YET = "There is no response of this request to try against yet: send it once first."


@dataclass
class TestsPreview:
    """Assertions and captures evaluated against a recorded response; nothing was sent."""

    assertions: list[AssertionResult]
    captures: list[dict[str, Any]]
    status: int | None
    recorded_at: Any


def _exchange_from_record(data: dict[str, Any]) -> Exchange:
    """An engine Exchange from a recorded exchange dict (engine.exchange.exchange_to_dict shape)."""
    timings = Timings(**{k: v for k, v in (data.get("timings") or {}).items() if k in Timings.__dataclass_fields__})
    recorded = data.get("response")
    response = None
    if recorded:
        if "body_base64" in recorded:
            body = base64.b64decode(recorded.get("body_base64") or "")
        else:
            body = str(recorded.get("body_text") or "").encode("utf-8")
        response = Response(
            http_version=str(recorded.get("http_version", "")),
            status=int(recorded.get("status") or 0),
            reason=str(recorded.get("reason", "")),
            headers=[(str(k), str(v)) for k, v in recorded.get("headers") or []],
            cookies=[Cookie(name=str(c.get("name", "")), value=str(c.get("value", ""))) for c in recorded.get("cookies") or []],
            body=body,
            content_type=str(recorded.get("content_type", "")),
            charset="utf-8" if "body_text" in recorded else str(recorded.get("charset", "")),
            kind=str(recorded.get("kind", "empty")),
        )
    return Exchange(response=response, timings=timings)


def request_tests_try(
    *,
    user: AbstractBaseUser,
    saved_request: SavedRequest,
    assertions: list[Any],
    captures: list[Any],
    history_entry: HistoryEntry | None = None,
) -> TestsPreview:
    """Evaluate (unsaved) assertions and captures against the given history entry, or the user's
    latest one of this request, without sending anything. Viewers may try; invalid lists raise
    ValidationFailed naming the field."""
    access.ensure_role(user, saved_request, "read")
    try:
        compiled_assertions = compile_assertions(assertions)
        compiled_captures = compile_captures(captures)
    except (AssertionFormatError, CaptureFormatError) as error:
        raise ValidationFailed(error.message, code=error.code, fields={error.field: [error.message]}) from None
    entry = history_entry
    if entry is None:
        entry = history_list(user=user, saved_request=saved_request).defer(None).first()
    if entry is None:
        raise ValidationFailed.for_field("history", NO_RESPONSE_YET, code="no_response")
    exchange = _exchange_from_record(history_exchange(entry))
    view = ResponseView(exchange)
    return TestsPreview(
        assertions=evaluate(compiled_assertions, view),
        captures=[result.to_dict() for result in apply_captures(compiled_captures, view)],
        status=exchange.response.status if exchange.response else None,
        recorded_at=entry.created_at,
    )

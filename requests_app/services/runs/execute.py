"""Executing a queued run to its end: the task code of the Celery worker, the local pool and the CLI.

The requests go out on a thread of their own (runner.execute.send_plan over a keep-alive
ConnectionPool) while the calling thread stores results (writer.ResultWriter). Captures and the
scripts' environment changes are written back when the person who ran it may edit the environment.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import connections as db_connections
from django.utils import timezone

from requests_app import access
from requests_app.engine.spec import RequestSpec, auth_to_dict
from requests_app.models import Environment, Role, Run, Workspace
from requests_app.runner.execute import send_plan
from requests_app.runner.loop import PlanItem, ResultRow, RunOutcome
from requests_app.services.environments import (
    environment_secret_scope,
    environment_secrets,
    environment_update,
    environment_values,
    environment_variables,
)
from requests_app.services.errors import Forbidden, NotFound, ServiceError, VersionConflict
from requests_app.services.execution import collection_values, outbound_policy
from requests_app.services.masking import SecretMasker, credential_secrets
from requests_app.services.runs import plan as planning
from requests_app.services.runs.liveness import worker_name
from requests_app.services.runs.writer import ResultWriter
from requests_app.services.scripts import environment_rows_after_scripts, script_limits

logger = logging.getLogger(__name__)

INTERNAL_ERROR = "The run stopped on an internal error; the server log has the details."


class CancelRegistry:
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


LOCAL_CANCELS = CancelRegistry()


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
    cancel = LOCAL_CANCELS.register(run.pk)
    environment = run.environment
    secrets = environment_secrets(environment)
    writer = ResultWriter(run, SecretMasker(secrets), set(secrets), cancel)
    error = ""
    ended: list[RunOutcome | BaseException] = []
    try:
        items = plan if plan is not None else planning.plan_of_run(run)
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
            "record_shapes": run.monitor_id is not None,  # a monitor compares response shapes
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
        LOCAL_CANCELS.forget(run.pk)
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
    if user is None:  # the server's operator (a run_collection command) edits nobody's environment
        Run.objects.filter(pk=run.pk).update(captures_saved=False)
        return
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

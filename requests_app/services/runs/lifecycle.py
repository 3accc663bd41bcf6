"""Starting, dispatching, cancelling and re-running runs (the writes a person asks for)."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from requests_app import access
from requests_app.models import Collection, Environment, Folder, Run, Workspace
from requests_app.services.activity import activity_record
from requests_app.services.errors import Forbidden, ValidationFailed
from requests_app.services.runs.dispatch import QUEUE_UNREACHABLE, dispatcher
from requests_app.services.runs.execute import LOCAL_CANCELS
from requests_app.services.runs.plan import run_create
from requests_app.services.runs.reads import TERMINAL_STATES

CANNOT_CANCEL = "Only the person who started a run, or an editor, may cancel it."


def run_start(
    *, user: AbstractBaseUser, workspace: Workspace,
    collection: Collection | None = None, folder: Folder | None = None, request_ids: list[int] | None = None,
    environment: Environment | None = None, iterations: int | None = None, data: dict[str, Any] | None = None,
    delay_ms: int = 0, bail: bool = False, concurrency: int = 1, persist_captures: bool = False,
) -> Run:
    """Create a queued run and hand it to a worker; returns at once. Any member may run (like
    sending). The target and settings are run_create's; invalid input raises ValidationFailed
    and creates nothing."""
    access.ensure_role(user, workspace, "read")
    run = run_create(
        workspace=workspace, created_by=user, collection=collection, folder=folder, request_ids=request_ids,
        environment=environment, iterations=iterations, data=data, delay_ms=delay_ms, bail=bail,
        concurrency=concurrency, persist_captures=persist_captures,
    )
    # A run is shared news, like running a saved request (services.execution).
    activity_record(user=user, verb="started", kind="run", workspace=workspace, object_id=run.pk, name=run.title,
                    detail={"requests": run.planned_requests})
    run_dispatch(run)
    if not transaction.get_connection().in_atomic_block:
        # on_commit ran at once: a broker that refused the run marked it failed, say so (a local
        # worker may have started it already: the answer stays "queued" then, as it was asked)
        refused = Run.objects.filter(pk=run.pk, state=Run.State.FAILED, error=QUEUE_UNREACHABLE).exists()
        if refused:
            run.refresh_from_db(fields=["state", "error", "finished_at"])
    return run


def run_dispatch(run: Run) -> None:
    """Hand a run made by run_create to the current dispatcher once the transaction commits
    (run_start; monitors, whose runs are ordinary runs started without run_start's access check
    and activity line)."""
    send = dispatcher()  # the one in force now, not at commit time
    transaction.on_commit(lambda: send(run.pk))


def run_cancel(*, user: AbstractBaseUser, run: Run) -> Run:
    """Ask the run to stop: a queued run is cancelled at once, a running one within a second."""
    access.ensure_role(user, run.workspace, "read")
    if run.created_by_id != user.pk and not access.role_allows(access.role_for(user, run.workspace), "edit"):
        raise Forbidden(CANNOT_CANCEL)
    if run.state in TERMINAL_STATES:
        return run
    Run.objects.filter(pk=run.pk).update(cancel_requested=True)
    Run.objects.filter(pk=run.pk, state=Run.State.QUEUED).update(state=Run.State.CANCELLED, finished_at=timezone.now())
    LOCAL_CANCELS.cancel(run.pk)
    run.refresh_from_db()
    return run


def run_rerun(*, user: AbstractBaseUser, run: Run) -> Run:
    """Start a new run with this run's target and settings (its data rows too); any member may."""
    if run.collection_id is None:
        raise ValidationFailed.for_field("collection", "The collection of this run was deleted.", code="target_gone")
    data = {"format": "json", "content": json.dumps(run.data_rows)} if run.data_rows else None
    return run_start(
        user=user,
        workspace=run.workspace,
        collection=run.collection if not run.request_ids and run.folder_id is None else None,
        folder=run.folder if not run.request_ids else None,
        request_ids=list(run.request_ids) if run.request_ids else None,
        environment=run.environment,
        iterations=run.iterations,
        data=data,
        delay_ms=run.delay_ms,
        bail=run.bail,
        concurrency=run.concurrency,
        persist_captures=run.persist_captures,
    )

"""Celery tasks (team mode: `celery -A webclient worker`; add `-B`, or run `celery -A webclient beat`,
for the periodic check). Local mode runs the same code in an in-process thread pool.

Usage::

    execute_run.delay(run.pk)        # services.runs.dispatch.to_worker does this when CELERY_BROKER_URL is set
    mark_interrupted_runs.delay()    # also every WEBCLIENT_RUN_STALE_SECONDS / 2 through beat
    monitors_tick.delay()            # every WEBCLIENT_MONITOR_TICK_SECONDS through beat (monitors)
    execute_delete.delay(job.pk)     # services.deletes.delete_start does this for a big delete

When a worker starts, runs left `running` by worker processes of this host that no longer
exist are marked `interrupted` at once; other stale runs when their heartbeat goes stale.
"""

from __future__ import annotations

from typing import Any

from celery import shared_task
from celery.signals import worker_ready
from django.conf import settings
from django.db import close_old_connections

from requests_app.services import deletes, runs
from requests_app.services.monitor_ticks import monitors_tick as run_monitors_tick
from webclient.celery import app


@shared_task(name="requests_app.execute_run", ignore_result=True)
def execute_run(run_id: int) -> None:
    close_old_connections()
    runs.run_execute(run_id, worker=runs.worker_name("celery"))


@shared_task(name="requests_app.mark_interrupted_runs", ignore_result=True)
def mark_interrupted_runs() -> int:
    close_old_connections()
    return runs.runs_mark_interrupted()


@shared_task(name="requests_app.execute_delete", ignore_result=True)
def execute_delete(job_id: int) -> None:
    """A big collection or folder deleted in batches (services/deletes.py)."""
    close_old_connections()
    deletes.delete_execute(job_id, worker=runs.worker_name("celery"))


@shared_task(name="requests_app.monitors_tick", ignore_result=True, expires=60)
def monitors_tick() -> dict[str, int]:
    """Start due monitors, judge their finished runs, send notifications, summarise old runs. Any
    number of these may run at once (several beats, a slow tick): each step claims its rows."""
    close_old_connections()
    return vars(run_monitors_tick())


@worker_ready.connect
def _on_worker_ready(**_: Any) -> None:
    close_old_connections()
    runs.runs_mark_interrupted(startup=True)
    deletes.deletes_resume()  # deletes a stopped worker left half done go on


app.conf.beat_schedule = {
    **(app.conf.beat_schedule or {}),
    "mark-interrupted-runs": {
        "task": "requests_app.mark_interrupted_runs",
        "schedule": max(runs.HEARTBEAT_SECONDS, runs.stale_after().total_seconds() / 2),
    },
    "monitors-tick": {
        "task": "requests_app.monitors_tick",
        "schedule": float(settings.WEBCLIENT_MONITOR_TICK_SECONDS),
        # to the run queue when there is one: workers started with `-Q $WEBCLIENT_RUN_QUEUE` take it
        "options": {"expires": float(settings.WEBCLIENT_MONITOR_TICK_SECONDS) * 3,
                    **({"queue": settings.WEBCLIENT_RUN_QUEUE} if settings.WEBCLIENT_RUN_QUEUE else {})},
    },
}

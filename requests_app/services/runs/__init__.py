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
    with runs.dispatching_with(lambda run_id: None):   # tests: start runs that no worker takes
        ...

The modules, one job each:

- plan.py: the target in tree order, the settings checked, the plan compiled, the queued Run stored
  (run_create, run_create_planned).
- lifecycle.py: run_start, run_dispatch, run_cancel, run_rerun.
- dispatch.py: the seam that hands a queued run to a worker (Celery or local_pool); tests inject theirs.
- execute.py: run_execute, the task code of every worker; writer.py: the result-writer it drives.
- local_pool.py: local mode's thread pool; liveness.py: worker names, heartbeat, interrupted runs.
- reads.py: the selectors (runs_for_user, get_run_for_user, run_results, reports).
- compare.py: assertions that changed between two runs; tests_try.py: tests tried on a recorded response.

Where the work happens: with CELERY_BROKER_URL set, `requests_app.tasks.execute_run` on a
Celery worker (team mode); otherwise a small thread pool in this process (local mode,
WEBCLIENT_RUN_WORKERS threads). Same code either way.

Inside a run: the network never waits for the database. The run loop
(runner.loop.run_plan) sends on a thread of its own over a keep-alive ConnectionPool,
while the worker's thread stores results in batches (writer.RESULT_BATCH rows or
writer.FLUSH_SECONDS), keeps the live totals, beats the heartbeat and reads the cancel flag. A run
whose heartbeat stops for WEBCLIENT_RUN_STALE_SECONDS, or whose worker process is gone, is marked
`interrupted`.

Secrets: stored results pass through the environment's SecretMasker; secret captures are
masked. Viewers may start runs (like sending); only editors may change assertions, and
only a person who may edit the environment gets captures written back to it.
"""

from requests_app.services.runs.compare import (
    NOT_COMPARABLE,
    AssertionChange,
    RunComparison,
    run_compare,
    runs_of_same_target,
)
from requests_app.services.runs.dispatch import QUEUE_UNREACHABLE, Dispatcher, dispatcher, dispatching_with, to_worker
from requests_app.services.runs.execute import INTERNAL_ERROR, execute_plan, run_execute
from requests_app.services.runs.lifecycle import CANNOT_CANCEL, run_cancel, run_dispatch, run_rerun, run_start
from requests_app.services.runs.liveness import (
    HEARTBEAT_SECONDS,
    WORKER_GONE,
    runs_mark_interrupted,
    stale_after,
    worker_name,
)
from requests_app.services.runs.local_pool import wait_for_local_runs
from requests_app.services.runs.plan import (
    EMPTY_TARGET,
    MAX_PLAN_REQUESTS,
    MIXED_COLLECTIONS,
    NO_TARGET,
    ONE_TARGET,
    TOO_MANY_REQUESTS,
    plan_items,
    run_create,
    run_create_planned,
)
from requests_app.services.runs.reads import (
    NOT_FINISHED,
    REPORT_CONTENT_TYPES,
    RESULT_ORDER,
    RESULT_ORDER_FAILURES_FIRST,
    RUN_ORDER,
    TERMINAL_STATES,
    get_run_for_user,
    result_row,
    run_list,
    run_report,
    run_report_data,
    run_results,
    runs_for_user,
)
from requests_app.services.runs.tests_try import NO_RESPONSE_YET, TestsPreview, request_tests_try

__all__ = [
    "CANNOT_CANCEL", "EMPTY_TARGET", "HEARTBEAT_SECONDS", "INTERNAL_ERROR", "MAX_PLAN_REQUESTS", "MIXED_COLLECTIONS",
    "NOT_COMPARABLE", "NOT_FINISHED", "NO_RESPONSE_YET", "NO_TARGET", "ONE_TARGET", "QUEUE_UNREACHABLE",
    "REPORT_CONTENT_TYPES", "RESULT_ORDER", "RESULT_ORDER_FAILURES_FIRST", "RUN_ORDER", "TERMINAL_STATES",
    "TOO_MANY_REQUESTS", "WORKER_GONE", "AssertionChange", "Dispatcher", "RunComparison", "TestsPreview",
    "dispatcher", "dispatching_with", "execute_plan", "get_run_for_user", "plan_items",
    "request_tests_try", "result_row", "run_cancel", "run_compare", "run_create", "run_create_planned", "run_dispatch",
    "run_execute", "run_list", "run_report", "run_report_data", "run_rerun", "run_results", "run_start", "runs_for_user", "runs_mark_interrupted",
    "runs_of_same_target", "stale_after", "to_worker", "wait_for_local_runs", "worker_name",
]

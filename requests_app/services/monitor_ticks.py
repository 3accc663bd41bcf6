"""The monitor tick: one function the scheduler calls every few seconds, in either mode.

Usage::

    from requests_app.services.monitor_ticks import monitors_tick
    report = monitors_tick()                    # now = the clock; tests and the benchmark pass now=
    report.started, report.judged, report.sent, report.summarised

Team mode: Celery beat sends `requests_app.monitors_tick` every WEBCLIENT_MONITOR_TICK_SECONDS;
local mode: a thread of each web process calls it (services/monitor_scheduler.py). Several beats,
web processes or workers may tick at once: each step claims its rows in the database first, so
a slot starts one run and a finished run is judged once, whoever ticks.

1. Start due monitors. A monitor waits for `next_run_at`; the tick reads the due ones, asks
   monitor_schedule.due() what to do (ONE run for the latest slot missed, however many passed)
   and claims the slot with `UPDATE … SET next_run_at=<next> WHERE id=… AND next_run_at=<read>`:
   of two ticks only one updates the row, and only it creates the run. A monitor whose previous
   run is still queued or running skips the slot (runs do not pile up behind a slow target).
2. Judge finished runs (Run.monitor_checked=False): state passing/failing, last (good) run,
   notifications on a state change or every failure, the shape check against the last good run.
3. Send due notifications (first tries and retries with backoff, services/monitor_notify.py).
4. Retention: monitor runs older than WEBCLIENT_MONITOR_RETENTION_DAYS are summarised per day
   (MonitorDailySummary) and deleted, RETENTION_BATCH runs per tick; finished notifications
   (sent or given up) older than that are deleted too.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from requests_app.models import Monitor, MonitorDailySummary, MonitorDelivery, Run, RunResult, SavedRequest
from requests_app.monitor_schedule import due, monitor_zone
from requests_app.responsediff import IgnoreRules
from requests_app.responseshape import describe_change, shape_changes
from requests_app.runner.loop import percentile
from requests_app.services import runs
from requests_app.services.monitor_notify import deliveries_create, deliveries_send_due
from requests_app.services.monitors import monitor_run_create, schedule_of

logger = logging.getLogger(__name__)

DUE_PER_TICK = 500
JUDGED_PER_TICK = 500
RETENTION_BATCH = 2000
# A run a monitor started that is still queued or running after this is not waited for.
OVERLAP_LIMIT = timedelta(hours=1)
ACTIVE = (Run.State.QUEUED, Run.State.RUNNING)
Dispatch = Callable[[Run], None]


@dataclass
class TickReport:
    started: int = 0
    skipped: int = 0  # slots whose previous run had not ended
    judged: int = 0
    sent: int = 0
    summarised: int = 0  # runs folded into daily summaries and deleted


def monitors_tick(*, now: datetime | None = None, dispatch: Dispatch | None = None) -> TickReport:
    """One pass of the four steps (see the module's docstring). `dispatch(run)` hands a new run to a
    worker (runs.run_dispatch; a test may run it at once)."""
    now = now or timezone.now()
    report = TickReport()
    report.started, report.skipped = start_due_monitors(now=now, dispatch=dispatch or runs.run_dispatch)
    report.judged = judge_finished_runs(now=now)
    report.sent = deliveries_send_due(now=now)
    report.summarised = summarise_old_runs(now=now)
    forget_old_deliveries(now=now)
    return report


# ------------------------------------------------------------------ 1. start


def start_due_monitors(*, now: datetime, dispatch: Dispatch) -> tuple[int, int]:
    due_monitors = list(
        Monitor.objects.filter(paused=False, next_run_at__lte=now)
        .select_related("workspace", "collection", "folder", "environment", "created_by")
        .order_by("next_run_at", "id")[:DUE_PER_TICK]
    )
    if not due_monitors:
        return 0, 0
    busy = set(
        Run.objects.filter(monitor__in=due_monitors, state__in=ACTIVE, created_at__gte=now - OVERLAP_LIMIT)
        .values_list("monitor_id", flat=True)
    )
    started = skipped = 0
    for monitor in due_monitors:
        try:
            found = due(schedule_of(monitor), monitor.next_run_at, now)  # type: ignore[arg-type]
        except ValueError:  # a schedule that no longer matches anything (edited in the database)
            logger.warning("monitor %s: schedule never matches; paused", monitor.pk)
            Monitor.objects.filter(pk=monitor.pk).update(paused=True, next_run_at=None)
            continue
        if found is None:
            continue
        with transaction.atomic():
            if not claim_slot(monitor.pk, monitor.next_run_at, next_slot=found.next_slot, slot=found.slot):
                continue  # another tick took this slot
            if monitor.pk in busy:
                skipped += 1
                continue
            run = monitor_run_create(monitor, now=now)
            if run.state == Run.State.QUEUED:
                dispatch(run)
            started += 1
    return started, skipped


def claim_slot(monitor_id: int, seen: datetime | None, *, next_slot: datetime, slot: datetime) -> bool:
    """Move the monitor from the slot this tick read to the next one; False when another tick
    did first (the row no longer holds `seen`), so only one of them starts the run."""
    return bool(Monitor.objects.filter(pk=monitor_id, paused=False, next_run_at=seen).update(
        next_run_at=next_slot, last_slot_at=slot
    ))


# ------------------------------------------------------------------ 2. judge


def judge_finished_runs(*, now: datetime) -> int:
    finished = list(
        Run.objects.filter(monitor__isnull=False, monitor_checked=False, state__in=runs.TERMINAL_STATES)
        .order_by("id").values_list("pk", flat=True)[:JUDGED_PER_TICK]
    )
    judged = 0
    for run_id in finished:
        if Run.objects.filter(pk=run_id, monitor_checked=False).update(monitor_checked=True):
            try:
                monitor_run_judge(run_id, now=now)
            except Exception:  # one bad run must not stop the others
                logger.exception("judging monitor run %s failed", run_id)
            judged += 1
    return judged


def monitor_run_judge(run_id: int, *, now: datetime) -> None:
    """The monitor's new state after this run, and the notifications it calls for."""
    run = Run.objects.select_related("monitor", "monitor__workspace").get(pk=run_id)
    monitor = run.monitor
    if monitor is None or run.state in (Run.State.CANCELLED, Run.State.INTERRUPTED):
        return  # someone stopped it, or its worker went away (a deploy): it says nothing of the API
    with transaction.atomic():
        monitor = Monitor.objects.select_for_update().select_related("workspace").get(pk=monitor.pk)
        if monitor.last_run_id is not None and run.pk < monitor.last_run_id:
            return  # an older run that ended late says nothing about the state now
        passed = run.state == Run.State.PASSED
        before = monitor.state
        baseline_id = monitor.last_good_run_id
        monitor.state = Monitor.State.PASSING if passed else Monitor.State.FAILING
        monitor.last_run = run
        if passed:
            monitor.last_good_run = run
        monitor.save(update_fields=["state", "last_run", "last_good_run", "updated_at"])
    events: list[str] = []
    if monitor.notify_on_state_change and before != monitor.state:
        if monitor.state == Monitor.State.FAILING:
            events.append(MonitorDelivery.Event.FAILING)
        elif before == Monitor.State.FAILING:
            events.append(MonitorDelivery.Event.RECOVERED)
    if monitor.notify_on_every_failure and not passed and MonitorDelivery.Event.FAILING not in events:
        events.append(MonitorDelivery.Event.FAILED)
    changes: list[dict[str, Any]] = []
    if monitor.alert_on_shape_change and passed and baseline_id is not None and baseline_id != run.pk:
        changes = run_shape_changes(baseline_id, run.pk)
        if changes:
            events.append(MonitorDelivery.Event.SHAPE_CHANGED)
    for event in events:
        deliveries_create(monitor=monitor, run=run, event=event,
                          shape_changes=changes if event == MonitorDelivery.Event.SHAPE_CHANGED else [], now=now)


def run_shape_changes(before_run_id: int, after_run_id: int) -> list[dict[str, Any]]:
    """Per request (first iteration), the JSON paths whose shape differs between two runs, each
    request's ignore rules (SavedRequest.diff_ignore) applied. Requests in only one run are skipped."""

    def shapes(run_id: int) -> dict[int, tuple[str, Any]]:
        rows = (RunResult.objects.filter(run_id=run_id, iteration=1, saved_request__isnull=False)
                .order_by("position").values_list("saved_request_id", "name", "response_shape"))
        found: dict[int, tuple[str, Any]] = {}
        for request_id, name, shape in rows:
            found.setdefault(request_id, (name, shape))
        return found

    before, after = shapes(before_run_id), shapes(after_run_id)
    common = [request_id for request_id in after if request_id in before]
    rules = dict(SavedRequest.objects.filter(pk__in=common).values_list("pk", "diff_ignore"))
    changed = []
    for request_id in common:
        (_, old), (name, new) = before[request_id], after[request_id]
        if old is None and new is None:
            continue
        if (old is None) != (new is None):
            changed.append({"request": name, "request_id": request_id, "paths": ["$"],
                            "note": "the body is no longer JSON" if new is None else "the body is JSON now"})
            continue
        found = shape_changes(old, new, ignore=IgnoreRules.from_dict(rules.get(request_id)))
        if found:
            changed.append({"request": name, "request_id": request_id,
                            "paths": [describe_change(change) for change in found[:50]]})
    return changed


# ------------------------------------------------------------------ 4. retention


def summarise_old_runs(*, now: datetime, batch: int = RETENTION_BATCH) -> int:
    """Fold monitor runs from before the retention period into MonitorDailySummary rows and delete
    them (their results go with them), oldest first, at most `batch` runs. A monitor's last run and
    last good run stay (the page and the shape check read them)."""
    cutoff = _retention_cutoff(now)
    kept = Monitor.objects.filter(Q(last_run__isnull=False) | Q(last_good_run__isnull=False))
    keep = {pk for pair in kept.values_list("last_run_id", "last_good_run_id") for pk in pair if pk}
    old = list(
        Run.objects.filter(monitor__isnull=False, created_at__lt=cutoff, state__in=runs.TERMINAL_STATES)
        .exclude(pk__in=keep).order_by("created_at", "id")
        .values_list("pk", "monitor_id", "created_at", "state", "totals")[:batch]
    )
    if not old:
        return 0
    # A day is the monitor's own (its time zone): a 09:00 Berlin cron's runs fall on the day people saw them.
    zones = {pk: monitor_zone(name) for pk, name in
             Monitor.objects.filter(pk__in={row[1] for row in old}).values_list("pk", "timezone")}
    groups: dict[tuple[int, date], list[tuple[str, float | None]]] = defaultdict(list)
    for _pk, monitor_id, created_at, state, totals in old:
        groups[(monitor_id, created_at.astimezone(zones[monitor_id]).date())].append(
            (state, (totals or {}).get("mean_ms"))
        )
    with transaction.atomic():
        for (monitor_id, day), rows in groups.items():
            _add_to_summary(monitor_id, day, rows)
        pks = [row[0] for row in old]
        for start in range(0, len(pks), 500):
            Run.objects.filter(pk__in=pks[start:start + 500]).delete()
    return len(old)


def _retention_cutoff(now: datetime) -> datetime:
    return datetime.combine((now - timedelta(days=settings.WEBCLIENT_MONITOR_RETENTION_DAYS)).date(), time.min,
                            tzinfo=UTC)


def forget_old_deliveries(*, now: datetime, batch: int = RETENTION_BATCH) -> int:
    """Delete sent and given-up notifications from before the retention period (pending ones stay)."""
    old = list(MonitorDelivery.objects.filter(created_at__lt=_retention_cutoff(now))
               .exclude(state=MonitorDelivery.State.PENDING).values_list("pk", flat=True)[:batch])
    if old:
        MonitorDelivery.objects.filter(pk__in=old).delete()
    return len(old)


def _add_to_summary(monitor_id: int, day: date, rows: list[tuple[str, float | None]]) -> None:
    times = [ms for _, ms in rows if ms is not None]
    failures = sum(1 for state, _ in rows if state != Run.State.PASSED)
    summary, created = MonitorDailySummary.objects.select_for_update().get_or_create(
        monitor_id=monitor_id, day=day,
        defaults={"runs": len(rows), "failures": failures, "timed_runs": len(times),
                  "avg_ms": sum(times) / len(times) if times else None, "p95_ms": percentile(sorted(times), 0.95)},
    )
    if created:
        return
    # A day split across two batches: counts add up, the mean is weighted, p95 keeps the larger.
    weight = summary.timed_runs + len(times)
    if times:
        summary.avg_ms = ((summary.avg_ms or 0) * summary.timed_runs + sum(times)) / weight
        new_p95 = percentile(sorted(times), 0.95)
        summary.p95_ms = max(filter(None, (summary.p95_ms, new_p95)), default=None)
    MonitorDailySummary.objects.filter(pk=summary.pk).update(
        runs=F("runs") + len(rows), failures=F("failures") + failures, timed_runs=weight,
        avg_ms=summary.avg_ms, p95_ms=summary.p95_ms,
    )

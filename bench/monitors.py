"""100 monitors on one-minute schedules against a local target: how much of a core one worker uses.

    .venv/bin/python bench/monitors.py [--monitors 100] [--minutes 5] [--ticks-per-minute 6]

One process plays the worker of team mode: it runs the monitor tick (Celery beat sends it every
WEBCLIENT_MONITOR_TICK_SECONDS, 10 s by default: 6 ticks a minute) and executes the runs the tick
starts (what `execute_run` does on a Celery worker), on a scratch SQLite database. The target is
the playground's stdlib server in its own process on 127.0.0.1 (its CPU is not the worker's).
Time is driven: minute m's ticks get now = T0 + m minutes + k × 10 s, so five simulated minutes
take seconds, and the worker's process CPU time (all threads) per simulated minute, divided by
60 s, is the fraction of a core it would use in real time. Goal: < 50 %.

The monitors: every tenth one fails its assertion and notifies a webhook (the playground's
/anything) on every failure; every other one checks its response shape against the last good run.

Baseline, measured in the same run: the same runs (one per monitor and minute) created and
executed directly (runs.run_create + run_execute), without monitors, ticks or notifications.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from datetime import UTC, datetime, timedelta

from common import setup_django, start_playground

T0 = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--monitors", type=int, default=100)
    parser.add_argument("--minutes", type=int, default=5)
    parser.add_argument("--ticks-per-minute", type=int, default=6)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-monitors-") as data_dir:
        setup_django(data_dir)
        target, base_url = start_playground()
        try:
            measure(args, base_url)
        finally:
            target.communicate("")


def measure(args: argparse.Namespace, base_url: str) -> None:
    from django.db import connection

    from requests_app.models import MonitorDelivery, Run
    from requests_app.services import monitors, runs
    from requests_app.services.accounts import account_create
    from requests_app.services.collections import collection_create
    from requests_app.services.monitor_ticks import monitors_tick
    from requests_app.services.saved_requests import request_create

    user = account_create(username="bench", password="correct-horse-battery-9", email="bench@example.com")
    workspace = user.workspaces.get()
    collections = []
    for number in range(args.monitors):
        failing = number % 10 == 9
        collection = collection_create(user=user, workspace=workspace, name=f"API {number}")
        request_create(user=user, collection=collection, name="health", method="POST",
                       url=f"{base_url}/anything/health-{number}",
                       body={"mode": "json", "text": '{"ok": true, "items": [{"id": 1, "name": "a"}]}'},
                       assertions=[{"type": "status", "op": "equals", "expected": 200},
                                   {"type": "jsonpath", "op": "equals", "target": "$.json.ok",
                                    "expected": "false" if failing else "true"}])
        collections.append(collection)
        monitors.monitor_create(
            user=user, workspace=workspace, name=f"monitor {number}", collection=collection, every_minutes=1,
            now=T0 - timedelta(minutes=1), alert_on_shape_change=number % 2 == 0,
            notify_on_every_failure=failing, webhook_url=f"{base_url}/anything/hook" if failing else "",
        )

    def execute_now(run: Run) -> None:
        runs.run_execute(run.pk, worker="bench:worker:1")

    # Warm-up minute (imports, first compiles), not counted.
    monitors_tick(now=T0, dispatch=execute_now)
    step = timedelta(seconds=60 / args.ticks_per_minute)
    cpu_start, wall_start = time.process_time(), time.perf_counter()
    for minute in range(1, args.minutes + 1):
        for tick in range(args.ticks_per_minute):
            monitors_tick(now=T0 + timedelta(minutes=minute) + tick * step, dispatch=execute_now)
    monitor_cpu, monitor_wall = time.process_time() - cpu_start, time.perf_counter() - wall_start
    made = Run.objects.filter(monitor__isnull=False).count()
    sent = MonitorDelivery.objects.filter(state=MonitorDelivery.State.SENT).count()

    cpu_start, wall_start = time.process_time(), time.perf_counter()
    for _minute in range(1, args.minutes + 1):
        for collection in collections:
            run = runs.run_create(workspace=workspace, created_by=user, collection=collection)
            runs.run_execute(run.pk, worker="bench:worker:1")
    plain_cpu, plain_wall = time.process_time() - cpu_start, time.perf_counter() - wall_start
    connection.close()

    simulated = args.minutes * 60.0
    expected = args.monitors * args.minutes
    print(f"{args.monitors} monitors, every minute, {args.minutes} simulated minutes, "
          f"{args.ticks_per_minute} ticks a minute; target {base_url}")
    print(f"  runs started by the ticks      {made - args.monitors:6d} (expected {expected})")
    print(f"  webhook notifications sent      {sent:6d}")
    print(f"  monitors: worker CPU            {monitor_cpu:7.2f} s in {monitor_wall:6.2f} s of driven time")
    print(f"  baseline: same runs, no monitor {plain_cpu:7.2f} s in {plain_wall:6.2f} s")
    print(f"  fraction of a core (CPU / {simulated:.0f} s simulated):  monitors {monitor_cpu / simulated:6.1%}  "
          f"baseline {plain_cpu / simulated:6.1%}  (goal < 50 %)")
    print(f"  monitor machinery / baseline    {monitor_cpu / plain_cpu:6.2f}x")
    print(f"  peak RSS                        {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:6.0f} MiB")


if __name__ == "__main__":
    main()

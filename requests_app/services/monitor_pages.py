"""What the Monitors pages show, read in a bounded number of queries (selectors, no writes).

Usage::

    from requests_app.services import monitor_pages
    strips = monitor_pages.recent_runs_by_monitor([m1.pk, m2.pk], per_monitor=20)   # one query
    chart = monitor_pages.response_time_chart(monitor)   # the points of an inline SVG (no script)

The chart reads the monitor's runs still kept (each run's mean response time, Run.totals) and,
before them, the daily summaries retention left (services/monitor_ticks.py), so it spans the
monitor's whole life at day resolution and its recent runs one by one.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any

from django.db.models import F, Window
from django.db.models.functions import RowNumber

from requests_app.models import Monitor, MonitorDailySummary, Run
from requests_app.monitor_schedule import monitor_zone

STRIP_LENGTH = 20
CHART_RUNS = 500
CHART_WIDTH, CHART_HEIGHT, CHART_PAD = 640, 160, 28
MONITOR_DELIVERY_ORDER = ("-created_at", "-id")


def recent_runs_by_monitor(monitor_ids: list[int], *, per_monitor: int = STRIP_LENGTH) -> dict[int, list[Run]]:
    """The last `per_monitor` runs of each monitor, oldest first (the strip reads left to right)."""
    if not monitor_ids:
        return {}
    ranked = (Run.objects.filter(monitor_id__in=monitor_ids)
              .annotate(rank=Window(RowNumber(), partition_by=[F("monitor_id")], order_by=[F("created_at").desc(),
                                                                                            F("id").desc()]))
              .filter(rank__lte=per_monitor)
              .only("id", "monitor_id", "state", "created_at", "totals", "workspace_id"))
    found: dict[int, list[Run]] = defaultdict(list)
    for run in ranked:
        found[run.monitor_id].append(run)  # type: ignore[index]
    return {key: sorted(value, key=lambda run: (run.created_at, run.pk)) for key, value in found.items()}


@dataclass
class ChartPoint:
    x: float
    y: float
    at: datetime
    ms: float
    failed: bool
    label: str


@dataclass
class Chart:
    width: int = CHART_WIDTH
    height: int = CHART_HEIGHT
    points: list[ChartPoint] = field(default_factory=list)
    line: str = ""  # the SVG polyline's points attribute
    max_ms: float = 0.0
    first: datetime | None = None
    last: datetime | None = None
    summarised_days: int = 0

    @property
    def empty(self) -> bool:
        return not self.points

    @property
    def baseline_y(self) -> int:
        return self.height - CHART_PAD

    @property
    def right(self) -> int:
        return self.width - 8

    @property
    def top(self) -> int:
        return 8


def response_time_chart(monitor: Monitor) -> Chart:
    """Mean response time over time: one point per summarised day, then one per kept run."""
    samples: list[tuple[datetime, float, bool, str]] = []
    summaries = MonitorDailySummary.objects.filter(monitor=monitor, avg_ms__isnull=False).order_by("day")
    zone = monitor_zone(monitor.timezone)
    for summary in summaries:
        at = datetime.combine(summary.day, time(12), tzinfo=zone)  # midday of the monitor's day
        samples.append((at, float(summary.avg_ms or 0), summary.failures > 0,
                        f"{summary.day}: {summary.runs} runs, {summary.failures} failed, mean {summary.avg_ms:.0f} ms"))
    summarised_days = len(samples)
    recent = list(Run.objects.filter(monitor=monitor).order_by("-created_at", "-id")
                  .values_list("created_at", "totals", "state", "pk")[:CHART_RUNS])
    for created_at, totals, state, pk in reversed(recent):
        mean = (totals or {}).get("mean_ms")
        if mean is None:
            continue
        samples.append((created_at, float(mean), state != Run.State.PASSED,
                        f"run #{pk}, {created_at:%Y-%m-%d %H:%M}: {mean:.0f} ms"))
    chart = Chart(summarised_days=summarised_days)
    if not samples:
        return chart
    start, end = samples[0][0], samples[-1][0]
    span = max((end - start).total_seconds(), 1.0)
    chart.max_ms = max(ms for _, ms, _, _ in samples) or 1.0
    usable_w = chart.right - CHART_PAD
    usable_h = chart.baseline_y - chart.top
    for at, ms, failed, label in samples:
        x = CHART_PAD + usable_w * ((at - start).total_seconds() / span if len(samples) > 1 else 0.5)
        y = chart.baseline_y - usable_h * (ms / chart.max_ms)
        chart.points.append(ChartPoint(round(x, 1), round(y, 1), at, ms, failed, label))
    chart.line = " ".join(f"{p.x},{p.y}" for p in chart.points)
    chart.first, chart.last = start, end
    return chart


def monitor_list_rows(monitors: list[Monitor]) -> list[dict[str, Any]]:
    """Each monitor with its strip of recent runs (one query for all)."""
    strips = recent_runs_by_monitor([monitor.pk for monitor in monitors])
    return [{"monitor": monitor, "strip": strips.get(monitor.pk, [])} for monitor in monitors]

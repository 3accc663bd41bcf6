"""When a monitor runs: every N minutes, or a cron expression read in a time zone.

Plain Python, no Django. One pure function decides what is due, given the schedule, the slot the
monitor waits for and the time now; the scheduler (services/monitor_ticks.py) stores its answer.

Usage::

    from requests_app.monitor_schedule import Schedule, due, first_slot
    schedule = Schedule.cron("*/5 9-17 * * mon-fri", "Europe/Berlin")   # or Schedule.every(10)
    schedule.problem()                    # None, or what is wrong, for the person who wrote it
    slot = first_slot(schedule, now)      # the first slot after `now`
    found = due(schedule, slot, now)      # None while slot > now
    found.slot, found.missed, found.next_slot

The missed-slot rule: a monitor whose slots passed while nothing ran them (the server was down)
runs once when it comes back, for the latest slot it missed, never once per missed slot; the
next slot is then the first one after `now`. Cron slots follow the zone's wall clock, as cron
does across daylight-saving changes: a time the clocks skip runs at the first minute after the
jump (cronsim's rule), a time they repeat runs once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, available_timezones

from cronsim import CronSim, CronSimError

INTERVAL, CRON = "interval", "cron"
KINDS = (INTERVAL, CRON)
MIN_EVERY_MINUTES = 1
MAX_EVERY_MINUTES = 7 * 24 * 60
MAX_CRON_LENGTH = 200
# cronsim walks forward minute fields at a time; an expression that matches nothing for years
# ("0 0 30 2 *", Feb 30) would make it search for a long time, so a slot must come within this.
LOOKAHEAD = timedelta(days=366 * 5)


@dataclass(frozen=True)
class Schedule:
    kind: str
    every_minutes: int = 0
    cron_expression: str = ""
    timezone: str = "UTC"

    @classmethod
    def every(cls, minutes: int) -> Schedule:
        return cls(INTERVAL, every_minutes=minutes)

    @classmethod
    def cron(cls, expression: str, timezone: str = "UTC") -> Schedule:
        return cls(CRON, cron_expression=expression, timezone=timezone)

    def problem(self) -> tuple[str, str] | None:
        """None for a schedule that can run, else (field, what is wrong)."""
        if self.kind not in KINDS:
            return "schedule_kind", f"must be one of {', '.join(KINDS)}"
        if self.kind == INTERVAL:
            minutes = self.every_minutes
            if isinstance(minutes, bool) or not isinstance(minutes, int) or not MIN_EVERY_MINUTES <= minutes <= MAX_EVERY_MINUTES:
                return "every_minutes", f"must be a whole number of minutes from {MIN_EVERY_MINUTES} to {MAX_EVERY_MINUTES}"
            return None
        if self.timezone not in _zone_names():
            return "timezone", f"“{self.timezone[:60]}” is not a time zone name (such as Europe/Berlin or UTC)"
        expression = self.cron_expression.strip()
        if not expression or len(expression) > MAX_CRON_LENGTH:
            return "cron_expression", "write five fields: minute hour day-of-month month day-of-week"
        try:
            CronSim(expression, datetime(2026, 1, 1, tzinfo=UTC))
        except CronSimError as error:
            return "cron_expression", f"not a cron expression ({error})"
        if _next_cron(self, datetime(2026, 1, 1, tzinfo=UTC)) is None:
            return "cron_expression", "never matches a date (within five years)"
        return None

    def describe(self) -> str:
        if self.kind == INTERVAL:
            return "every minute" if self.every_minutes == 1 else f"every {self.every_minutes} minutes"
        return f"cron “{self.cron_expression}” ({self.timezone})"


def _zone_names() -> set[str]:
    global _ZONES
    if _ZONES is None:
        _ZONES = available_timezones() | {"UTC"}
    return _ZONES


_ZONES: set[str] | None = None


def monitor_zone(name: str) -> ZoneInfo:
    """The monitor's time zone, UTC for a name this system does not know (a file restored from
    another system's tz database)."""
    return ZoneInfo(name) if name in _zone_names() else ZoneInfo("UTC")


def _next_cron(schedule: Schedule, after: datetime) -> datetime | None:
    zone = ZoneInfo(schedule.timezone)
    # cronsim yields the times after its start; whole minutes, so start at `after`'s minute.
    start = after.astimezone(zone).replace(second=0, microsecond=0)
    for found in CronSim(schedule.cron_expression.strip(), start):
        if found.astimezone(UTC) > after:
            return found.astimezone(UTC)
        if found - start > LOOKAHEAD:
            return None
    return None


def _check_aware(moment: datetime) -> None:
    if moment.tzinfo is None:
        raise ValueError("times must carry their zone (aware datetimes)")


def next_slot(schedule: Schedule, after: datetime, *, anchor: datetime | None = None) -> datetime:
    """The first slot strictly after `after` (UTC). Interval slots keep the anchor's phase
    (a monitor made at 10:03 every 10 minutes runs at :03, :13 …) so a late tick does not drift them."""
    _check_aware(after)
    if schedule.kind == INTERVAL:
        step = timedelta(minutes=schedule.every_minutes)
        base = (anchor or after).astimezone(UTC)
        if base > after:
            return base
        steps = (after - base) // step + 1
        return base + steps * step
    found = _next_cron(schedule, after)
    if found is None:
        raise ValueError(f"the schedule {schedule.describe()} never matches")
    return found


def first_slot(schedule: Schedule, now: datetime) -> datetime:
    """Where a new (or resumed) monitor starts: an interval monitor at once plus one period, a cron
    one at its next match."""
    _check_aware(now)
    if schedule.kind == INTERVAL:
        return now.astimezone(UTC).replace(microsecond=0) + timedelta(minutes=schedule.every_minutes)
    return next_slot(schedule, now)


def upcoming(schedule: Schedule, waiting_for: datetime, count: int = 3) -> list[datetime]:
    """The next `count` slots from the awaited one, in the schedule's zone (what a person checks a
    cron expression against)."""
    zone = ZoneInfo(schedule.timezone if schedule.kind == CRON else "UTC")
    found = [waiting_for]
    while len(found) < count:
        found.append(next_slot(schedule, found[-1], anchor=waiting_for))
    return [slot.astimezone(zone) for slot in found]


@dataclass(frozen=True)
class Due:
    slot: datetime  # the slot this run stands for (the latest one that passed)
    missed: int  # slots that passed before it without a run (capped at MISSED_COUNT_CAP)
    next_slot: datetime  # the first slot after now: what the monitor waits for next


MISSED_COUNT_CAP = 1000


def due(schedule: Schedule, waiting_for: datetime, now: datetime) -> Due | None:
    """What to run now: None while `waiting_for` is in the future; else ONE run for the latest slot
    at or before `now` (however many passed unseen), and the next slot after `now`."""
    _check_aware(waiting_for)
    _check_aware(now)
    if waiting_for > now:
        return None
    if schedule.kind == INTERVAL:
        step = timedelta(minutes=schedule.every_minutes)
        passed = (now - waiting_for) // step  # whole periods since the awaited slot
        latest = waiting_for + passed * step
        return Due(slot=latest, missed=min(passed, MISSED_COUNT_CAP), next_slot=latest + step)
    latest, missed = waiting_for, 0
    while missed < MISSED_COUNT_CAP:
        following = next_slot(schedule, latest)
        if following > now:
            return Due(slot=latest, missed=missed, next_slot=following)
        latest, missed = following, missed + 1
    # Down for longer than MISSED_COUNT_CAP slots: skip the count, keep the rule.
    upcoming = next_slot(schedule, now)
    return Due(slot=now, missed=MISSED_COUNT_CAP, next_slot=upcoming)

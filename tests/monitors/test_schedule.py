"""monitor_schedule: the pure due-slot function, with a clock the test holds (no sleeping)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from requests_app.monitor_schedule import Schedule, due, first_slot, next_slot

T0 = datetime(2026, 6, 1, 10, 3, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")


def test_interval_nothing_is_due_before_the_slot():
    every5 = Schedule.every(5)
    slot = first_slot(every5, T0)
    assert slot == T0 + timedelta(minutes=5)
    assert due(every5, slot, slot - timedelta(seconds=1)) is None


def test_interval_slot_due_runs_once_and_keeps_its_phase():
    every5 = Schedule.every(5)
    slot = T0 + timedelta(minutes=5)
    found = due(every5, slot, slot + timedelta(seconds=20))  # a tick 20 s late
    assert found is not None
    assert (found.slot, found.missed, found.next_slot) == (slot, 0, slot + timedelta(minutes=5))


def test_missed_slots_run_once_for_the_latest_not_once_each():
    every1 = Schedule.every(1)
    slot = T0
    back = T0 + timedelta(hours=3, seconds=30)  # the server was down for three hours
    found = due(every1, slot, back)
    assert found is not None
    assert found.slot == T0 + timedelta(hours=3)
    assert found.missed == 180
    assert found.next_slot == T0 + timedelta(hours=3, minutes=1)
    # having run it, nothing more is due until the next slot
    assert due(every1, found.next_slot, back) is None


def test_cron_slots_follow_the_zone_wall_clock():
    nine_weekdays = Schedule.cron("0 9 * * mon-fri", "Europe/Berlin")
    friday_evening = datetime(2026, 6, 5, 18, 0, tzinfo=BERLIN)
    assert next_slot(nine_weekdays, friday_evening) == datetime(2026, 6, 8, 9, 0, tzinfo=BERLIN)  # Monday


def test_cron_across_spring_forward_runs_once_after_the_jump():
    daily_0230 = Schedule.cron("30 2 * * *", "Europe/Berlin")
    # 2026-03-29 02:30 does not exist in Berlin (clocks jump 02:00 -> 03:00)
    slot = next_slot(daily_0230, datetime(2026, 3, 28, 12, 0, tzinfo=BERLIN))
    assert slot == datetime(2026, 3, 29, 3, 0, tzinfo=BERLIN)
    assert next_slot(daily_0230, slot) == datetime(2026, 3, 30, 2, 30, tzinfo=BERLIN)


def test_cron_across_fall_back_runs_once_in_the_repeated_hour():
    daily_0230 = Schedule.cron("30 2 * * *", "Europe/Berlin")
    first = next_slot(daily_0230, datetime(2026, 10, 24, 12, 0, tzinfo=BERLIN))
    assert first == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST, the first of the two
    second = next_slot(daily_0230, first)
    assert second == datetime(2026, 10, 26, 1, 30, tzinfo=UTC)  # 02:30 CET the next day, not 02:30 CET the same day


def test_cron_every_hour_keeps_real_hours_across_fall_back():
    hourly = Schedule.cron("0 * * * *", "America/New_York")
    start = datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # 01:30 EDT, before the repeat
    slots = [start]
    for _ in range(3):
        slots.append(next_slot(hourly, slots[-1]))
    gaps = {b - a for a, b in zip(slots[1:], slots[2:], strict=False)}
    assert gaps <= {timedelta(hours=1), timedelta(hours=2)}
    assert all(slot.minute == 0 for slot in slots[1:])


def test_missed_cron_slots_collapse_into_the_latest():
    quarter = Schedule.cron("*/15 * * * *", "UTC")
    found = due(quarter, datetime(2026, 6, 1, 10, 0, tzinfo=UTC), datetime(2026, 6, 1, 11, 7, tzinfo=UTC))
    assert found is not None
    assert found.slot == datetime(2026, 6, 1, 11, 0, tzinfo=UTC)
    assert found.missed == 4
    assert found.next_slot == datetime(2026, 6, 1, 11, 15, tzinfo=UTC)


@pytest.mark.parametrize(("schedule", "field"), [
    (Schedule.every(0), "every_minutes"),
    (Schedule.every(10**6), "every_minutes"),
    (Schedule.cron("61 * * * *"), "cron_expression"),
    (Schedule.cron("* * *"), "cron_expression"),
    (Schedule.cron("0 0 30 2 *"), "cron_expression"),  # Feb 30: never
    (Schedule.cron("0 9 * * *", "Mars/Olympus"), "timezone"),
    (Schedule("weekly"), "schedule_kind"),
])
def test_bad_schedules_name_their_field(schedule, field):
    problem = schedule.problem()
    assert problem is not None and problem[0] == field


def test_naive_times_are_refused():
    with pytest.raises(ValueError):
        due(Schedule.every(1), datetime(2026, 1, 1), T0)


def test_upcoming_slots_read_in_the_schedules_zone():
    from requests_app.monitor_schedule import upcoming

    nine = Schedule.cron("0 9 * * *", "Europe/Berlin")
    first = next_slot(nine, datetime(2026, 3, 27, 12, 0, tzinfo=UTC))
    slots = upcoming(nine, first)
    assert [slot.strftime("%m-%d %H:%M %Z") for slot in slots] == ["03-28 09:00 CET", "03-29 09:00 CEST",
                                                                 "03-30 09:00 CEST"]
    assert [s.minute for s in upcoming(Schedule.every(20), T0)] == [3, 23, 43]

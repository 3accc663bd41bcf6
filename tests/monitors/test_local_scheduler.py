"""Local mode's scheduler thread: one per process, none in team mode (beat ticks there)."""

from __future__ import annotations

import threading

from requests_app.services import monitor_scheduler


def scheduler_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "webclient-monitor-tick" and t.is_alive()]


def test_one_thread_per_process_in_local_mode(settings):
    settings.CELERY_BROKER_URL = ""
    settings.WEBCLIENT_MONITOR_TICK_SECONDS = 3600  # started, never ticking during the test
    try:
        assert monitor_scheduler.start_local_scheduler() is True
        assert monitor_scheduler.start_local_scheduler() is True
        assert len(scheduler_threads()) == 1
    finally:
        monitor_scheduler.stop_local_scheduler()
    assert scheduler_threads() == []


def test_no_thread_in_team_mode_or_when_turned_off(settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/15"
    assert monitor_scheduler.start_local_scheduler() is False
    settings.CELERY_BROKER_URL = ""
    settings.WEBCLIENT_MONITOR_SCHEDULER = False
    assert monitor_scheduler.start_local_scheduler() is False
    assert scheduler_threads() == []

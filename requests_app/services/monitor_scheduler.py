"""Local mode's scheduler: a thread of the web process that calls the monitor tick.

Usage::

    from requests_app.services.monitor_scheduler import start_local_scheduler
    start_local_scheduler()     # webclient/gunicorn_conf.py's post_worker_init does this

Team mode has no thread: Celery beat sends the tick task (requests_app/tasks.py). In local mode
every web process (WEB_CONCURRENCY, usually 1) runs one thread; the tick's database claims keep
two processes from starting a slot twice. Runs it starts go to the local run pool
(services/runs/), like runs started from the page. WEBCLIENT_MONITOR_SCHEDULER=0 turns it off.
"""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.db import close_old_connections, connection

from requests_app.services.monitor_ticks import monitors_tick

logger = logging.getLogger(__name__)

_started: threading.Thread | None = None
_lock = threading.Lock()
_stop = threading.Event()


def _loop(interval: float) -> None:
    while not _stop.wait(interval):
        close_old_connections()
        try:
            monitors_tick()
        except Exception:  # the database went away a moment, a bug in one step: tick again later
            logger.exception("monitor tick failed")
        finally:
            connection.close()


def start_local_scheduler() -> bool:
    """Start the thread once per process (local mode only); True when it runs after this call."""
    global _started
    if settings.CELERY_BROKER_URL or not settings.WEBCLIENT_MONITOR_SCHEDULER:
        return False
    with _lock:
        if _started is None or not _started.is_alive():
            _stop.clear()
            _started = threading.Thread(target=_loop, args=(float(settings.WEBCLIENT_MONITOR_TICK_SECONDS),),
                                        name="webclient-monitor-tick", daemon=True)
            _started.start()
    return True


def stop_local_scheduler() -> None:
    global _started
    _stop.set()
    if _started is not None:
        _started.join(timeout=5)
    _started = None

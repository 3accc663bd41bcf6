"""Local mode (no CELERY_BROKER_URL): a small thread pool in this process runs the queued runs,
and a thread beats the heartbeat of the runs waiting in it and marks runs of stopped workers."""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

from requests_app.models import Run
from requests_app.services.runs.execute import run_execute
from requests_app.services.runs.liveness import HEARTBEAT_SECONDS, runs_mark_interrupted, stale_after, worker_name

logger = logging.getLogger(__name__)


class LocalWorkers:
    """A small thread pool for runs in local mode, and a thread that beats the heartbeat of
    the runs waiting in it and periodically marks runs of stopped workers interrupted."""

    def __init__(self, size: int) -> None:
        self.name = worker_name("local")
        self.pool = ThreadPoolExecutor(max_workers=size, thread_name_prefix="webclient-run")
        self.futures: dict[Future[Any], int] = {}
        self.lock = threading.Lock()
        self.checker = threading.Thread(target=self._check_periodically, name="webclient-run-check", daemon=True)
        self.checker.start()

    def submit(self, run_id: int) -> None:
        Run.objects.filter(pk=run_id).update(worker=self.name, heartbeat_at=timezone.now())
        future = self.pool.submit(self._execute, run_id)
        with self.lock:
            self.futures[future] = run_id
        future.add_done_callback(self._done)

    def _done(self, future: Future[Any]) -> None:
        with self.lock:
            self.futures.pop(future, None)

    def _execute(self, run_id: int) -> None:
        close_old_connections()
        try:
            run_execute(run_id, worker=self.name)
        except Exception:
            logger.exception("local run %s failed", run_id)
        finally:
            connection.close()

    def wait(self, timeout: float = 60.0) -> bool:
        """Until every submitted run ended (tests, the CLI); True when they all did."""
        deadline = time.monotonic() + timeout
        while True:
            with self.lock:
                pending = list(self.futures)
            if not pending:
                return True
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            for future in pending:
                try:
                    future.result(timeout=max(0.0, deadline - time.monotonic()))
                except Exception:
                    pass

    def _check_periodically(self) -> None:
        check_every = max(HEARTBEAT_SECONDS, stale_after().total_seconds() / 2)
        last_check = time.monotonic()
        while True:
            time.sleep(HEARTBEAT_SECONDS)
            try:
                with self.lock:
                    held = list(self.futures.values())
                if held:
                    Run.objects.filter(pk__in=held, state=Run.State.QUEUED).update(heartbeat_at=timezone.now())
                if time.monotonic() - last_check >= check_every:
                    last_check = time.monotonic()
                    runs_mark_interrupted()
            except Exception:
                logger.warning("periodic check of runs failed", exc_info=True)
            finally:
                connection.close()


_local: LocalWorkers | None = None
_local_lock = threading.Lock()


def local_workers() -> LocalWorkers:
    """This process's pool, started on first use (after marking runs of dead local workers)."""
    global _local
    with _local_lock:
        if _local is None:
            runs_mark_interrupted(startup=True)  # this process is new: runs of dead local workers stopped
            _local = LocalWorkers(settings.WEBCLIENT_RUN_WORKERS)
        return _local


def wait_for_local_runs(timeout: float = 60.0) -> bool:
    return True if _local is None else _local.wait(timeout)

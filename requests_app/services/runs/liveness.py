"""Whether a run's worker is alive: worker names that outlive pid reuse, the heartbeat's pace, and
marking runs of stopped workers `interrupted` (at a worker's start and periodically)."""

from __future__ import annotations

import logging
import os
import platform
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from requests_app.models import Run

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 5.0
WORKER_GONE = "The worker running this stopped before the run ended."


def stale_after() -> timedelta:
    return timedelta(seconds=settings.WEBCLIENT_RUN_STALE_SECONDS)


def worker_name(kind: str) -> str:
    """Who runs it: "<kind>:<host>:<pid>[:<start>]", so a restarted worker can tell its dead
    predecessors. <start> is the process's start time in clock ticks (Linux), so that a pid
    reused by another process after a crash is not taken for the worker that held the run."""
    start = _process_start_ticks(os.getpid())
    name = f"{kind}:{platform.node()}:{os.getpid()}"
    return f"{name}:{start}" if start is not None else name


def _process_stat(pid: int) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the command name, or None where there is none."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            return stat.read().rpartition(")")[2].split()
    except OSError:
        return None


def _process_start_ticks(pid: int) -> str | None:
    fields = _process_stat(pid)
    return fields[19] if fields and len(fields) > 19 else None  # field 22 of stat(5): starttime


def _process_is_gone(worker: str) -> bool:
    """True for a worker on this host whose process no longer exists.

    A killed worker's processes are re-parented to PID 1, which in containers and micro-VMs
    often reaps late or never: until then they are zombies (state Z), which `kill(pid, 0)`
    still finds. A zombie, a dead process (X) and a pid now held by a process that started at
    another time all count as gone.
    """
    parts = worker.split(":")
    if len(parts) not in (3, 4) or parts[1] != platform.node() or not parts[2].isdigit():
        return False
    pid = int(parts[2])
    if pid == os.getpid():
        return False
    fields = _process_stat(pid)
    if fields is not None:
        if fields[0] in ("Z", "X", "x"):
            return True
        return len(parts) == 4 and len(fields) > 19 and fields[19] != parts[3]
    try:
        os.kill(pid, 0)  # no /proc (not Linux): ask the kernel
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def runs_mark_interrupted(*, startup: bool = False) -> int:
    """Mark runs whose worker stopped as interrupted; returns how many.

    Always: running runs, and queued runs of local mode (they live in one process's
    memory), whose heartbeat is older than WEBCLIENT_RUN_STALE_SECONDS. At a worker's
    start-up also: runs of worker processes on this host that no longer exist, at once.
    """
    now = timezone.now()
    cutoff = now - stale_after()
    held = Run.objects.filter(Q(state=Run.State.RUNNING) | Q(state=Run.State.QUEUED, mode=Run.Mode.LOCAL))
    stale = held.filter(Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, created_at__lt=cutoff))
    marked = stale.update(state=Run.State.INTERRUPTED, error=WORKER_GONE, finished_at=now)
    if startup:
        candidates = held.exclude(worker="").values_list("pk", "worker")
        gone = [pk for pk, worker in candidates if _process_is_gone(worker)]
        if gone:
            marked += held.filter(pk__in=gone).update(state=Run.State.INTERRUPTED, error=WORKER_GONE, finished_at=now)
    if marked:
        logger.info("marked %s run(s) interrupted", marked)
    return marked

"""The dispatcher seam: what hands a stored, queued run to a worker.

The default, `to_worker`, queues it on Celery when CELERY_BROKER_URL is set and otherwise submits
it to this process's thread pool (local_pool). Code that starts runs asks `dispatcher()` for the
current one; a test that wants no worker, or to run it at once, injects its own::

    with runs.dispatching_with(lambda run_id: None):   # the record only, nothing executes
        run = runs.run_start(user=alice, workspace=acme, collection=collection)
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.conf import settings
from django.utils import timezone

from requests_app.models import Run
from requests_app.services.runs.local_pool import local_workers

logger = logging.getLogger(__name__)

Dispatcher = Callable[[int], None]

QUEUE_UNREACHABLE = "The run could not be handed to a worker: the queue is unreachable."


def to_worker(run_id: int) -> None:
    """Celery in team mode; the local thread pool otherwise. A broker that refuses the run marks
    it failed with QUEUE_UNREACHABLE instead of leaving it queued."""
    if settings.CELERY_BROKER_URL:
        from requests_app.tasks import execute_run

        try:
            execute_run.apply_async((run_id,), queue=settings.WEBCLIENT_RUN_QUEUE or None)
        except Exception:  # the broker is down: say so on the run instead of leaving it queued
            logger.exception("could not queue run %s", run_id)
            Run.objects.filter(pk=run_id, state=Run.State.QUEUED).update(
                state=Run.State.FAILED, error=QUEUE_UNREACHABLE, finished_at=timezone.now()
            )
        return
    local_workers().submit(run_id)


_current: Dispatcher = to_worker


def dispatcher() -> Dispatcher:
    """The dispatcher runs are handed to now (to_worker unless a test injected another)."""
    return _current


@contextmanager
def dispatching_with(replacement: Dispatcher) -> Iterator[Dispatcher]:
    """Within the block, runs started or dispatched go to `replacement` instead of a worker."""
    global _current
    previous, _current = _current, replacement
    try:
        yield replacement
    finally:
        _current = previous

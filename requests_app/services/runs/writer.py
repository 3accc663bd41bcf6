"""The result writer: the worker's thread stores a run's rows while another thread sends.

It stores rows in batches (bulk_create every RESULT_BATCH rows or FLUSH_SECONDS), keeps the
live totals, beats the heartbeat and reads the cancel flag, so the network never waits for the
database and every database call of a run happens on one connection.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from typing import Any

from django.db import DatabaseError, transaction
from django.utils import timezone

from requests_app.models import Run, RunResult
from requests_app.runner.captures import MASK
from requests_app.runner.loop import ResultRow, RunTotals, TotalsCounter
from requests_app.services.masking import SecretMasker
from requests_app.services.runs.liveness import HEARTBEAT_SECONDS

logger = logging.getLogger(__name__)

RESULT_BATCH = 200
FLUSH_SECONDS = 0.5
CANCEL_POLL_SECONDS = 0.5


class ResultWriter:
    """Stores rows in batches, keeps live totals, beats the heartbeat and reads the cancel flag.

    It works in the thread that called run_execute (the worker's thread, on its database
    connection) while the requests go out on another: the network never waits for the
    database, and every database call of a run happens on one connection. A database
    hiccup keeps the rows for the next try.
    """

    def __init__(self, run: Run, masker: SecretMasker, secret_names: set[str], cancel: threading.Event) -> None:
        self.run_id = run.pk
        self.masker = masker
        self.secret_names = secret_names
        self.cancel = cancel
        self.rows: queue.SimpleQueue[ResultRow] = queue.SimpleQueue()
        self.counter = TotalsCounter()
        self.started = time.perf_counter()
        self.pending: list[RunResult] = []
        self.learnt: dict[str, str] = {}

    def mask_also(self, value: str) -> None:
        """A secret learnt during the run (an OAuth 2.0 token) is masked in what is stored from now on."""
        if value in self.learnt.values():
            return
        self.learnt[f"oauth2_access_token_{len(self.learnt) + 1}"] = value
        self.masker = self.masker.with_secrets(self.learnt)

    def add(self, row: ResultRow) -> None:
        self.rows.put(row)

    def serve(self, plan_done: threading.Event) -> None:
        """Until the plan has ended and every row is stored."""
        last_flush = last_beat = last_cancel_check = time.monotonic()
        while True:
            finished = plan_done.is_set()  # read before draining: rows are queued before it is set
            collect_until = time.monotonic() + (0 if finished else FLUSH_SECONDS / 2)
            try:
                while len(self.pending) < RESULT_BATCH:
                    row = self.rows.get(timeout=max(0.0, collect_until - time.monotonic()))
                    self.counter.add(row)
                    self.pending.append(self._stored(row))
            except queue.Empty:
                pass
            now = time.monotonic()
            beat_due = now - last_beat >= HEARTBEAT_SECONDS
            if self.pending and (finished or len(self.pending) >= RESULT_BATCH or now - last_flush >= FLUSH_SECONDS):
                self._flush(beat=beat_due)
                last_flush = now
            elif beat_due:
                self._beat()
            if beat_due:
                last_beat = now
            if finished and self.rows.empty():
                if self.pending:
                    self._flush(beat=True, retries=20)
                return
            if now - last_cancel_check >= CANCEL_POLL_SECONDS:
                self._check_cancel()
                last_cancel_check = now

    def _stored(self, row: ResultRow) -> RunResult:
        data = row.to_dict()
        for capture in data["captures"]:
            if capture["variable"] in self.secret_names and capture["value"] is not None:
                capture["value"] = MASK
        data = self.masker.deep(data)
        return RunResult(
            run_id=self.run_id,
            iteration=row.iteration,
            position=row.index,
            saved_request_id=row.key,
            name=row.name[:200],
            path=row.path[:500],
            method=row.method[:32],
            url=data["url"],
            status=row.status,
            time_ms=row.time_ms,
            size=row.size,
            passed=row.passed,
            assertions_failed=row.failed_assertions,
            assertions=data["assertions"],
            captures=data["captures"],
            error=data["error"],
            unresolved_variables=data["unresolved_variables"],
            console=data.get("console", []),
            response_shape=data.get("shape"),
        )

    def _flush(self, *, beat: bool, retries: int = 0) -> None:
        for attempt in range(retries + 1):
            try:
                with transaction.atomic():
                    RunResult.objects.bulk_create(self.pending)
                    changes: dict[str, Any] = {"totals": self.live_totals().to_dict()}
                    if beat:
                        changes["heartbeat_at"] = timezone.now()
                    Run.objects.filter(pk=self.run_id).update(**changes)
                self.pending = []
                return
            except DatabaseError:
                if attempt == retries:
                    if retries:
                        raise
                    logger.warning("run %s: storing results failed, will retry", self.run_id, exc_info=True)
                    return
                time.sleep(0.25)

    def _beat(self) -> None:
        try:
            Run.objects.filter(pk=self.run_id).update(heartbeat_at=timezone.now())
        except DatabaseError:
            logger.warning("run %s: heartbeat failed, will retry", self.run_id, exc_info=True)

    def _check_cancel(self) -> None:
        try:
            if Run.objects.filter(pk=self.run_id, cancel_requested=True).exists():
                self.cancel.set()
        except DatabaseError:
            logger.warning("run %s: could not read the cancel flag", self.run_id, exc_info=True)

    def live_totals(self) -> RunTotals:
        return self.counter.progress(duration_ms=(time.perf_counter() - self.started) * 1000)

"""The monitor tick on a real Celery worker (Redis on 127.0.0.1:6379), as beat would send it.

Reuses the team-mode harness of tests/services/test_runs_celery.py: a scratch SQLite file shared
by the worker and `manage.py shell` steps. Two ticks sent at once start the due slot once.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator

import pytest

from tests.services.test_runs_celery import Team, redis, running_team  # noqa: F401  (the fixture)

pytestmark = pytest.mark.slow

SETUP = """
import json
from datetime import timedelta
from django.utils import timezone
from requests_app.models import Monitor
from requests_app.services import monitors
from requests_app.services.accounts import account_create
from requests_app.services.collections import collection_create
from requests_app.services.saved_requests import request_create
user = account_create(username="mon", password="correct-horse-battery-9", email="mon@example.com")
workspace = user.workspaces.get()
collection = collection_create(user=user, workspace=workspace, name="Beat")
request_create(user=user, collection=collection, name="ok", url=BASE + "/status/200",
               assertions=[{"type": "status", "op": "equals", "expected": 200}])
monitor = monitors.monitor_create(user=user, workspace=workspace, name="beat", collection=collection, every_minutes=1)
Monitor.objects.filter(pk=monitor.pk).update(next_run_at=timezone.now() - timedelta(seconds=5))
print(json.dumps({"monitor": monitor.pk}))
"""

# What beat does, twice at once: send the tick task to the queue the workers read.
TICK_TWICE = """
from requests_app.tasks import monitors_tick
for _ in range(2):
    monitors_tick.apply_async(queue=QUEUE)
print("sent")
"""


@pytest.fixture(scope="module")
def team(redis: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Team]:
    with running_team(tmp_path_factory.mktemp("celery-monitors")) as team:
        yield team


def monitor_row(team: Team, monitor_id: int) -> dict[str, object]:
    with sqlite3.connect(team.db_path, timeout=10) as db:
        db.row_factory = sqlite3.Row
        row = dict(db.execute("SELECT * FROM requests_app_monitor WHERE id = ?", (monitor_id,)).fetchone())
        row["runs"] = [dict(r) for r in db.execute(
            "SELECT id, state, monitor_checked FROM requests_app_run WHERE monitor_id = ?", (monitor_id,))]
    return row


def test_ticks_on_a_worker_start_the_slot_once_and_judge_the_run(team, echo_server):
    monitor_id = json.loads(team.shell(SETUP, BASE=echo_server.url()))["monitor"]
    team.shell(TICK_TWICE, QUEUE=team.queue)
    deadline = time.monotonic() + 120
    while True:
        row = monitor_row(team, monitor_id)
        if row["runs"] and all(run["state"] == "passed" for run in row["runs"]):
            break
        assert time.monotonic() < deadline, (row, "".join(team.worker_log[-30:]))
        time.sleep(0.2)
    team.shell(TICK_TWICE, QUEUE=team.queue)  # the next ticks judge the finished run
    while monitor_row(team, monitor_id)["state"] != "passing":
        assert time.monotonic() < deadline, "".join(team.worker_log[-30:])
        time.sleep(0.2)
    row = monitor_row(team, monitor_id)
    assert len(row["runs"]) == 1 and row["runs"][0]["monitor_checked"] == 1
    assert row["last_run_id"] == row["runs"][0]["id"]

"""Background deletes in team mode for real: Redis as broker and a `celery -A webclient worker`
process (the harness of test_runs_celery.py: a scratch SQLite file shared by every process).
Skipped without Redis, unless WEBCLIENT_REQUIRE_REDIS=1."""

from __future__ import annotations

import json
import socket
import sqlite3
import time
from collections.abc import Iterator

import pytest

from tests.services.test_runs_celery import WAIT_BOUND, Team, redis, running_team  # noqa: F401  (the fixture)

pytestmark = pytest.mark.slow

SETUP = """
import json
from requests_app.models import Collection, SavedRequest
from requests_app.services.accounts import account_create
user = account_create(username="ops", password="correct-horse-battery-9", email="ops@example.com")
workspace = user.workspaces.get()
made = {}
for name in ("Doomed", "Orphaned"):
    collection = Collection.objects.create(workspace=workspace, name=name)
    SavedRequest.objects.bulk_create(SavedRequest(collection=collection, name=f"R{i}", position=i,
                                                  url="http://127.0.0.1:9/") for i in range(COUNT))
    made[name] = collection.pk
print(json.dumps({"user": user.pk, **made}))
"""

DELETE = """
from django.contrib.auth import get_user_model
from requests_app.models import Collection
from requests_app.services import deletes
if LOSE_MESSAGE:
    deletes._dispatch = lambda job_id: None  # the message never reaches a worker (a broker restart)
job = deletes.delete_start(user=get_user_model().objects.get(pk=USER), obj=Collection.objects.get(pk=COLLECTION))
print(job.pk)
"""


@pytest.fixture(scope="module")
def team(redis: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Team]:
    with running_team(tmp_path_factory.mktemp("celery-deletes"), WEBCLIENT_DELETE_INLINE_REQUESTS="100") as team:
        yield team


def job_row(team: Team, job_id: int) -> dict[str, object]:
    with sqlite3.connect(team.db_path, timeout=10) as db:
        db.row_factory = sqlite3.Row
        row = dict(db.execute("SELECT * FROM requests_app_deletejob WHERE id = ?", (job_id,)).fetchone())
        row["left"] = db.execute("SELECT COUNT(*) FROM requests_app_savedrequest WHERE collection_id = ?",
                                 (row["collection_id_deleted"],)).fetchone()[0]
    return row


def wait_done(team: Team, job_id: int) -> dict[str, object]:
    deadline = time.monotonic() + WAIT_BOUND
    while (row := job_row(team, job_id))["state"] not in ("done", "failed"):
        assert time.monotonic() < deadline, (row, "".join(team.worker_log[-30:]))
        time.sleep(0.2)
    return row


def test_a_celery_worker_deletes_a_big_collection_and_a_restarted_one_finishes_a_lost_job(team: Team) -> None:
    ids = json.loads(team.shell(SETUP, COUNT=5000))
    job_id = int(team.shell(DELETE, USER=ids["user"], COLLECTION=ids["Doomed"], LOSE_MESSAGE=0))
    row = wait_done(team, job_id)
    assert row["state"] == "done" and row["done"] == row["total"] == 5000 and row["left"] == 0
    assert str(row["worker"]).startswith(f"celery:{socket.gethostname()}:")

    team.kill_worker()
    lost = int(team.shell(DELETE, USER=ids["user"], COLLECTION=ids["Orphaned"], LOSE_MESSAGE=1))
    assert job_row(team, lost)["state"] == "queued"  # nobody has it
    team.start_worker()  # worker_ready: deletes_resume hands it out
    row = wait_done(team, lost)
    assert row["state"] == "done" and row["left"] == 0

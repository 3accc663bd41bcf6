"""Team mode for real: Redis on 127.0.0.1:6379 as broker and a `celery -A webclient worker` process.

Everything the worker touches lives in a scratch SQLite file shared by this test, the worker and
the small `manage.py shell` steps that start and cancel runs (the test database of pytest-django
is invisible to other processes). Without Redis the test is skipped with the reason, unless
WEBCLIENT_REQUIRE_REDIS=1 (CI), which makes it fail instead.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REDIS = ("127.0.0.1", 6379)
pytestmark = pytest.mark.slow
# Waits on other processes end when their condition holds; the bound only stops a test that
# would otherwise hang, so it is generous rather than tuned to one machine's speed.
WAIT_BOUND = 180.0

SETUP = """
import json
from requests_app.services.accounts import account_create
from requests_app.services.collections import collection_create
from requests_app.services.saved_requests import request_create
user = account_create(username="ops", password="correct-horse-battery-9", email="ops@example.com")
workspace = user.workspaces.get()
collection = collection_create(user=user, workspace=workspace, name="Celery",
                               variables=[{"key": "base", "value": BASE, "enabled": True}])
ok = request_create(user=user, collection=collection, name="ok", url="{{base}}/status/200",
                    assertions=[{"type": "status", "op": "equals", "expected": 200}])
print(json.dumps({"user": user.pk, "workspace": workspace.pk, "request": ok.pk}))
"""

START = """
from django.contrib.auth import get_user_model
from requests_app.models import Workspace
from requests_app.services import runs
user = get_user_model().objects.get(pk=USER)
run = runs.run_start(user=user, workspace=Workspace.objects.get(pk=WORKSPACE), request_ids=[REQUEST],
                     iterations=ITERATIONS, delay_ms=DELAY)
print(run.pk)
"""

CANCEL = """
from django.contrib.auth import get_user_model
from requests_app.models import Run
from requests_app.services import runs
runs.run_cancel(user=get_user_model().objects.get(pk=USER), run=Run.objects.get(pk=RUN))
"""


def redis_reachable() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.fixture(scope="module")
def redis() -> None:
    if not redis_reachable():
        message = "Redis is not reachable on 127.0.0.1:6379: the Celery path cannot be tested here"
        if os.environ.get("WEBCLIENT_REQUIRE_REDIS") == "1":
            pytest.fail(message + " (WEBCLIENT_REQUIRE_REDIS=1)")
        pytest.skip(message)


class Team:
    """The scratch database, the environment of every process, and the worker."""

    def __init__(self, scratch: Path) -> None:
        self.db_path = scratch / "team.sqlite3"
        self.queue = f"webclient-test-{uuid.uuid4().hex[:8]}"
        self.env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{self.db_path}",
            "WEBCLIENT_DATA_DIR": str(scratch / "data"),
            "CELERY_BROKER_URL": f"redis://{REDIS[0]}:{REDIS[1]}/15",
            "WEBCLIENT_RUN_QUEUE": self.queue,
            "WEBCLIENT_RUN_STALE_SECONDS": "30",
        }
        self.worker: subprocess.Popen[str] | None = None
        self.worker_log: list[str] = []

    def manage(self, *args: str) -> str:
        done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout

    def shell(self, code: str, **values: object) -> str:
        for name, value in values.items():
            code = code.replace(name, json.dumps(value))
        return self.manage("shell", "-c", code).strip().splitlines()[-1]

    def start_worker(self) -> None:
        self.worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "webclient", "worker", "-Q", self.queue, "-c", "2",
             "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "info"],
            cwd=ROOT, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            start_new_session=True,
        )
        ready = threading.Event()

        def read() -> None:
            assert self.worker is not None and self.worker.stdout is not None
            for line in self.worker.stdout:
                self.worker_log.append(line)
                if " ready." in line:
                    ready.set()

        threading.Thread(target=read, daemon=True).start()
        assert ready.wait(WAIT_BOUND), "".join(self.worker_log[-30:])

    def kill_worker(self) -> None:
        if self.worker is not None and self.worker.poll() is None:
            os.killpg(self.worker.pid, signal.SIGKILL)  # the whole group: the prefork children too
            self.worker.wait(10)

    def stop_worker(self) -> None:
        if self.worker is not None and self.worker.poll() is None:
            os.killpg(self.worker.pid, signal.SIGTERM)
            try:
                self.worker.wait(20)
            except subprocess.TimeoutExpired:
                self.kill_worker()

    def run_row(self, run_id: int) -> dict[str, object]:
        with sqlite3.connect(self.db_path, timeout=10) as db:
            db.row_factory = sqlite3.Row
            row = db.execute("SELECT * FROM requests_app_run WHERE id = ?", (run_id,)).fetchone()
            results = db.execute("SELECT COUNT(*) FROM requests_app_runresult WHERE run_id = ?", (run_id,)).fetchone()[0]
        return {**dict(row), "results": results}

    def wait_for(self, run_id: int, condition, timeout: float = WAIT_BOUND) -> dict[str, object]:
        deadline = time.monotonic() + timeout
        while True:
            row = self.run_row(run_id)
            if condition(row):
                return row
            assert time.monotonic() < deadline, (row, "".join(self.worker_log[-30:]))
            time.sleep(0.2)


@contextmanager
def running_team(scratch: Path, **env: str) -> Iterator[Team]:
    """A migrated scratch database with a real worker on its own queue, stopped on the way out
    (each Celery test module's `team` fixture)."""
    team = Team(scratch)
    team.env.update(env)
    team.manage("migrate", "-v0")
    team.start_worker()
    try:
        yield team
    finally:
        team.stop_worker()


@pytest.fixture(scope="module")
def team(redis: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Team]:
    with running_team(tmp_path_factory.mktemp("celery-team")) as team:
        yield team


@pytest.fixture(scope="module")
def ids(team: Team, echo_server) -> dict[str, int]:
    return json.loads(team.shell(SETUP, BASE=echo_server.url()))


def start_run(team: Team, ids: dict[str, int], *, iterations: int = 1, delay: int = 0) -> int:
    return int(team.shell(START, USER=ids["user"], WORKSPACE=ids["workspace"], REQUEST=ids["request"],
                          ITERATIONS=iterations, DELAY=delay))


def test_a_celery_worker_executes_the_run(team, ids):
    run_id = start_run(team, ids, iterations=5)
    row = team.wait_for(run_id, lambda r: r["state"] in ("passed", "failed", "interrupted"))
    assert row["state"] == "passed" and row["mode"] == "celery"
    assert str(row["worker"]).startswith(f"celery:{socket.gethostname()}:")
    assert row["results"] == 5
    assert json.loads(str(row["totals"]))["assertions_passed"] == 5


def test_cancel_reaches_the_celery_worker(team, ids):
    run_id = start_run(team, ids, iterations=400, delay=25)
    team.wait_for(run_id, lambda r: r["state"] == "running" and int(r["results"]) > 0)
    team.shell(CANCEL, USER=ids["user"], RUN=run_id)
    row = team.wait_for(run_id, lambda r: r["state"] != "running")
    assert row["state"] == "cancelled"
    assert 0 < int(row["results"]) < 400


def test_a_run_whose_worker_died_is_interrupted_when_a_worker_starts(team, ids):
    run_id = start_run(team, ids, iterations=400, delay=25)
    team.wait_for(run_id, lambda r: r["state"] == "running")
    team.kill_worker()
    assert team.run_row(run_id)["state"] == "running"  # nobody knows yet
    team.start_worker()
    row = team.wait_for(run_id, lambda r: r["state"] != "running")
    assert row["state"] == "interrupted" and row["error"]

"""The team cluster (deploy/cluster.sh) as real processes: both nodes serve, and faults are survived.

Each test leaves the cluster whole again (`cluster.sh start` replaces what was killed).
"""

from __future__ import annotations

import http.client
import threading
import time
import urllib.parse
from collections import Counter
from typing import Any

import pytest

from tests.cluster.conftest import STALE_SECONDS
from tests.cluster.harness import Cluster, PrivatePostgres, PrivateRedis, session_opener, wait_for

pytestmark = [pytest.mark.cluster, pytest.mark.slow]


def _workspace_id(cluster: Cluster, token: str) -> int:
    return cluster.call("GET", "/api/v1/workspaces/", token).json()["results"][0]["id"]


class Load:
    """Threads sending `path` in a loop; answers recorded as (time sent, status, node, body, time
    received).

    Both times count: an answer web1 gave just before it was killed may reach a busy client
    thread after the kill returned (sent before), and a request in flight on web1 when it died
    fails after the kill (received after), however early it left."""

    def __init__(self, cluster: Cluster, token: str, path: str, threads: int = 4) -> None:
        self.cluster, self.token, self.path = cluster, token, path
        self.answers: list[tuple[float, int, str, bytes, float]] = []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._loop, daemon=True) for _ in range(threads)]

    def _loop(self) -> None:
        while not self._stop.is_set():
            sent = time.monotonic()
            try:
                answer = self.cluster.call("GET", self.path, self.token, timeout=10)
                self.answers.append((sent, answer.status, answer.node, answer.body[:300], time.monotonic()))
            except (OSError, http.client.HTTPException) as error:  # reset, refused, cut short: status 0
                self.answers.append((sent, 0, "", str(error).encode(), time.monotonic()))

    def __enter__(self) -> Load:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(15)


def test_both_nodes_serve_one_session_with_csrf(cluster: Cluster, owner_token: str) -> None:
    opener = session_opener()
    login_page = opener.open(cluster.base + "/login/").read().decode()
    csrf = login_page.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    form = urllib.parse.urlencode({"csrfmiddlewaretoken": csrf, "username": "olga",
                                   "password": "cluster-horse-battery-9"}).encode()
    opener.open(cluster.base + "/login/", data=form)  # POST on one node, CSRF from the other's page
    workspace_page = opener.open(cluster.base + "/").url  # "/" redirects: two requests
    assert "/login/" not in workspace_page
    nodes: Counter[str] = Counter()
    for _ in range(6):
        with opener.open(workspace_page) as response:
            assert response.status == 200 and "/login/" not in response.url
            nodes[response.headers["X-Webclient-Node"]] += 1
    assert set(nodes) == {"web1", "web2"}  # round robin, the session works on both


def test_a_stale_save_is_refused_whichever_node_answers(cluster: Cluster, owner_token: str) -> None:
    workspace = _workspace_id(cluster, owner_token)
    collection = cluster.call("POST", "/api/v1/collections/", owner_token, {"workspace": workspace, "name": "c"}).json()
    saved = cluster.call("POST", "/api/v1/requests/", owner_token,
                         {"collection": collection["id"], "name": "r", "url": "http://example.com/"}).json()
    first = cluster.call("PATCH", f"/api/v1/requests/{saved['id']}/", owner_token,
                         {"version": saved["version"], "url": "http://example.com/mine"})
    second = cluster.call("PATCH", f"/api/v1/requests/{saved['id']}/", owner_token,
                          {"version": saved["version"], "url": "http://example.com/theirs"})
    assert first.status == 200 and second.status == 409
    assert first.node != second.node  # round robin: two nodes, one conflict check
    assert second.json()["error"]["current"]["url"] == "http://example.com/mine"


def test_kill_9_one_web_node_under_load_the_other_keeps_answering(cluster: Cluster, owner_token: str) -> None:
    with Load(cluster, owner_token, "/api/v1/workspaces/") as load:
        time.sleep(1.5)
        killed_at = time.monotonic()
        cluster.kill9("web1")  # returns once web1 is gone
        dead_at = time.monotonic()
        time.sleep(3)
    before = [a for a in load.answers if a[4] < killed_at]  # answered before the kill
    after = [a for a in load.answers if a[0] >= dead_at]
    assert {a[2] for a in before} == {"web1", "web2"}, [a for a in before if a[1] != 200]
    failed = [a for a in load.answers if a[4] >= killed_at and a[1] != 200]
    # Only requests in flight on web1 when it died may fail (at most one per load thread).
    assert len(failed) <= 4, failed
    assert len(after) - len(failed) > 10
    assert {a[2] for a in after if a[1] == 200} == {"web2"}
    cluster.start()  # replaces web1 only
    wait_for(lambda: "web1" in {cluster.call("GET", "/healthz").node for _ in range(2)}, 30, "web1 back")


def _collection_with_a_slow_request(cluster: Cluster, token: str, target: str) -> int:
    workspace = _workspace_id(cluster, token)
    collection = cluster.call("POST", "/api/v1/collections/", token, {"workspace": workspace, "name": "slow"}).json()
    answer = cluster.call("POST", "/api/v1/requests/", token, {
        "collection": collection["id"], "name": "wait", "method": "GET", "url": target})
    assert answer.status == 201, answer.body
    return collection["id"]


def _run_states_by_node(cluster: Cluster, token: str, run_id: int) -> dict[str, str]:
    states: dict[str, str] = {}
    for _ in range(6):
        answer = cluster.call("GET", f"/api/v1/runs/{run_id}/", token)
        states[answer.node] = answer.json()["state"]
    return states


def test_kill_9_the_worker_mid_run_interrupts_it_and_a_rerun_completes(
    cluster: Cluster, owner_token: str, echo_server: Any
) -> None:
    collection = _collection_with_a_slow_request(cluster, owner_token, echo_server.url("/delay/2"))
    run = cluster.call("POST", "/api/v1/runs/", owner_token, {"collection": collection, "iterations": 20}).json()
    wait_for(lambda: cluster.call("GET", f"/api/v1/runs/{run['id']}/", owner_token).json()["state"] == "running",
             30, "the run to start on the worker")
    killed_at = time.monotonic()
    cluster.kill9("worker")
    cluster.start()  # what a supervisor does (systemd Restart=always): a new worker
    wait_for(lambda: set(_run_states_by_node(cluster, owner_token, run["id"]).values()) == {"interrupted"},
             STALE_SECONDS + 30, "the run to be interrupted")
    assert time.monotonic() - killed_at < STALE_SECONDS + 30
    assert set(_run_states_by_node(cluster, owner_token, run["id"])) == {"web1", "web2"}

    quick = _collection_with_a_slow_request(cluster, owner_token, echo_server.url("/get"))
    rerun = cluster.call("POST", "/api/v1/runs/", owner_token, {"collection": quick}).json()
    finished = wait_for(
        lambda: (body := cluster.call("GET", f"/api/v1/runs/{rerun['id']}/", owner_token).json())["state"]
        in ("passed", "failed", "interrupted") and body, 60, "the re-run to finish")
    assert finished["state"] == "passed", finished


def test_postgresql_restart_answers_503_then_recovers_without_restarting_the_nodes(
    cluster: Cluster, owner_token: str, private_postgres: PrivatePostgres
) -> None:
    web_pids = (cluster.pid("web1"), cluster.pid("web2"))
    with Load(cluster, owner_token, "/api/v1/workspaces/") as load:
        time.sleep(1)
        private_postgres.stop()
        time.sleep(2)
        down = cluster.call("GET", "/api/v1/workspaces/", owner_token)
        page = cluster.call("GET", "/login/")
        private_postgres.start()
        restarted_at = time.monotonic()
        time.sleep(3)
    assert down.status == 503 and down.json()["error"]["code"] == "database_unavailable"
    assert page.status == 503 and b"Temporarily unavailable" in page.body and b"Traceback" not in page.body
    statuses = Counter(a[1] for a in load.answers)
    assert set(statuses) <= {200, 503}, statuses  # never a 500, a 502 or a reset
    recovered = [a for a in load.answers if a[0] > restarted_at + 1]
    assert recovered and all(a[1] == 200 for a in recovered)
    assert (cluster.pid("web1"), cluster.pid("web2")) == web_pids


def test_redis_stopped_pages_work_runs_say_the_queue_is_down_and_it_recovers(
    cluster: Cluster, owner_token: str, private_redis: PrivateRedis, echo_server: Any
) -> None:
    collection = _collection_with_a_slow_request(cluster, owner_token, echo_server.url("/get"))
    private_redis.stop()
    try:
        assert cluster.call("GET", "/api/v1/workspaces/", owner_token).status == 200
        ready = cluster.call("GET", "/readyz")
        assert ready.status == 503
        assert ready.json()["checks"]["broker"]["ok"] is False
        started = cluster.call("POST", "/api/v1/runs/", owner_token, {"collection": collection}, timeout=30).json()
        # the answer to the start already says so, and so does the stored run
        assert started["state"] == "failed" and "queue is unreachable" in started["error"], started
        run = cluster.call("GET", f"/api/v1/runs/{started['id']}/", owner_token).json()
        assert run["state"] == "failed" and "queue is unreachable" in run["error"], run
    finally:
        private_redis.start()
    wait_for(lambda: cluster.call("GET", "/readyz").status == 200, 60, "readiness after Redis is back")
    run = cluster.call("POST", "/api/v1/runs/", owner_token, {"collection": collection}).json()
    finished = wait_for(
        lambda: (body := cluster.call("GET", f"/api/v1/runs/{run['id']}/", owner_token).json())["state"]
        in ("passed", "failed", "interrupted") and body, 60, "a run after Redis is back")
    assert finished["state"] == "passed", finished

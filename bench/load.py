"""Load on the local team cluster through nginx: the same team workload on 1 node, then 2 nodes.

    .venv/bin/python bench/load.py --users 20 --duration 60          # prints the table below
    .venv/bin/python bench/load.py --users 50 --duration 60 --nodes 2

For each node count it starts deploy/cluster.sh (CLUSTER_NODES=n) on its own database, fills a
team workspace (an owner and --accounts editors, a collection of two requests to a local
target), runs locust headless for --duration seconds with --users simulated people, stops the
cluster and prints requests/s, p50/p95/p99 (ms) and errors: all requests, pages and API
without `send` (whose time includes the outbound request), and `send` alone.

Each simulated person starts signed in (sessions made by the setup: password hashing is not the
workload; the sign-in form is covered by tests) and creates a request of their own, then in a loop: opens the workspace page, sends a request
to the local target (POST /api/v1/execute with the session, as the page does), saves their
own request (PATCH with its version), reads history, and now and then starts a small run.

The cluster's environment variables (CLUSTER_PORT, CLUSTER_NODE_PORTS, CLUSTER_DATABASE_URL,
CLUSTER_REDIS_URL, CLUSTER_DIR) apply; by default the database is webclient_bench and the
Redis db 13. Locust runs in one process here and takes CPU from the same cores as the nodes.
This file is also the locustfile (locust imports it; `BENCH_*` variables carry the setup).
"""

from __future__ import annotations

import argparse
import collections
import itertools
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from locust import HttpUser, between, events, task

ROOT = Path(__file__).resolve().parents[1]
CLUSTER_SH = ROOT / "deploy" / "cluster.sh"
PASSWORD = "bench-horse-battery-9"

# ------------------------------------------------------------------ the simulated team member
_accounts = itertools.count()
_samples: list[tuple[str, float, bool, float, str]] = []  # (name, ms, failed, end time, error) per request
SIGNING_IN = ("first page", "/api/v1/requests/ (create)")  # each user's start, left out of the figures


@events.request.add_listener
def _record(name: str, response_time: float, exception: BaseException | None, **_: object) -> None:
    _samples.append((name, response_time, exception is not None, time.time(), str(exception or "")[:120]))


@events.quitting.add_listener
def _write_samples(**_: object) -> None:
    if os.environ.get("BENCH_SAMPLES"):
        Path(os.environ["BENCH_SAMPLES"]).write_text(json.dumps(_samples))


class TeamMember(HttpUser):
    # Think time between actions: BENCH_THINK seconds on average (0: as fast as the server answers).
    _think = float(os.environ.get("BENCH_THINK", "1"))
    wait_time = between(0.5 * _think, 1.5 * _think)

    def on_start(self) -> None:
        setup = json.loads(os.environ["BENCH_SETUP"])
        self.workspace = setup["workspace"]
        self.collection = setup["collection"]
        self.target = setup["target"]
        account = next(_accounts) % len(setup["accounts"])
        # Signed in ahead (a session made by the setup): password hashing is not the workload.
        self.client.cookies.set("sessionid", setup["sessions"][account])
        self.client.get(f"/w/{self.workspace}/", name=SIGNING_IN[0])  # sets the CSRF cookie
        mine = self.client.post("/api/v1/requests/", json={
            "collection": self.collection, "name": f"{setup['accounts'][account]} {random.randrange(10**6)}",
            "method": "GET", "url": self.target + "/get"}, headers=self._csrf(), name=SIGNING_IN[1]).json()
        self.request_id, self.version = mine["id"], mine["version"]

    def _csrf(self) -> dict[str, str]:
        return {"X-CSRFToken": self.client.cookies.get("csrftoken", "")}

    @task(3)
    def open_workspace(self) -> None:
        self.client.get(f"/w/{self.workspace}/", name="/w/<id>/")

    @task(3)
    def send(self) -> None:
        self.client.post("/api/v1/execute", json={
            "workspace": self.workspace, "method": "GET", "url": self.target + "/get?from=bench"},
            headers=self._csrf(), name="send")

    @task(2)
    def save(self) -> None:
        with self.client.patch(f"/api/v1/requests/{self.request_id}/", json={
                "version": self.version, "url": f"{self.target}/anything/{random.randrange(10**6)}"},
                headers=self._csrf(), name="/api/v1/requests/<id>/ (save)", catch_response=True) as response:
            if response.status_code == 200:
                self.version = response.json()["version"]

    @task(2)
    def history(self) -> None:
        self.client.get(f"/api/v1/history/?workspace={self.workspace}&limit=20", name="/api/v1/history/")

    @task(1)
    def start_run(self) -> None:
        run = self.client.post("/api/v1/runs/", json={"collection": self.collection}, headers=self._csrf(),
                               name="/api/v1/runs/ (start)")
        if run.status_code == 202:
            self.client.get(f"/api/v1/runs/{run.json()['id']}/", name="/api/v1/runs/<id>/")


# ------------------------------------------------------------------ the orchestration
SETUP_CODE = """
import json, sys
from requests_app.services.accounts import account_create
from requests_app.services.collections import collection_create
from requests_app.services.saved_requests import request_create
from requests_app.services.workspaces import member_add, workspace_create
from django.contrib.auth import get_user_model
target, count = sys.argv[1], int(sys.argv[2])
names = [f"bench{i}" for i in range(count)]
users = [get_user_model().objects.filter(username=n).first() or account_create(username=n, password=PASSWORD, email=f"{n}@example.com") for n in names]
owner = users[0]
workspace = workspace_create(user=owner, name="Bench team")
for user in users[1:]:
    member_add(user=owner, workspace=workspace, role="editor", username=user.username)
collection = collection_create(user=owner, workspace=workspace, name="Smoke")
request_create(user=owner, collection=collection, name="get", url=target + "/get")
request_create(user=owner, collection=collection, name="post", method="POST", url=target + "/post")
from django.test import Client
sessions = []
for user in users:
    client = Client()
    client.force_login(user)
    sessions.append(client.cookies["sessionid"].value)
print(json.dumps({"workspace": workspace.pk, "collection": collection.pk, "accounts": names, "target": target,
                  "sessions": sessions}))
"""


def _cluster(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([str(CLUSTER_SH), *args], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"cluster.sh {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def _window(samples: list[list]) -> tuple[list[list], float]:
    """The samples after the last person started (their first page and request left out)."""
    start = max(sample[3] for sample in samples if sample[0] in SIGNING_IN)
    end = max(sample[3] for sample in samples)
    return [s for s in samples if s[3] > start and s[0] not in SIGNING_IN], max(end - start, 1e-9)


def _figures(samples: list[list], duration: float, names: set[str] | None = None,
             exclude: tuple[str, ...] = ()) -> dict[str, float]:
    """req/s, errors and exact p50/p95/p99 (ms) over the samples of `names` (default: all but `exclude`)."""
    chosen = [(ms, failed) for name, ms, failed, *_ in samples if (name in names if names else name not in exclude)]
    times = sorted(ms for ms, _ in chosen)
    errors = sum(1 for _, failed in chosen if failed)
    if len(times) < 2:
        return {"requests": len(times), "rps": len(times) / duration, "errors": errors, "p50": 0, "p95": 0, "p99": 0}
    cuts = statistics.quantiles(times, n=100, method="inclusive")
    return {"requests": len(times), "rps": len(times) / duration, "errors": errors,
            "p50": cuts[49], "p95": cuts[94], "p99": cuts[98]}


def _cpu_seconds(cluster_dir: Path) -> dict[str, float]:
    """CPU time (user + system) used so far by each part of the cluster, by process group."""
    groups = {int(f.read_text()): f.stem for f in (cluster_dir / "run").glob("*.pid") if f.read_text().strip()}
    ticks = os.sysconf("SC_CLK_TCK")
    used: dict[str, float] = dict.fromkeys(groups.values(), 0.0)
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        name = groups.get(int(fields[2]))  # field 5 of stat: the process group
        if name:
            used[name] += (int(fields[11]) + int(fields[12])) / ticks  # utime + stime
    return used


def measure(nodes: int, args: argparse.Namespace, target: str, scratch: Path) -> tuple[list[list], dict[str, float]]:
    env = {**os.environ, "CLUSTER_NODES": str(nodes), "CLUSTER_DIR": str(scratch / f"cluster-{nodes}"),
           "WEBCLIENT_LOG_LEVEL": os.environ.get("WEBCLIENT_LOG_LEVEL", "WARNING")}
    env.setdefault("CLUSTER_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/webclient_bench")
    for name in ("DATABASE_URL", "CACHE_URL", "CELERY_BROKER_URL", "WEBCLIENT_DATA_DIR", "SECRET_KEY"):
        env.pop(name, None)
    if args.think == 0:
        # A saturating robot is not a person: the per-person throttles (tested elsewhere) would turn
        # capacity into 429s. Raised for this measurement only.
        for scope in ("EXECUTE", "RUNS", "IMPORT"):
            env.setdefault(f"WEBCLIENT_RATE_{scope}", "100000/min")
    _cluster(env, "start")
    try:
        setup = _cluster(env, "manage", "shell", "-c",
                         SETUP_CODE.replace("PASSWORD", repr(PASSWORD)).replace("sys.argv[1], int(sys.argv[2])",
                                                                                 f"{target!r}, {args.accounts}"))
        port = env.get("CLUSTER_PORT", "8080")
        samples = scratch / f"samples-{nodes}.json"
        cpu_before, children_before = _cpu_seconds(Path(env["CLUSTER_DIR"])), os.times()
        subprocess.run(
            [sys.executable, "-m", "locust", "-f", __file__, "--headless", "--only-summary", "--host",
             f"http://127.0.0.1:{port}", "-u", str(args.users), "-r", str(args.users), "--run-time",
             f"{args.duration + args.users // 2}s", "--loglevel", "WARNING"],  # + time to sign everyone in
            env={**env, "BENCH_SETUP": setup.strip().splitlines()[-1], "BENCH_SAMPLES": str(samples),
                 "BENCH_THINK": str(args.think)}, check=False,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        cpu_after, children_after = _cpu_seconds(Path(env["CLUSTER_DIR"])), os.times()
        cpu = {name: cpu_after[name] - cpu_before.get(name, 0.0) for name in cpu_after}
        cpu["locust"] = (children_after.children_user + children_after.children_system
                         - children_before.children_user - children_before.children_system)
        return json.loads(samples.read_text()), cpu
    finally:
        _cluster(env, "stop")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--duration", type=int, default=60, help="seconds of load per node count")
    parser.add_argument("--nodes", default="1,2", help="node counts to measure, in order (default 1,2)")
    parser.add_argument("--accounts", type=int, default=0,
                        help="team members the users sign in as (default: one each, as a team of --users people)")
    parser.add_argument("--think", type=float, default=1.0,
                        help="mean seconds between one person's actions (0: saturate, to compare capacity)")
    args = parser.parse_args()
    args.accounts = args.accounts or args.users
    sys.path.insert(0, str(ROOT / "bench"))
    from common import start_playground

    playground, target = start_playground()
    results = {}
    try:
        with tempfile.TemporaryDirectory(prefix="webclient-load-") as scratch:
            for nodes in (int(n) for n in args.nodes.split(",")):
                results[nodes] = measure(nodes, args, target, Path(scratch))
    finally:
        playground.communicate("")
    print(f"\n{args.users} users, think time {args.think:g} s, {args.duration} s of load per row, through nginx; "
          f"ms; counted after every user started; load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores\n")
    print("| nodes | requests | req/s | errors | p50 | p95 | p99 | pages+API p95 (no send) | send p95 |")
    print("|---|---|---|---|---|---|---|---|---|")
    rates = {}
    for nodes, (everything, _) in results.items():
        samples, seconds = _window(everything)
        every = _figures(samples, seconds)
        pages = _figures(samples, seconds, exclude=("send",))
        send = _figures(samples, seconds, names={"send"})
        rates[nodes] = every["rps"]
        print(f"| {nodes} | {every['requests']} | {every['rps']:.1f} | {every['errors']} | {every['p50']:.0f} "
              f"| {every['p95']:.0f} | {every['p99']:.0f} | {pages['p95']:.0f} | {send['p95']:.0f} |")
    if 1 in rates and 2 in rates:
        print(f"\n2 nodes / 1 node, req/s: {rates[2] / rates[1]:.2f}x")
    for nodes, (everything, cpu) in results.items():
        total = len(everything)
        web = sum(v for k, v in cpu.items() if k.startswith("web"))
        print(f"\n{nodes} node(s), CPU seconds over the whole locust run ({total} requests): "
              + ", ".join(f"{k} {v:.1f}" for k, v in sorted(cpu.items()))
              + f"; web nodes {1000 * web / total:.1f} ms of CPU per request")
        samples, seconds = _window(everything)
        errors = collections.Counter(f"{name}: {error}" for name, _, failed, _, error in everything if failed)
        if errors:
            print(f"{nodes} node(s), failed requests: " + "; ".join(f"{n}x {e}" for e, n in errors.most_common()))
        names = sorted({name for name, *_ in samples})
        print(f"\n{nodes} node(s), p95 per request: " + "; ".join(
            f"{name} {_figures(samples, seconds, names={name})['p95']:.0f} ms" for name in names))


if __name__ == "__main__":
    main()

"""The collection runner against newman and a bare http.client loop: same collection, same target, same run.

Usage::

    .venv/bin/python bench/runner.py [--n 500] [--repeat 3] [--newman PATH]

Builds Postman v2.1 collections of N requests (half GET, half POST with a JSON body), the same
requests twice: without scripts, and with scripts on every request (issue 11: a pre-request
script sets a header from a variable; a test script checks the status, parses the JSON body and
sets a variable). Starts the playground's stdlib server in a subprocess on 127.0.0.1, and
measures, best of --repeat:

- bare loop: one keep-alive http.client.HTTPConnection in this process, status checked (the floor)
- `manage.py run_collection --file <collection>` as a whole process (start-up included), without
  scripts and with scripts
- `manage.py run_collection <stored collection>` as a whole process, recording the run in a
  scratch SQLite database (results written in batches; one declarative status assertion each)
- newman on the scripted collection, when found (`--newman`, $NEWMAN, or where
  tests/fixtures/peers.py looks: /tmp/webclient-peers; install it with
  `npm install --prefix /tmp/webclient-peers newman@6`; it is a peer, not a dependency)

and prints wall time, per-request ms, CPU time (user + system of that process: steadier than
wall time on a busy machine), peak RSS and the ratios. Goals: issue 7, run_collection
<= 0.65 s for 500 requests, <= 4x the bare loop, < 100 MiB; issue 11, with scripts >= 10x
faster than newman, <= 2x our own run without scripts, < 150 MiB.

The project's modules are compiled first (`compileall`, as `make` does): with
PYTHONDONTWRITEBYTECODE set, each process would otherwise recompile them from source.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from common import ROOT, start_playground

from tests.fixtures.peers import NEWMAN_VERSION, PEERS_DIR, find_newman

PYTHON = sys.executable
DEFAULT_NEWMAN = find_newman(install=False) or str(PEERS_DIR / "node_modules/.bin/newman")
PRE_SCRIPT = "pm.request.headers.upsert({ key: 'X-Trace', value: pm.variables.get('trace') });"
TEST_SCRIPT = (
    "pm.test('status is 200', function () { pm.response.to.have.status(200); });\n"
    "var body = pm.response.json();\n"
    "pm.collectionVariables.set('lastUrl', body.url);"
)
STORE_COLLECTION = """
import json, sys
from django.contrib.auth import get_user_model
from requests_app.models import Collection, SavedRequest, Workspace
items = json.load(open(sys.argv[1]))["item"]
workspace = Workspace.objects.create(name="Bench", slug="bench")
collection = Collection.objects.create(workspace=workspace, name="Bench")
SavedRequest.objects.bulk_create([
    SavedRequest(
        collection=collection, name=item["name"], position=i, method=item["request"]["method"],
        url=item["request"]["url"],
        headers=[{"key": h["key"], "value": h["value"], "enabled": True} for h in item["request"].get("header", [])],
        body={"mode": "json", "text": item["request"]["body"]["raw"]} if "body" in item["request"] else {"mode": "none"},
        assertions=[{"type": "status", "op": "equals", "expected": 200}],  # declarative: no scripts
    )
    for i, item in enumerate(items)
])
"""


@dataclass
class Measure:
    name: str
    seconds: float
    rss_mib: float | None
    ok: bool
    note: str = ""
    cpu_seconds: float | None = None


def postman_collection(base_url: str, n: int, *, scripts: bool) -> dict[str, object]:
    items = []
    for i in range(n):
        if i % 2 == 0:
            request: dict[str, object] = {"method": "GET", "url": f"{base_url}/get?i={i}"}
        else:
            request = {
                "method": "POST",
                "url": f"{base_url}/post",
                "header": [{"key": "Content-Type", "value": "application/json"}],
                "body": {"mode": "raw", "raw": json.dumps({"i": i, "name": f"item {i}"})},
            }
        events = [
            {"listen": "prerequest", "script": {"exec": PRE_SCRIPT.split("\n")}},
            {"listen": "test", "script": {"exec": TEST_SCRIPT.split("\n")}},
        ]
        items.append({"name": f"request {i}", "request": request, "event": events if scripts else []})
    return {
        "info": {"name": "Bench", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
        "variable": [{"key": "trace", "value": "bench-trace"}],
        "item": items,
    }


def bare_loop(base_url: str, n: int) -> Measure:
    parts = urlsplit(base_url)
    body = b'{"i": 1, "name": "item 1"}'
    started = time.perf_counter()
    cpu_started = time.process_time()
    connection = http.client.HTTPConnection(parts.hostname, parts.port)
    ok = True
    for i in range(n):
        if i % 2 == 0:
            connection.request("GET", f"/get?i={i}")
        else:
            connection.request("POST", "/post", body=body, headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        response.read()
        ok = ok and response.status == 200
    connection.close()
    elapsed = time.perf_counter() - started
    return Measure("bare http.client loop", elapsed, None, ok, cpu_seconds=time.process_time() - cpu_started)


def timed_process(name: str, command: list[str], env: dict[str, str] | None = None) -> Measure:
    """Wall time and peak RSS of one child process (wait4 gives that child's own rusage)."""
    # Output goes to a file: a pipe nobody reads while we wait would fill up and stall the child.
    with tempfile.TemporaryFile() as log:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
        log.seek(0)
        output = log.read()
    process.returncode = os.waitstatus_to_exitcode(status)
    ok = process.returncode == 0
    note = "" if ok else output.decode(errors="replace")[-600:]
    return Measure(name, elapsed, usage.ru_maxrss / 1024, ok, note, cpu_seconds=usage.ru_utime + usage.ru_stime)


def best(measures: list[Measure]) -> Measure:
    good = [m for m in measures if m.ok] or measures
    fastest = min(good, key=lambda m: m.seconds)
    peak = max((m.rss_mib for m in good if m.rss_mib is not None), default=None)
    least_cpu = min((m.cpu_seconds for m in good if m.cpu_seconds is not None), default=None)
    return Measure(fastest.name, fastest.seconds, peak, fastest.ok, fastest.note, least_cpu)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--newman", default=os.environ.get("NEWMAN", DEFAULT_NEWMAN))
    options = parser.parse_args()
    n = options.n

    subprocess.run([PYTHON, "-m", "compileall", "-q", "manage.py", "webclient", "requests_app"], cwd=ROOT, check=True)
    server, base_url = start_playground()
    scratch = Path(tempfile.mkdtemp(prefix="webclient-bench-"))
    try:
        collection_file = scratch / "bench.postman_collection.json"
        collection_file.write_text(json.dumps(postman_collection(base_url, n, scripts=False)))
        scripted_file = scratch / "bench-scripts.postman_collection.json"
        scripted_file.write_text(json.dumps(postman_collection(base_url, n, scripts=True)))
        env = {**os.environ, "WEBCLIENT_DATA_DIR": str(scratch / "data"), "DATABASE_URL": f"sqlite:///{scratch / 'bench.sqlite3'}"}
        env.pop("CELERY_BROKER_URL", None)
        subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
        subprocess.run([PYTHON, "manage.py", "shell", "-c", STORE_COLLECTION.replace("sys.argv[1]", repr(str(collection_file)))],
                       cwd=ROOT, env=env, check=True)
        bare_loop(base_url, 20)  # warm the server up

        results: dict[str, Measure] = {}
        runs = {
            "bare http.client loop": lambda: bare_loop(base_url, n),
            "run_collection --file": lambda: timed_process(
                "run_collection --file",
                [PYTHON, "manage.py", "run_collection", "--file", str(collection_file), "--reporter", "cli"], env
            ),
            "run_collection --file, scripts": lambda: timed_process(
                "run_collection --file, scripts",
                [PYTHON, "manage.py", "run_collection", "--file", str(scripted_file), "--reporter", "cli"], env
            ),
            "run_collection (stored)": lambda: timed_process(
                "run_collection (stored)", [PYTHON, "manage.py", "run_collection", "Bench", "--reporter", "cli"], env
            ),
        }
        newman = shutil.which(options.newman) or (options.newman if Path(options.newman).exists() else None)
        if newman:
            runs["newman, scripts"] = lambda: timed_process(
                "newman, scripts", [newman, "run", str(scripted_file), "--reporters", "cli", "--color", "off"]
            )
        for _ in range(options.repeat):  # interleaved, so machine noise spreads over all of them
            for name, run in runs.items():
                results.setdefault(name, Measure(name, 0, None, True))
                measure = run()
                previous = results[name]
                results[name] = measure if previous.seconds == 0 else best([previous, measure])
    finally:
        server.communicate("", timeout=10)
        shutil.rmtree(scratch, ignore_errors=True)

    bare = results["bare http.client loop"].seconds
    ours = results["run_collection --file"].seconds
    print(f"\n{n} requests (half GET, half POST with a JSON body); best of {options.repeat}\n")
    print(
        f"| {'tool':<26} | {'wall s':>7} | {'ms/request':>10} | {'CPU s':>6} | {'peak RSS MiB':>12} "
        f"| {'x bare loop':>11} | {'x run_collection':>16} |"
    )
    print(f"|{'-' * 28}|{'-' * 9}|{'-' * 12}|{'-' * 8}|{'-' * 14}|{'-' * 13}|{'-' * 18}|")
    for measure in results.values():
        rss = "—" if measure.rss_mib is None else f"{measure.rss_mib:.0f}"
        cpu = "—" if measure.cpu_seconds is None else f"{measure.cpu_seconds:.3f}"
        flag = "" if measure.ok else " (FAILED)"
        print(
            f"| {measure.name + flag:<26} | {measure.seconds:7.3f} | {measure.seconds / n * 1000:10.3f} | {cpu:>6} "
            f"| {rss:>12} | {measure.seconds / bare:11.1f} | {measure.seconds / ours:16.2f} |"
        )
    if not newman:
        print(f"\nnewman not found at {options.newman}: npm install --prefix {PEERS_DIR} {NEWMAN_VERSION}")
    for measure in results.values():
        if not measure.ok:
            print(f"\n{measure.name} failed:\n{measure.note}")
    scripted = results["run_collection --file, scripts"]
    if "newman, scripts" in results:
        print(f"\nwith scripts: newman / ours = {results['newman, scripts'].seconds / scripted.seconds:.1f}x", end="")
    print(f"; ours with / without scripts = {scripted.seconds / ours:.2f}x; peak RSS with scripts {scripted.rss_mib:.0f} MiB")
    print("Goals: run_collection <= 0.65 s for 500, <= 4x the bare loop, < 100 MiB (issue 7);")
    print("with scripts >= 10x faster than newman, <= 2x without scripts, < 150 MiB (issue 11).")


if __name__ == "__main__":
    main()

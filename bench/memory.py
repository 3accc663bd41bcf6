"""Peak memory of the server while it sends big and hostile requests (issue 13 item 16).

    .venv/bin/python bench/memory.py --baseline <commit>      # that commit's code, then this tree's
    .venv/bin/python bench/memory.py --only execute,six        # a subset of the scenarios

Each scenario starts a fresh server process (the Django app under a threaded WSGI server, on a
scratch SQLite database, local mode) and reads its peak resident memory (VmHWM in
/proc/PID/status) once the scenario is done; "idle" is the same process's peak after start-up
and one small execute, so "added" is what the scenario itself cost. Targets are served by this
process on 127.0.0.1:

- `execute`: one POST /api/v1/execute of a GET whose answer is a body just under the response
  limit (`--limit-mib`, default 50: "one 49 MiB execute");
- `six`: six of them at once;
- `upload`: one execute sending a raw body just under the request body limit (50 MiB);
- `page`: one Send from the page (htmx POST, signed in) whose answer is a body of 10 MiB, the
  most the editor asks for;
- `run`: a stored run of 100 iterations at concurrency 16 over hostile answers — a body at the
  response limit (10 MiB here, the default), a gzip bomb inflating far past it, 90 header lines
  of 16 KiB — each with status, header and body-size assertions.

With `--baseline REF` every scenario runs on `git archive REF` first, then on this tree, in the
same run, and the ratios are printed.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import urllib.parse
import zlib
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MIB = 1024 * 1024
SCENARIOS = ("execute", "six", "upload", "page", "run")
CSRF = "benchmemorycsrftokenvalue0123456"  # any 32 letters and digits: Django compares cookie and header


# ---------------------------------------------------------------- the targets (this process)


def _gzip_of_zeros(size: int) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(MIB)
    parts = [packer.compress(block) for _ in range(size // MIB)]
    parts.append(packer.flush())
    return b"".join(parts)


class HostileTarget(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    bomb = b""

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        while length > 0:
            length -= len(self.rfile.read(min(length, MIB)))
        self._answer(b'{"received": true}', [("Content-Type", "application/json")])

    def do_GET(self) -> None:
        path, _, query = self.path.partition("?")
        if path == "/big":
            size = int(query.partition("=")[2])
            self._stream_json(size)
        elif path == "/bomb":
            self._answer(self.bomb, [("Content-Type", "application/json"), ("Content-Encoding", "gzip")])
        elif path == "/headers":
            many = [(f"X-Filler-{i}", "h" * 16 * 1024) for i in range(90)]
            self._answer(b"{}", [("Content-Type", "application/json"), *many])
        else:
            self._answer(b"{}", [("Content-Type", "application/json")])

    def _answer(self, body: bytes, headers: list[tuple[str, str]]) -> None:
        self.send_response(200)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _stream_json(self, size: int) -> None:
        head, tail = b'{"data": "', b'"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(size))
        self.end_headers()
        self.wfile.write(head)
        left = size - len(head) - len(tail)
        block = b"abcdefghijklmnop" * 4096
        while left > 0:
            piece = block[: min(left, len(block))]
            self.wfile.write(piece)
            left -= len(piece)
        self.wfile.write(tail)


def start_target() -> tuple[ThreadingHTTPServer, int]:
    HostileTarget.bomb = _gzip_of_zeros(200 * MIB)  # ≈ 200 KB on the wire
    server = ThreadingHTTPServer(("127.0.0.1", 0), HostileTarget)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.server_address[1]


# ---------------------------------------------------------------- the server process (child)

_CHILD = r"""
import json, os, sys, threading
code_dir, data_dir = sys.argv[1], sys.argv[2]
sys.path.insert(0, code_dir)
os.chdir(code_dir)
os.environ.update(WEBCLIENT_DATA_DIR=data_dir, DATABASE_URL=f"sqlite:///{data_dir}/bench.sqlite3",
                  WEBCLIENT_LOG_LEVEL="ERROR", DJANGO_SETTINGS_MODULE="webclient.settings")
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server
from requests_app.services.accounts import account_create, api_token_create
from webclient.wsgi import application

class Handler(WSGIRequestHandler):
    disable_nagle_algorithm = True
    def log_message(self, *args): pass

class Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True

user = account_create(username="bench", password="bench-password-91x")
_, token = api_token_create(user=user, name="bench")
workspace = user.personal_workspace
from django.test import Client
signed_in = Client()
signed_in.force_login(user)
server = make_server("127.0.0.1", 0, application, server_class=Server, handler_class=Handler)
threading.Thread(target=server.serve_forever, daemon=True).start()
print(json.dumps({"port": server.server_address[1], "token": token, "workspace": workspace.pk,
                  "session": signed_in.cookies["sessionid"].value}), flush=True)

def run(target_port, iterations, concurrency):
    from requests_app.models import Collection, SavedRequest
    from requests_app.services.runs import run_create, run_execute
    collection = Collection.objects.create(workspace=workspace, name="hostile")
    checks = [{"type": "status", "op": "equals", "expected": 200},
              {"type": "header", "op": "exists", "target": "Content-Type"},
              {"type": "body_size", "op": "lte", "expected": 64 * 1024 * 1024}]
    limit = int(os.environ["WEBCLIENT_MAX_RESPONSE_BYTES"])
    for position, path in enumerate((f"/big?n={limit - 1024}", "/bomb", "/headers")):
        SavedRequest.objects.create(collection=collection, name=path, position=position,
                                    url=f"http://127.0.0.1:{target_port}{path}", assertions=checks)
    run = run_create(workspace=workspace, created_by=user, collection=collection,
                     iterations=iterations, concurrency=concurrency)
    run = run_execute(run.pk)
    return {"state": run.state, "totals": run.totals}

for line in sys.stdin:
    command = line.split()
    if not command:
        continue
    if command[0] == "hwm":
        status = dict(row.split(":", 1) for row in open("/proc/self/status").read().splitlines() if ":" in row)
        print(json.dumps({"hwm_kib": int(status["VmHWM"].split()[0]), "rss_kib": int(status["VmRSS"].split()[0])}), flush=True)
    elif command[0] == "run":
        print(json.dumps(run(*map(int, command[1:]))), flush=True)
"""


class ServerProcess:
    def __init__(self, code_dir: Path, env: dict[str, str]) -> None:
        self.data_dir = tempfile.TemporaryDirectory(prefix="webclient-memory-")
        self.process = subprocess.Popen(
            [str(ROOT / ".venv/bin/python"), "-c", _CHILD, str(code_dir), self.data_dir.name],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env={**os.environ, **env},
        )
        hello = self._reply()
        self.port, self.token, self.workspace = hello["port"], hello["token"], hello["workspace"]
        self.session = hello["session"]

    def _reply(self) -> dict:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise SystemExit("the server process ended early")
        return json.loads(line)

    def ask(self, *command: object) -> dict:
        assert self.process.stdin is not None
        self.process.stdin.write(" ".join(map(str, command)) + "\n")
        self.process.stdin.flush()
        return self._reply()

    def execute(self, spec: dict) -> dict:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        payload = json.dumps({"workspace": self.workspace, **spec}).encode()
        connection.request("POST", "/api/v1/execute", body=payload, headers={
            "Authorization": f"Bearer {self.token}", "Content-Type": "application/json"})
        response = connection.getresponse()
        body = response.read()
        connection.close()
        if response.status != 200:
            raise SystemExit(f"execute answered {response.status}: {body[:300]!r}")
        answer = json.loads(body)
        if answer.get("error"):
            raise SystemExit(f"execute failed: {answer['error']}")
        size = (answer.get("response") or {}).get("size") or {}
        if spec.get("options") and size.get("body", 0) < spec["options"]["max_response_bytes"] - 2 * MIB:
            raise SystemExit(f"the answer's body is shorter than asked: {size}")
        return size

    def send_from_page(self, url: str) -> None:
        """The editor's Send, as htmx posts it: a signed-in session, the CSRF token, the form."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        form = urllib.parse.urlencode({"method": "GET", "url": url, "opt_follow_redirects": "on"})
        connection.request("POST", f"/w/{self.workspace}/send/", body=form, headers={
            "Content-Type": "application/x-www-form-urlencoded", "HX-Request": "true", "X-CSRFToken": CSRF,
            "Cookie": f"sessionid={self.session}; csrftoken={CSRF}"})
        response = connection.getresponse()
        page = response.read()
        connection.close()
        if response.status != 200 or b"200 OK" not in page:
            raise SystemExit(f"the page's send answered {response.status}: {page[:300]!r}")

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)
        self.data_dir.cleanup()


def measure(scenario: str, code_dir: Path, target_port: int, args: argparse.Namespace) -> dict[str, float]:
    limit = (args.limit_mib if scenario != "run" else args.run_limit_mib) * MIB
    env = {"WEBCLIENT_MAX_RESPONSE_BYTES": str(limit), "WEBCLIENT_MAX_REQUEST_BODY_BYTES": str(50 * MIB)}
    server = ServerProcess(code_dir, env)
    try:
        base = f"http://127.0.0.1:{target_port}"
        server.execute({"method": "GET", "url": f"{base}/small"})
        idle = server.ask("hwm")["hwm_kib"] / 1024
        started = time.perf_counter()
        # The request asks for the server's whole limit (a request's own default is 10 MiB).
        big = {"method": "GET", "url": f"{base}/big?n={limit - MIB}", "options": {"max_response_bytes": limit}}
        if scenario == "execute":
            server.execute(big)
        elif scenario == "six":
            with ThreadPoolExecutor(6) as pool:
                list(pool.map(lambda _: server.execute(big), range(6)))
        elif scenario == "upload":
            text = "u" * (49 * MIB)
            server.execute({"method": "POST", "url": f"{base}/upload",
                            "body": {"mode": "raw", "text": text, "content_type": "text/plain"}})
            del text
        elif scenario == "page":
            server.send_from_page(f"{base}/big?n={10 * MIB - 1024}")
        elif scenario == "run":
            outcome = server.ask("run", target_port, args.iterations, 16)
            if outcome["state"] != "passed":
                raise SystemExit(f"the run ended {outcome}")
        seconds = time.perf_counter() - started
        peak = server.ask("hwm")["hwm_kib"] / 1024
    finally:
        server.close()
    return {"idle": idle, "peak": peak, "added": peak - idle, "seconds": seconds}


def checkout(ref: str, into: Path) -> Path:
    archive = subprocess.run(["git", "archive", ref], cwd=ROOT, check=True, capture_output=True).stdout
    import io

    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    (into / ".venv").symlink_to(ROOT / ".venv")
    return into


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", help="a git commit whose code is measured first, in the same run")
    parser.add_argument("--only", default=",".join(SCENARIOS), help="comma-separated: " + ", ".join(SCENARIOS))
    parser.add_argument("--limit-mib", type=int, default=50, help="response body limit of execute and six")
    parser.add_argument("--run-limit-mib", type=int, default=10, help="response body limit of the run")
    parser.add_argument("--iterations", type=int, default=100)
    args = parser.parse_args()
    scenarios = [name for name in args.only.split(",") if name]
    target, target_port = start_target()
    trees: list[tuple[str, Path]] = []
    scratch = tempfile.TemporaryDirectory(prefix="webclient-memory-code-")
    if args.baseline:
        trees.append((f"baseline {args.baseline}", checkout(args.baseline, Path(scratch.name))))
    trees.append(("this tree", ROOT))
    results: dict[tuple[str, str], dict[str, float]] = {}
    load = os.getloadavg()[0]
    for scenario in scenarios:
        for label, code_dir in trees:
            result = measure(scenario, code_dir, target_port, args)
            results[(scenario, label)] = result
            print(f"{scenario:8} {label:24} idle {result['idle']:6.0f} MiB  peak {result['peak']:6.0f} MiB  "
                  f"added {result['added']:6.0f} MiB  {result['seconds']:6.1f} s", flush=True)
    target.shutdown()
    scratch.cleanup()
    print(f"\nload average at start {load:.1f}")
    print("| scenario | " + " | ".join(f"{label} peak (added)" for label, _ in trees)
          + (" | after / before (peak) |" if len(trees) == 2 else " |"))
    print("|---" * (len(trees) + 1 + (len(trees) == 2)) + "|")
    for scenario in scenarios:
        cells = [f"{results[(scenario, label)]['peak']:.0f} MiB ({results[(scenario, label)]['added']:.0f})"
                 for label, _ in trees]
        ratio = ""
        if len(trees) == 2:
            before, after = (results[(scenario, label)]["peak"] for label, _ in trees)
            ratio = f" | {after / before:.2f} |"
        print(f"| {scenario} | " + " | ".join(cells) + (ratio or " |"))


if __name__ == "__main__":
    sys.exit(main())

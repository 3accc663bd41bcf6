"""Real processes for the cluster tests: a private PostgreSQL and Redis, and deploy/cluster.sh.

The PostgreSQL and Redis here are started for the test session on ephemeral ports (never the
shared ones on 5432/6379), so the tests may restart and stop them. PostgreSQL refuses to run as
root: as root, its data folder belongs to the `postgres` account and the server runs as it.
"""

from __future__ import annotations

import glob
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
CLUSTER_SH = REPO / "deploy" / "cluster.sh"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate: Any, timeout: float, what: str, interval: float = 0.2) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g}s waiting for {what}")
        time.sleep(interval)


def missing_tools() -> list[str]:
    missing = []
    if not (shutil.which("nginx") or os.path.exists("/usr/sbin/nginx")):
        missing.append("nginx (make nginx)")
    if not postgres_bin():
        missing.append("PostgreSQL server binaries (/usr/lib/postgresql/*/bin)")
    if not shutil.which("redis-server"):
        missing.append("redis-server")
    return missing


def postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(found[-1]).parent if found else None


class PrivatePostgres:
    def __init__(self) -> None:
        self.bin = postgres_bin()
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="webclient-pg-"))
        self.data = self.root / "data"
        self.user = "postgres" if os.geteuid() == 0 else None
        if self.user:
            entry = pwd.getpwnam(self.user)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/webclient"

    def _run(self, program: str, *args: str) -> None:
        command = [str(self.bin / program), *args]
        if self.user:
            command = ["runuser", "-u", self.user, "--", *command]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=self.root)

    def _ctl(self, action: str) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.root / "log"), "-w", "-m", "fast", action)

    def start(self) -> None:
        self._ctl("start")

    def stop(self) -> None:
        self._ctl("stop")

    def restart(self) -> None:
        self._ctl("restart")

    def destroy(self) -> None:
        try:
            self.stop()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


class PrivateRedis:
    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/13"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )

        def answers() -> bool:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                    sock.sendall(b"PING\r\n")
                    return sock.recv(16).startswith(b"+PONG")
            except OSError:
                return False

        wait_for(answers, 10, "redis-server")

    def stop(self) -> None:
        if self.process:
            self.process.terminate()
            self.process.wait(10)
            self.process = None


@dataclass
class Answer:
    status: int
    node: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        return json.loads(self.body)


class Cluster:
    """deploy/cluster.sh on ephemeral ports, with a data folder of its own."""

    def __init__(self, root: Path, database_url: str, redis_url: str, **env: str) -> None:
        self.port = free_port()
        self.node_ports = [free_port(), free_port()]
        self.dir = root
        self.env = {
            **os.environ,
            "CLUSTER_DIR": str(root),
            "CLUSTER_PORT": str(self.port),
            "CLUSTER_NODE_PORTS": " ".join(map(str, self.node_ports)),
            "CLUSTER_DATABASE_URL": database_url,
            "CLUSTER_REDIS_URL": redis_url,
            "CLUSTER_WEB_THREADS": "4",
            "CLUSTER_COLLECTSTATIC": "0",  # compressing static files is most of a cold start
            **env,
        }
        for name in ("DATABASE_URL", "CACHE_URL", "CELERY_BROKER_URL", "WEBCLIENT_DATA_DIR", "SECRET_KEY"):
            self.env.pop(name, None)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def script(self, *args: str, stdin: str | None = None) -> str:
        done = subprocess.run([str(CLUSTER_SH), *args], env=self.env, input=stdin, capture_output=True, text=True)
        assert done.returncode == 0, f"cluster.sh {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def start(self) -> str:
        return self.script("start")

    def stop(self) -> str:
        return self.script("stop")

    def pid(self, name: str) -> int:
        return int((self.dir / "run" / f"{name}.pid").read_text())

    def kill9(self, name: str) -> None:
        """kill -9 the process group of one part (a gunicorn master and its workers, or celery's)."""
        pid = self.pid(name)
        os.killpg(pid, signal.SIGKILL)
        wait_for(lambda: not _alive(pid), 10, f"{name} to die")

    def token_for(self, username: str) -> str:
        password = "cluster-horse-battery-9"
        self.script("manage", "create_user", username, "--email", f"{username}@example.com", "--password-stdin",
                    stdin=password + "\n")
        return self.script("manage", "create_api_token", username).strip()

    def call(self, method: str, path: str, token: str | None = None, body: Any = None, timeout: float = 10) -> Answer:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method)
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return Answer(response.status, response.headers.get("X-Webclient-Node", ""), response.read(),
                              dict(response.headers))
        except urllib.error.HTTPError as error:
            return Answer(error.code, error.headers.get("X-Webclient-Node", ""), error.read(), dict(error.headers))


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has exited


def session_opener() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

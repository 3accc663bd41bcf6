"""The playground echoes only the headers that arrived (issue 12, item 10).

A raw-socket client sends exactly known bytes to the app as it is served (gunicorn, the
server `make run` and deployments use) and to the playground's own stdlib server; both must
list the same headers, and none that were not sent (a GET used to show `Content-Length: ""`
and `Content-Type: text/plain`, WSGI defaults).
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def raw_exchange(connect: socket.socket, request: bytes) -> tuple[int, bytes]:
    """Send exactly these bytes; read the answer with http.client's parser (it may be chunked)."""
    with connect as sock:
        sock.sendall(request)
        response = http.client.HTTPResponse(sock)
        response.begin()
        return response.status, response.read()


@pytest.fixture(scope="module")
def served_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    scratch = tmp_path_factory.mktemp("served")
    sock_path = scratch / "web.sock"
    env = {**os.environ, "WEBCLIENT_DATA_DIR": str(scratch / "data"), "CELERY_BROKER_URL": "",
           "DATABASE_URL": f"sqlite:///{scratch / 'db.sqlite3'}", "WEBCLIENT_MODE": "local"}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=300)
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "webclient/gunicorn_conf.py", "--bind", f"unix:{sock_path}"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 120  # a bound against hanging, not a tuned wait
        while not sock_path.exists():
            assert server.poll() is None and time.monotonic() < deadline, server.stderr.read().decode()[-2000:]
            time.sleep(0.05)
        yield sock_path
    finally:
        server.terminate()
        server.wait(30)


def unix(path: Path) -> socket.socket:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(str(path))
    return sock


def echoed(status_body: tuple[int, bytes]) -> list[str]:
    status, body = status_body
    assert status == 200, body[:500]
    return [name.lower() for name, _ in json.loads(body)["headers"]]


@pytest.mark.parametrize(("request_bytes", "sent"), [
    (b"GET /echo/headers HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: 1\r\nConnection: close\r\n\r\n", ["host", "x-a", "connection"]),
    (b"POST /echo/headers HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi",
     ["host", "content-length", "connection"]),
    (b"POST /echo/headers HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n"
     b"Connection: close\r\n\r\nhi", ["host", "content-type", "content-length", "connection"]),
])
def test_the_echo_lists_exactly_the_headers_sent(served_app, echo_server, request_bytes, sent):
    from_app = echoed(raw_exchange(unix(served_app), request_bytes))
    from_playground = echoed(raw_exchange(socket.create_connection((echo_server.host, echo_server.port)),
                                          request_bytes.replace(b"/echo/headers", b"/headers")))
    assert sorted(from_app) == sorted(sent)
    assert sorted(from_playground) == sorted(sent)


def test_a_get_in_the_test_client_shows_no_invented_headers(client):
    names = [name.lower() for name, _ in client.get("/echo/headers").json()["headers"]]
    assert "content-length" not in names and "content-type" not in names

"""Monitor fixtures: a collection on the echo target, a local webhook target, the tick's clock."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from requests_app.services import runs
from requests_app.services.collections import collection_create
from requests_app.services.environments import environment_create
from requests_app.services.saved_requests import request_create

T0 = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
STATUS_200 = [{"type": "status", "op": "equals", "expected": 200}]


def run_at_once(run: Any) -> None:
    """The tick's dispatch in tests: the worker's code, here and now."""
    runs.run_execute(run.pk, worker="test:host:1")


class WebhookTarget:
    """A 127.0.0.1 server that records each POST and answers the next status in `statuses`
    (200 once they are used up)."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.statuses: list[int] = []
        target = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                target.received.append({"path": self.path, "content_type": self.headers.get("Content-Type"),
                                        "json": json.loads(body)})
                status = target.statuses.pop(0) if target.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def webhook() -> Iterator[WebhookTarget]:
    target = WebhookTarget()
    yield target
    target.close()


@pytest.fixture
def api(alice, acme, echo_server) -> dict[str, Any]:
    """A collection whose one request posts {{doc}} to the echo target and checks the status is {{code}}."""
    collection = collection_create(user=alice, workspace=acme, name="Shop API",
                                   variables=[{"key": "base", "value": echo_server.url(), "enabled": True}])
    echo = request_create(user=alice, collection=collection, name="echo", method="POST",
                          url="{{base}}/anything", body={"mode": "json", "text": "{{doc}}"},
                          assertions=[{"type": "status", "op": "equals", "expected": 200},
                                      {"type": "jsonpath", "op": "equals", "target": "$.json.ok", "expected": "{{ok}}"}])
    environment = environment_create(user=alice, workspace=acme, name="prod", variables=[
        {"key": "doc", "value": '{"ok": true, "id": 1}', "enabled": True},
        {"key": "ok", "value": "true", "enabled": True},
    ])
    return {"collection": collection, "request": echo, "environment": environment}

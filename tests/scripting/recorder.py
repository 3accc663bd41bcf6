"""A target on 127.0.0.1 that records every request in arrival order and answers for scripted collections.

    with Recorder() as target:
        target.url("/login")        # POST {"user": …} → {"token": "tok-<user>-<n>"}
        target.url("/nonce")        # → {"nonce": "n<n>"}   (n counts the target's requests)
        target.url("/status/404")   # that status, JSON echo body
        target.url("/anything")     # JSON echo: method, path, headers (lower-case names), body
        target.received             # [(method, path, {header: value}, body), …]
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:
        pass

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        server: _Server = self.server  # type: ignore[assignment]
        headers = {k.lower(): v for k, v in self.headers.items()}
        with server.lock:
            server.received.append((self.command, self.path, headers, body))
            count = len(server.received)
        status = 200
        path = self.path.split("?")[0]
        if path == "/login":
            user = json.loads(body or "{}").get("user", "")
            payload: Any = {"token": f"tok-{user}-{count}"}
        elif path == "/nonce":
            payload = {"nonce": f"n{count}"}
        else:
            if path.startswith("/status/"):
                status = int(path.rsplit("/", 1)[1])
            payload = {"method": self.command, "path": self.path, "headers": headers, "body": body}
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _answer


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.lock = threading.Lock()
        self.received: list[tuple[str, str, dict[str, str], str]] = []


class Recorder:
    def __enter__(self) -> Recorder:
        self.server = _Server()
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    @property
    def received(self) -> list[tuple[str, str, dict[str, str], str]]:
        return list(self.server.received)

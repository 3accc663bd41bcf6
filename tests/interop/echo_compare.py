"""Run a client (real curl, generated code) and the engine against the echo target, then
compare what arrived: method, path, query, body (or form fields and files), and the
headers that carry meaning.

    arrived = engine_echo(spec)              # the engine sends spec to /anything...
    arrived = run_echo(["curl", ...], cwd)   # a program prints the echo's JSON answer
    assert meaning(arrived, spec) == meaning(engine_echo(spec), spec)
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from requests_app.engine import OutboundPolicy, send
from requests_app.engine.spec import RequestSpec

# Headers every client sets its own way; compared only when the request sets them itself.
_TOOL_HEADERS = {"user-agent", "accept", "accept-encoding"}
_TRANSPORT_HEADERS = {"host", "content-length", "connection", "keep-alive", "transfer-encoding", "expect"}


def engine_echo(spec: RequestSpec) -> dict[str, Any]:
    exchange = send(spec, policy=OutboundPolicy.allow_all())
    assert exchange.error is None, exchange.error
    assert exchange.response is not None
    return json.loads(exchange.response.body)


def clean_env() -> dict[str, str]:
    """No proxy settings: every tool must talk to 127.0.0.1 directly."""
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env["NO_PROXY"] = env["no_proxy"] = "*"
    return env


def run_echo(argv: list[str], cwd: Path, timeout: float = 30, env: dict[str, str] | None = None) -> dict[str, Any]:
    completed = subprocess.run(
        argv, cwd=cwd, env={**clean_env(), **(env or {})}, capture_output=True, timeout=timeout, check=False
    )
    assert completed.returncode == 0, completed.stderr.decode(errors="replace")
    return json.loads(completed.stdout)


def require(program: str) -> str:
    path = shutil.which(program)
    if path is None:
        pytest.skip(f"{program} is not installed here")
    return path


def meaning(arrived: dict[str, Any], spec: RequestSpec) -> dict[str, Any]:
    set_by_request = {h.key.lower() for h in spec.headers if h.enabled}
    ignored = _TRANSPORT_HEADERS | (_TOOL_HEADERS - set_by_request)
    headers = []
    for name, value in arrived["headers"]:
        lowered = name.lower()
        if lowered in ignored:
            continue
        if lowered == "content-type" and value.lower().startswith("multipart/"):
            value = value.split(";")[0]  # each client picks its own boundary
        headers.append((lowered, value))
    is_multipart = any(n == "content-type" and v.startswith("multipart/") for n, v in headers)
    return {
        "method": arrived["method"],
        "path": arrived["path"],
        "query": arrived["query"],
        "headers": sorted(headers),
        "body": None if is_multipart else arrived["data"],
        "form": arrived["form"],
        "files": [(f["name"], f["filename"], f["content_type"], f["sha256"]) for f in arrived["files"]],
    }

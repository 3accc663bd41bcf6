"""Run newman or httpyac against the echo target and read back what each request delivered.

    received = newman_received(collection_dict, tmp_path)     # [echo JSON, ...] in run order
    received = httpyac_received(http_text, tmp_path)          # the same for a .http file
    wire(arrived, spec) == wire(engine_echo(spec), spec)      # what the target saw, compared

`wire` is echo_compare.meaning plus the raw request target (the query's bytes as they
arrived) and, for bodies that are not multipart, the body's bytes: the peers are judged by
the bytes they send, not by a decoded reading of them.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from requests_app.engine.spec import RequestSpec
from tests.fixtures.peers import require_peer
from tests.interop.echo_compare import clean_env, meaning

RUN_TIMEOUT_S = 120
# Headers newman adds to every request (Postman's cache buster and request id).
_PEER_HEADERS = {"cache-control", "postman-token"}


def wire(arrived: dict[str, Any], spec: RequestSpec) -> dict[str, Any]:
    set_by_request = {h.key.lower() for h in spec.headers if h.enabled}
    seen = meaning(arrived, spec)
    seen["headers"] = [(n, v) for n, v in seen["headers"] if n not in _PEER_HEADERS - set_by_request]
    seen["target"] = arrived["url"].split("://", 1)[1].split("/", 1)[1] if "://" in arrived["url"] else arrived["url"]
    return seen


def newman_received(collection: dict[str, Any], workdir: Path, *, environment: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """newman runs the collection; each response body (the echo's JSON) in run order."""
    newman = require_peer("newman")
    source = workdir / "collection.json"
    source.write_text(json.dumps(collection))
    report = workdir / "newman-report.json"
    argv = [newman, "run", str(source), "--reporters", "json", "--reporter-json-export", str(report)]
    if environment is not None:
        (workdir / "environment.json").write_text(json.dumps(environment))
        argv += ["--environment", str(workdir / "environment.json")]
    completed = subprocess.run(argv, cwd=workdir, env=clean_env(), capture_output=True, text=True, timeout=RUN_TIMEOUT_S, check=False)
    assert report.exists(), completed.stderr + completed.stdout
    executions = json.loads(report.read_text())["run"]["executions"]
    received = []
    for execution in executions:
        assert "response" in execution, execution.get("requestError")
        received.append(json.loads(bytes(execution["response"]["stream"]["data"]).decode("utf-8")))
    return received


def httpyac_run(http_text: str, workdir: Path, name: str = "export.http") -> subprocess.CompletedProcess[str]:
    httpyac = require_peer("httpyac")
    source = workdir / name
    source.write_text(http_text)
    return subprocess.run(
        [httpyac, "send", str(source), "--all", "--json", "--no-color"],
        cwd=workdir, env=clean_env(), capture_output=True, text=True, timeout=RUN_TIMEOUT_S, check=False,
    )


def httpyac_received(http_text: str, workdir: Path) -> list[dict[str, Any]]:
    """httpyac sends every request of the file; each response body in file order. Fails when
    httpyac reports an errored request or exits non-zero."""
    completed = httpyac_run(http_text, workdir)
    assert completed.returncode == 0, completed.stderr + completed.stdout[-2000:]
    output = json.loads(completed.stdout)
    received = []
    for request in output["requests"]:
        response = request.get("response")
        assert response is not None and not request.get("error"), request
        body = response.get("body")
        received.append(json.loads(body) if isinstance(body, str) else body)
    return received

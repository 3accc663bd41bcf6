"""Count, per format, the requests the real peer and webclient send identically (issue 12).

    .venv/bin/python bench/interop_fidelity.py                 # this tree's code
    .venv/bin/python bench/interop_fidelity.py --code DIR      # another tree's requests_app (e.g. before a fix:
                                                               #   git archive <commit> requests_app | tar -x -C DIR)

Each case goes to the playground echo on 127.0.0.1 twice, once through the peer (curl,
newman, httpyac; installed by tests/fixtures/peers.py) and once through the engine, and the
two arrivals are compared as the tests compare them (method, raw target, headers that carry
meaning, body bytes or form fields). Prints one line per format: identical / differing /
errored (the peer or webclient refused the case), and the differing cases' names.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--code", help="a folder holding the requests_app to measure (default: this tree)")
    options = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    if options.code:
        sys.path.insert(0, str(Path(options.code).resolve()))
    counts = measure()
    print(f"{'format':<34} {'identical':>9} {'differing':>9} {'errored':>8}")
    for name, (same, different, errored) in counts.items():
        print(f"{name:<34} {same:>9} {len(different):>9} {errored:>8}   {', '.join(different)}")


def measure() -> dict[str, tuple[int, list[str], int]]:
    from requests_app.playground_server import serve_in_thread

    server, _, stop = serve_in_thread("127.0.0.1", 0, None)
    target = _Target(server.port)
    try:
        return {
            "curl import (curl vs engine)": _curl_import(target),
            "curl export (curl runs to_curl)": _curl_export(target),
            "Postman import (newman vs engine)": _postman_import(target),
            "Postman export (newman runs it)": _postman_export(target),
            ".http export (httpyac runs it)": _http_export(target),
        }
    finally:
        stop()


class _Target:
    def __init__(self, port: int) -> None:
        self.port = port

    def url(self, path: str = "") -> str:
        return f"http://127.0.0.1:{self.port}{path}"


def _same(theirs: dict[str, Any] | None, ours: dict[str, Any] | None, spec: Any) -> bool | None:
    from tests.interop.peer_runs import wire

    if theirs is None or ours is None:
        return None
    return wire(theirs, spec) == wire(ours, spec)


def _engine(spec: Any, scope: dict[str, str] | None = None) -> dict[str, Any] | None:
    from requests_app.engine import OutboundPolicy, send

    exchange = send(spec, policy=OutboundPolicy.allow_all(), variables=[scope or {}])
    if exchange.error is not None or exchange.response is None:
        return None
    return json.loads(exchange.response.body)


def _tally(results: list[tuple[str, bool | None]]) -> tuple[int, list[str], int]:
    return (sum(1 for _, r in results if r), [n for n, r in results if r is False], sum(1 for _, r in results if r is None))


def _run(argv: list[str], cwd: Path) -> dict[str, Any] | None:
    from tests.interop.echo_compare import clean_env

    completed = subprocess.run(argv, cwd=cwd, env=clean_env(), capture_output=True, timeout=60, check=False)
    try:
        return json.loads(completed.stdout) if completed.returncode == 0 else None
    except ValueError:
        return None


def _curl_cases(target: _Target) -> list[str]:
    from tests.interop.test_curl_equivalence import COMMANDS

    return [c.format(u=target.url("/anything"), base=target.url("")) for c in COMMANDS]


def _curl_import(target: _Target) -> tuple[int, list[str], int]:
    return _curl(target, exported=False)


def _curl_export(target: _Target) -> tuple[int, list[str], int]:
    return _curl(target, exported=True)


def _curl(target: _Target, *, exported: bool) -> tuple[int, list[str], int]:
    """curl runs each command (or webclient's to_curl of its import); the engine sends the import."""
    from requests_app.interop.curl import parse_curl_command, to_curl
    from tests.interop.test_curl_equivalence import attach_files

    results = []
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        (work / "notes.txt").write_text("remember the milk\n")
        for index, command in enumerate(_curl_cases(target)):
            spec = attach_files(parse_curl_command(command).spec, work)
            theirs = _run(["bash", "-c", to_curl(spec) + " -s" if exported else command], work)
            results.append((f"cmd{index}", _same(theirs, _engine(spec), spec)))
    return _tally(results)


def _postman_collection(target: _Target) -> dict[str, Any]:
    from tests.interop.test_newman_equivalence import collection

    source = collection(target)
    u = target.url("/anything")
    source["item"].append({"name": "unresolved variable", "request": {
        "method": "GET", "url": u + "/{{nope}}?a={{nope}}", "header": [{"key": "X-V", "value": "{{nope}}"}]}})
    source["item"].append({"name": "json", "request": {
        "method": "POST", "url": u + "/json", "header": [{"key": "Content-Type", "value": "application/json"}],
        "body": {"mode": "raw", "raw": '{"a": 1}', "options": {"raw": {"language": "json"}}}}})
    return source


def _newman(collection: dict[str, Any]) -> list[dict[str, Any] | None]:
    from tests.fixtures.peers import find_peer
    from tests.interop.echo_compare import clean_env

    newman = find_peer("newman", install=True)
    if newman is None:
        sys.exit("newman is not installed and npm could not install it")
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        (work / "c.json").write_text(json.dumps(collection))
        subprocess.run([newman, "run", "c.json", "--reporters", "json", "--reporter-json-export", "r.json"],
                       cwd=work, env=clean_env(), capture_output=True, timeout=120, check=False)
        executions = json.loads((work / "r.json").read_text())["run"]["executions"]
    return [json.loads(bytes(e["response"]["stream"]["data"])) if "response" in e else None for e in executions]


def _postman_import(target: _Target) -> tuple[int, list[str], int]:
    from requests_app.interop.postman import parse_postman

    source = _postman_collection(target)
    requests = parse_postman(json.dumps(source)).collections[0].requests()
    return _tally([(r.name, _same(theirs, _engine(r.spec), r.spec)) for r, theirs in zip(requests, _newman(source))])


def _postman_export(target: _Target) -> tuple[int, list[str], int]:
    from requests_app.interop.postman import export_postman, parse_postman

    imported = parse_postman(json.dumps(_postman_collection(target))).collections[0]
    by_newman = _newman(export_postman(imported))
    return _tally([(r.name, _same(theirs, _engine(r.spec), r.spec)) for r, theirs in zip(imported.requests(), by_newman)])


def _http_export(target: _Target) -> tuple[int, list[str], int]:
    from requests_app.interop.httpfile import to_http
    from requests_app.interop.postman import parse_postman
    from tests.fixtures.peers import find_peer
    from tests.interop.echo_compare import clean_env
    from tests.interop.test_httpyac_equivalence import NOTE, cases

    httpyac = find_peer("httpyac", install=True)
    if httpyac is None:
        sys.exit("httpyac is not installed and npm could not install it")
    from tests.interop import test_httpyac_equivalence

    if "form_encoding" not in test_httpyac_equivalence.Body.__dataclass_fields__:
        # Code from before Body.form_encoding (a --code run): the same cases, that setting left out.
        body = test_httpyac_equivalence.Body
        test_httpyac_equivalence.Body = lambda form_encoding="", **kw: body(**kw)  # type: ignore[assignment,misc]
    results = []
    collections = [cases(target), parse_postman(json.dumps(_postman_collection(target))).collections[0]]
    for collection in collections:
        scope = {v.key: v.value for v in collection.variables if v.enabled}
        with tempfile.TemporaryDirectory() as folder:
            work = Path(folder)
            (work / "notes.txt").write_bytes(NOTE)
            (work / "export.http").write_text(to_http(collection))
            completed = subprocess.run([httpyac, "send", "export.http", "--all", "--json"], cwd=work, env=clean_env(),
                                       capture_output=True, text=True, timeout=120, check=False)
            try:
                answered = json.loads(completed.stdout)["requests"]
            except ValueError:
                answered = []
        by_title = {}
        for entry in answered:
            body = (entry.get("response") or {}).get("body")
            try:
                by_title[entry.get("title") or entry.get("name")] = json.loads(body) if isinstance(body, str) else None
            except ValueError:
                by_title[entry.get("title") or entry.get("name")] = None
        for request in collection.requests():
            theirs = next((v for k, v in by_title.items() if k and k.endswith(request.name)), None)
            results.append((request.name, _same(theirs, _engine(request.spec, scope), request.spec)))
    return _tally(results)


if __name__ == "__main__":
    main()

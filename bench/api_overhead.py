"""What the API adds to a request: POST /api/v1/execute through a real server vs engine.send.

    .venv/bin/python bench/api_overhead.py [--requests 200]

Both paths send the same request to the playground's stdlib server on 127.0.0.1, in the same
run, interleaved. The API path goes through a real HTTP server (wsgiref in a thread, serving
the Django app) with token auth, access checks, variables, the cookie jar, history recording
(with masking) and retention, on a fresh SQLite database in a temporary folder. Prints the
median of each and the median added milliseconds per request. Aim: under 5 ms on SQLite.
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import tempfile
import threading
import time
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from common import setup_django


class QuietHandler(WSGIRequestHandler):
    # Headers and body go out in separate writes: without this each response waits ~40 ms
    # for a delayed ACK (see STDLIB_TRAPS.md).
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: object) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="webclient-bench-") as data_dir:
        setup_django(data_dir)
        from requests_app.engine import send
        from requests_app.engine.spec import spec_from_dict
        from requests_app.playground_server import serve_in_thread
        from requests_app.services.accounts import account_create, api_token_create
        from requests_app.services.execution import outbound_policy
        from webclient.wsgi import application

        user = account_create(username="bench", password="bench-password-91x")
        _, token = api_token_create(user=user, name="bench")
        workspace_id = user.personal_workspace.pk  # type: ignore[attr-defined]

        target, _, stop_target = serve_in_thread()
        api_server: WSGIServer = make_server("127.0.0.1", 0, application, handler_class=QuietHandler)
        threading.Thread(target=api_server.serve_forever, daemon=True).start()
        try:
            run(args, send, spec_from_dict, outbound_policy, target, api_server, token, workspace_id)
        finally:
            api_server.shutdown()
            api_server.server_close()
            stop_target()


def run(args, send, spec_from_dict, outbound_policy, target, api_server, token, workspace_id) -> None:  # type: ignore[no-untyped-def]
    spec_data = {
        "method": "POST",
        "url": f"http://127.0.0.1:{target.port}/anything?q=1",
        "headers": [{"key": "Accept", "value": "application/json", "enabled": True}],
        "body": {"mode": "json", "text": json.dumps({"hello": "world", "n": list(range(20))})},
    }
    payload = json.dumps({"workspace": workspace_id, **spec_data}).encode()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    api_port = api_server.server_address[1]
    policy = outbound_policy()

    def direct() -> float:
        started = time.perf_counter()
        exchange = send(spec_from_dict(spec_data), policy=policy)
        elapsed = time.perf_counter() - started
        assert exchange.error is None and exchange.response is not None and exchange.response.status == 200
        return elapsed

    def through_api() -> float:
        started = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", api_port, timeout=30)
        connection.request("POST", "/api/v1/execute", body=payload, headers=headers)
        response = connection.getresponse()
        body = response.read()
        connection.close()
        elapsed = time.perf_counter() - started
        assert response.status == 200, body[:300]
        assert json.loads(body)["response"]["status"] == 200
        return elapsed

    for _ in range(args.warmup):
        direct()
        through_api()
    direct_times, api_times, added = [], [], []
    for _ in range(args.requests):
        d = direct()
        a = through_api()
        direct_times.append(d)
        api_times.append(a)
        added.append(a - d)

    def ms(values: list[float]) -> float:
        return statistics.median(values) * 1000

    print(f"requests: {args.requests} each (after {args.warmup} warm-up), SQLite, target 127.0.0.1:{target.port}")
    print(f"engine.send directly      median {ms(direct_times):7.2f} ms")
    print(f"POST /api/v1/execute      median {ms(api_times):7.2f} ms")
    print(f"added by the API          median {ms(added):7.2f} ms per request "
          f"(ratio {statistics.median(api_times) / statistics.median(direct_times):.2f}x)")


if __name__ == "__main__":
    main()

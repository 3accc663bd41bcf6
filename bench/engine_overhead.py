"""How much does engine.send cost over plain urllib and http.client? Same server, same run.

Usage::

    .venv/bin/python bench/engine_overhead.py [--n 500] [--path /status/200] [--profile]

Starts the playground's stdlib server in a subprocess on 127.0.0.1 (so it does not share our
GIL), then makes N sequential GETs three ways:

- engine.send (new connection per request, policy check, validation, wire capture, decoding)
- urllib.request.urlopen (new connection per request: the baseline; goal engine <= 1.3x)
- one reused http.client.HTTPConnection (keep-alive: the floor)

and prints per-request milliseconds and the ratios. --profile prints the engine's top functions.
"""

from __future__ import annotations

import argparse
import cProfile
import http.client
import pstats
import statistics
import time
import urllib.request
from urllib.parse import urlsplit

from common import start_playground

from requests_app.engine import OutboundPolicy, send
from requests_app.engine.spec import RequestSpec

GOAL_RATIO = 1.3
def run_engine(url: str, n: int) -> float:
    policy = OutboundPolicy.allow_all()
    spec = RequestSpec(url=url)
    started = time.perf_counter()
    for _ in range(n):
        exchange = send(spec, policy=policy)
        assert exchange.error is None and exchange.response is not None, exchange.error
    return time.perf_counter() - started


def run_urlopen(url: str, n: int) -> float:
    started = time.perf_counter()
    for _ in range(n):
        with urllib.request.urlopen(url, timeout=30) as response:
            response.read()
    return time.perf_counter() - started


def run_http_client(url: str, n: int) -> float:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
    started = time.perf_counter()
    for _ in range(n):
        connection.request("GET", parts.path)
        connection.getresponse().read()
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=500, help="requests per client (default 500)")
    parser.add_argument("--path", default="/status/200", help="playground route to GET")
    parser.add_argument("--profile", action="store_true", help="profile the engine run")
    args = parser.parse_args()

    process, base_url = start_playground()
    url = base_url + args.path
    try:
        for runner in (run_engine, run_urlopen, run_http_client):  # warm up: imports, caches, server threads
            runner(url, 20)
        # Interleave short rounds so drift on a shared machine hits every client alike, and
        # judge by the median of the per-round ratios, which one noisy round cannot move.
        names = ("engine.send", "urllib.urlopen", "http.client keep-alive")
        rounds = 10
        per_round = max(1, args.n // rounds)
        samples: dict[str, list[float]] = {name: [] for name in names}
        for _ in range(rounds):
            for name, runner in zip(names, (run_engine, run_urlopen, run_http_client)):
                samples[name].append(runner(url, per_round))
        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            run_engine(url, per_round)
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    finally:
        assert process.stdin is not None
        process.stdin.close()
        process.wait(timeout=10)

    count = per_round * rounds
    print(f"{count} sequential GETs of {args.path} per client in {rounds} interleaved rounds, server in a subprocess")
    for name in names:
        print(f"  {name:<24} {sum(samples[name]) / count * 1000:7.3f} ms/request")
    engine, urlopen, keepalive = (samples[name] for name in names)
    ratio = statistics.median(e / u for e, u in zip(engine, urlopen))
    verdict = "met" if ratio <= GOAL_RATIO else "NOT met"
    print(f"  engine / urlopen         {ratio:6.2f}x  median of rounds (goal <= {GOAL_RATIO}x: {verdict})")
    floor = statistics.median(e / k for e, k in zip(engine, keepalive))
    print(f"  engine / keep-alive      {floor:6.2f}x  (a new connection per request vs one reused)")

if __name__ == "__main__":
    main()

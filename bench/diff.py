"""Response diff of two ~5 MB JSON bodies with 1 % of their values changed (issue 18).

    .venv/bin/python bench/diff.py [--mib 5] [--changed 0.01] [--repeat 3]

Each measurement runs in a fresh child process so that its peak RSS (ru_maxrss) is its own.
Printed beside it, as the baseline measured in the same run: json.loads of both bodies alone,
the floor any structural diff pays. Goal: < 1 s and < 200 MiB on the 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time

from common import ROOT

CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, sys.argv[1])
from requests_app.responsediff import diff_responses
a, b, what = open(sys.argv[2]).read(), open(sys.argv[3]).read(), sys.argv[4]
start = time.perf_counter()
if what == "diff":
    result = diff_responses({"status": 200, "headers": [], "kind": "json", "body_text": a},
                            {"status": 200, "headers": [], "kind": "json", "body_text": b})
    count = result.body.change_count
else:
    json.loads(a); json.loads(b); count = 0
elapsed = time.perf_counter() - start
print(json.dumps({"seconds": elapsed, "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "changes": count}))
"""


def make_bodies(mib: float, changed: float, seed: int = 7) -> tuple[str, str, int]:
    rng = random.Random(seed)
    items = []
    size = 0
    while size < mib * 1024 * 1024:
        item = {"id": len(items), "name": f"item {len(items)}", "price": rng.randint(1, 10_000) / 100,
                "tags": [rng.choice(["a", "b", "c", "d"]) for _ in range(3)],
                "stock": {"warehouse": rng.choice(["north", "south"]), "count": rng.randint(0, 500)}}
        items.append(item)
        size += len(json.dumps(item)) + 2
    before = {"items": items, "total": len(items)}
    after = json.loads(json.dumps(before))
    values = len(items) * 7  # id, name, price, 3 tags, warehouse+count ≈ 7 leaf values per item
    flips = int(values * changed)
    for index in rng.sample(range(len(items)), flips):
        after["items"][index]["price"] = round(after["items"][index]["price"] + 1, 2)
    return json.dumps(before), json.dumps(after), flips


def measure(what: str, a_path: str, b_path: str) -> dict[str, float]:
    done = subprocess.run([sys.executable, "-c", CHILD, str(ROOT), a_path, b_path, what],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mib", type=float, default=5)
    parser.add_argument("--changed", type=float, default=0.01)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    import tempfile

    a, b, flips = make_bodies(options.mib, options.changed)
    with tempfile.TemporaryDirectory() as scratch:
        a_path, b_path = f"{scratch}/a.json", f"{scratch}/b.json"
        open(a_path, "w").write(a)
        open(b_path, "w").write(b)
        diff = min((measure("diff", a_path, b_path) for _ in range(options.repeat)), key=lambda r: r["seconds"])
        parse = min((measure("parse", a_path, b_path) for _ in range(options.repeat)), key=lambda r: r["seconds"])
    print(f"bodies: {len(a) / 2**20:.1f} MiB and {len(b) / 2**20:.1f} MiB, {flips} values changed")
    print("| step            | seconds | peak RSS MiB |")
    print(f"| json.loads both | {parse['seconds']:.3f}   | {parse['rss_mib']:.0f} |")
    print(f"| diff_responses  | {diff['seconds']:.3f}   | {diff['rss_mib']:.0f} |  (x{diff['seconds'] / parse['seconds']:.1f} the parse; "
          f"{diff['changes']} changes found)")
    print(f"goal < 1 s: {'met' if diff['seconds'] < 1 else 'NOT met'}; < 200 MiB: {'met' if diff['rss_mib'] < 200 else 'NOT met'}")


if __name__ == "__main__":
    _ = resource, time
    main()

"""What change history and the activity feed add to a save, and what a long history costs.

    .venv/bin/python bench/teams.py [--saves 300]

On a fresh SQLite database in a temporary folder, the same request is saved over and over,
interleaved, two ways in the same run:

- baseline: `versioning.save_versioned` alone (one conditional UPDATE, the pre-teams save);
- teams:    `request_update` (the same UPDATE plus the kept version and the feed line).

Prints the median of each, their ratio, and the median time to list the versions of a request
with 10 and with `--saves` versions (listing reads every version once: it grows linearly).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time

from common import setup_django


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        setup_django(data_dir)
        from requests_app.services.accounts import account_create
        from requests_app.services.collections import collection_create
        from requests_app.services.revisions import revision_list
        from requests_app.services.saved_requests import request_create, request_update
        from requests_app.services.versioning import save_versioned

        user = account_create(username="bench", password="a-long-bench-password-1")
        collection = collection_create(user=user, workspace=user.personal_workspace, name="Bench")  # type: ignore[attr-defined]
        plain = request_create(user=user, collection=collection, name="baseline", url="http://127.0.0.1:9/")
        tracked = request_create(user=user, collection=collection, name="tracked", url="http://127.0.0.1:9/")
        short = request_create(user=user, collection=collection, name="short", url="http://127.0.0.1:9/")
        for number in range(9):
            short = request_update(user=user, saved_request=short, version=short.version, url=f"http://x/{number}")

        baseline, teams = [], []
        for number in range(args.saves):
            url = f"http://127.0.0.1:9/{number}"
            started = time.perf_counter()
            save_versioned(plain, version=plain.version, changes={"url": url, "updated_by": user})
            baseline.append(time.perf_counter() - started)
            started = time.perf_counter()
            tracked = request_update(user=user, saved_request=tracked, version=tracked.version, url=url)
            teams.append(time.perf_counter() - started)

        def list_ms(obj: object) -> float:
            times = []
            for _ in range(20):
                started = time.perf_counter()
                revision_list(user=user, obj=obj)
                times.append(time.perf_counter() - started)
            return statistics.median(times) * 1000

        base_ms, teams_ms = statistics.median(baseline) * 1000, statistics.median(teams) * 1000
        print(f"save, baseline (one conditional UPDATE):   {base_ms:.2f} ms")
        print(f"save with kept version + activity line:    {teams_ms:.2f} ms   ratio {teams_ms / base_ms:.1f}x")
        print(f"list 10 versions:                          {list_ms(short):.2f} ms")
        print(f"list {tracked.version} versions:                         {list_ms(tracked):.2f} ms")


if __name__ == "__main__":
    main()

"""Big workspaces (issue 15): what a page costs at 100, 10,000 and 100,000 requests, on SQLite and PostgreSQL.

    .venv/bin/python bench/scale.py [--sizes 100,10000,100000] [--pg postgres://postgres@127.0.0.1:5432/webclient_<name>]
                                    [--repeat 5]

One run measures both databases (each in its own process: one Django per database). Per
size, a workspace is filled through the services: Postman collections imported with
`collection_import` (at most 20,000 requests per import, the default quota), in folders of 50
requests under top folders of 10, one collection flat (all requests at its root, as HAR and
cURL imports make them); then `size` history entries and a run with `size / 2` results
(bulk-inserted: the services write those one per request sent). Measured in process with
Django's test client, median of `--repeat` after a warm-up: server time (ms), page weight
(bytes) and queries of

- the workspace page `/w/<id>/` (collections open, first pages of their roots),
- a folder opened (its 50 requests) and "Show more" deep in the flat collection's root,
- a search (`/w/<id>/search/?q=…`) and the API's `GET /api/v1/search`,
- the history sidebar list (newest page) and its 100th page by cursor,
- a run's results page (first page and a later one),
- the runner page (its pickers: a page of collections, folders and requests each);

then the tree's Delete on a collection of 50,000 requests: the page's answer and the background
job's time (printed to stderr).

Goal: page weight independent of size (± 10 %), < 100 ms per response at 100,000 on PostgreSQL.
The PostgreSQL database given with --pg is FLUSHED (use your own scratch database).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from typing import Any

from common import ROOT  # also puts the project on sys.path

FOLDER_SIZE = 50
SUBFOLDERS = 10
PER_IMPORT = 20_000
DELETE_SIZE = 50_000


def postman_collection(name: str, count: int, *, flat: bool, start: int) -> str:
    def request(i: int) -> dict[str, Any]:
        return {"name": f"{('List', 'Get', 'Create', 'Update')[i % 4]} item {i}",
                "request": {"method": ("GET", "GET", "POST", "PUT")[i % 4], "url": f"http://127.0.0.1:9/items/{i}"}}

    numbers = list(range(start, start + count))
    if flat:
        items: list[Any] = [request(i) for i in numbers]
    else:
        items = [request(i) for i in numbers[:min(10, count)]]
        rest = numbers[len(items):]
        folders = [rest[k:k + FOLDER_SIZE] for k in range(0, len(rest), FOLDER_SIZE)]
        for top in range(0, len(folders), SUBFOLDERS):
            items.append({"name": f"Area {top // SUBFOLDERS}", "item": [
                {"name": f"Folder {top + k}", "item": [request(i) for i in group]}
                for k, group in enumerate(folders[top:top + SUBFOLDERS])]})
    return json.dumps({"info": {"name": name, "schema": "https://schema.getpostman.com/json/collection/v2.1.0/"
                                                        "collection.json"}, "item": items})


def fill(user: Any, size: int) -> dict[str, Any]:
    from django.utils import timezone

    from requests_app.models import Collection, Folder, HistoryEntry, Run, RunResult
    from requests_app.services.interop import collection_import
    from requests_app.services.workspaces import workspace_create

    workspace = workspace_create(user=user, name=f"Scale {size}")
    started = time.perf_counter()
    flat_count = min(size // 5, PER_IMPORT)  # one collection flat: a fifth of the requests at its root
    made, number = 0, 0
    while made < size:
        flat = number == 1
        count = flat_count if flat else min(PER_IMPORT, size - made - (flat_count if number == 0 else 0))
        collection_import(user=user, workspace=workspace,
                          content=postman_collection(f"C{number}", count, flat=flat, start=made))
        made += count
        number += 1
    import_seconds = time.perf_counter() - started
    now = timezone.now()
    HistoryEntry.objects.bulk_create(
        (HistoryEntry(workspace=workspace, user=user, method="GET", url=f"http://127.0.0.1:9/items/{i}", status=200,
                      total_ms=1.0, created_at=now - timedelta(seconds=i)) for i in range(size)),
        batch_size=2000,
    )
    first = Collection.objects.filter(workspace=workspace).order_by("position").first()
    run = Run.objects.create(workspace=workspace, collection=first, title="scale", state=Run.State.PASSED,
                             planned_requests=size // 2)
    RunResult.objects.bulk_create(
        (RunResult(run=run, iteration=0, position=i, name=f"item {i}", method="GET", url="http://127.0.0.1:9/",
                   status=200, time_ms=1.0, size=2, passed=i % 50 != 0) for i in range(size // 2)),
        batch_size=2000,
    )
    from django.db import connection

    with connection.cursor() as cursor:  # fresh planner statistics, as autovacuum would give a live server
        cursor.execute("ANALYZE")
    folder = Folder.objects.filter(collection__workspace=workspace, parent__isnull=False).order_by("id").first()
    flat = Collection.objects.filter(workspace=workspace, name="C1").first()
    return {"workspace": workspace, "folder": folder, "flat": flat, "run": run, "import_s": import_seconds}


def measure(client: Any, url: str, repeat: int, **headers: Any) -> dict[str, float]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(url, **headers)  # warm-up
    assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url, **headers)
            times.append((time.perf_counter() - started) * 1000)
    return {"ms": statistics.median(times), "bytes": len(response.content), "queries": len(captured)}


def later_page(client: Any, url: str, pattern: str, hops: int, **headers: Any) -> str:
    """Follow a "more" link `hops` times; the URL of the page reached."""
    import html
    import re

    for _ in range(hops):
        found = re.search(pattern, client.get(url, **headers).content.decode())
        if not found:
            break
        url = html.unescape(found.group(1))
    return url


def worker(database_url: str, sizes: list[int], repeat: int) -> None:
    if database_url.startswith("sqlite"):
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("WEBCLIENT_LOG_LEVEL", "WARNING")
    os.environ["WEBCLIENT_HISTORY_LIMIT"] = str(10**9)
    os.environ["DJANGO_SETTINGS_MODULE"] = "webclient.settings"
    os.environ.setdefault("WEBCLIENT_DATA_DIR", tempfile.mkdtemp(prefix="scale-"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    from requests_app.services.accounts import account_create

    user = account_create(username="scale", password="scale-bench-pass-1", email="")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    hx = {"HTTP_HX_REQUEST": "true"}
    more = r'class="tree-more[^"]*"[^>]*hx-get="([^"]+)"'
    for size in sizes:
        made = fill(user, size)
        ws = made["workspace"].pk
        flat_root = reverse("collection_children", args=[ws, made["flat"].pk]) + "?depth=0"
        history = reverse("history_list", args=[ws])
        run_page = reverse("run_page", args=[ws, made["run"].pk])
        rows = {
            "workspace page": measure(client, reverse("workspace", args=[ws]), repeat),
            "folder opened": measure(client, reverse("folder_children", args=[ws, made["folder"].pk]), repeat, **hx),
            "flat root, 10th Show more": measure(client, later_page(client, flat_root, more, 10, **hx), repeat, **hx),
            "search (page)": measure(client, reverse("sidebar_search", args=[ws]) + "?q=item+777", repeat, **hx),
            "search (API)": measure(client, f"/api/v1/search?workspace={ws}&q=update+item", repeat),
            "history list": measure(client, history, repeat, **hx),
            "history, 100th page": measure(client, later_page(
                client, history, r'class="history-more[^"]*" hx-get="([^"]+)"', 100, **hx), repeat, **hx),
            "run results page": measure(client, run_page, repeat),
            "run results, 20th page": measure(client, later_page(
                client, run_page, r'href="([^"]+)">Next results', 20), repeat),
            "runner page": measure(client, reverse("runner", args=[ws]), repeat),
        }
        print(json.dumps({"size": size, "import_s": made["import_s"], "rows": rows}), flush=True)
    print(json.dumps({"delete": big_delete(client, user, DELETE_SIZE)}), flush=True)


def big_delete(client: Any, user: Any, count: int) -> dict[str, float]:
    """The tree's Delete on a collection of `count` requests (bulk-inserted): the page's answer,
    then the background job (local mode: a thread of this process) until done; peak RSS of the
    process before and after (kB)."""
    import resource

    from django.urls import reverse

    from requests_app.models import Collection, DeleteJob, SavedRequest
    from requests_app.services import deletes
    from requests_app.services.workspaces import workspace_create

    workspace = workspace_create(user=user, name="Delete")
    collection = Collection.objects.create(workspace=workspace, name="Doomed")
    SavedRequest.objects.bulk_create(
        (SavedRequest(collection=collection, name=f"R{i}", position=i, url=f"http://127.0.0.1:9/{i}")
         for i in range(count)), batch_size=2000)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    response = client.post(reverse("collection_delete", args=[workspace.pk, collection.pk]), HTTP_HX_REQUEST="true")
    answered = time.perf_counter()
    assert response.status_code == 200, response.status_code
    deletes.wait_local(timeout=3600)
    job = DeleteJob.objects.get(workspace=workspace)
    return {"requests": count, "page_ms": (answered - started) * 1000, "job_s": time.perf_counter() - started,
            "state": job.state, "done": job.done, "rss_before_kb": rss_before,
            "rss_after_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,10000,100000")
    parser.add_argument("--pg", default=os.environ.get("SCALE_PG", "postgres://postgres@127.0.0.1:5432/webclient_tree"))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--only", choices=("sqlite", "pg"), help="measure one database")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    options = parser.parse_args()
    sizes = [int(part) for part in options.sizes.split(",")]
    if options.worker:
        worker(options.worker, sizes, options.repeat)
        return
    scratch = tempfile.mkdtemp(prefix="scale-sqlite-")
    results: dict[str, list[dict[str, Any]]] = {}
    databases = [("SQLite", f"sqlite:///{scratch}/scale.sqlite3"), ("PostgreSQL", options.pg)]
    for label, url in [d for d in databases if options.only in (None, "sqlite" if d[0] == "SQLite" else "pg")]:
        print(f"{label}: filling and measuring {sizes} …", file=sys.stderr, flush=True)
        started = time.perf_counter()
        process = subprocess.run([sys.executable, __file__, "--worker", url, "--sizes", options.sizes,
                                  "--repeat", str(options.repeat)], capture_output=True, text=True, cwd=ROOT)
        lines = [json.loads(line) for line in process.stdout.splitlines() if line.startswith("{")]
        results[label] = [line for line in lines if "rows" in line]
        for line in lines:
            if "delete" in line:
                print(f"{label}: delete of a collection of {line['delete']['requests']:,} requests: "
                      f"{json.dumps(line['delete'])}", file=sys.stderr, flush=True)
        print(f"{label}: done in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
        if process.returncode != 0:
            print(process.stderr[-3000:], file=sys.stderr)
            del results[label]
            print(f"{label} worker failed: the table leaves it out", file=sys.stderr)
    if results:
        print_table(results, sizes)


def print_table(results: dict[str, list[dict[str, Any]]], sizes: list[int]) -> None:
    names = list(next(iter(results.values()))[0]["rows"])
    header = "| response | " + " | ".join(f"{db} {size:,}" for db in results for size in sizes) + " |"
    print(header)
    print("|" + "---|" * (1 + len(results) * len(sizes)))
    for name in names:
        cells = []
        for db in results:
            for entry in results[db]:
                row = entry["rows"][name]
                cells.append(f"{row['ms']:.0f} ms, {row['bytes'] / 1024:.0f} KB, {row['queries']} q")
        print(f"| {name} | " + " | ".join(cells) + " |")
    cells = [f"{entry['import_s']:.1f} s" for db in results for entry in results[db]]
    print("| import (all collections, s) | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()

"""Keyset pages in the API: history, runs, run results, activity, versions (issue 15).

`next` links keep walking the same rows when rows are added meanwhile, a page costs the same
queries wherever it is in the list, and a cursor that is not one is a named 400.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from requests_app.models import Activity, HistoryEntry, Run, RunResult
from requests_app.services.collections import collection_create
from requests_app.services.saved_requests import request_create, request_update

pytestmark = pytest.mark.django_db


def make_history(alice, acme, count, *, start=0):
    now = timezone.now()
    HistoryEntry.objects.bulk_create(
        HistoryEntry(workspace=acme, user=alice, method="GET", url=f"http://x/{start + i}",
                     created_at=now - timedelta(seconds=count - i) if start == 0 else now + timedelta(seconds=i + 1))
        for i in range(count)
    )


def walk(client, url, **params):
    """Every page from `url`: (names of rows per page, queries per page)."""
    pages, counts = [], []
    response = client.get(url, params)
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        pages.append(body["results"])
        if not body["next"]:
            return pages, counts
        with CaptureQueriesContext(connection) as captured:
            response = client.get(body["next"])
        counts.append(len(captured))


def test_history_pages_walk_every_entry_once_newest_first(alice, acme, alice_client):
    make_history(alice, acme, 25)
    pages, counts = walk(alice_client, "/api/v1/history", workspace=acme.pk, limit=10)
    urls = [row["url"] for page in pages for row in page]
    assert [len(page) for page in pages] == [10, 10, 5]
    assert urls == [f"http://x/{i}" for i in reversed(range(25))]
    assert len(set(counts)) == 1


def test_history_next_link_is_stable_when_entries_arrive_meanwhile(alice, acme, alice_client):
    make_history(alice, acme, 20)
    first = alice_client.get("/api/v1/history", {"workspace": acme.pk, "limit": 10}).json()
    make_history(alice, acme, 5, start=100)  # newer than everything: land at the front
    second = alice_client.get(first["next"]).json()
    assert [row["url"] for row in second["results"]] == [f"http://x/{i}" for i in reversed(range(10))]
    assert "workspace=" in first["next"] and "limit=10" in first["next"]  # same filters


def test_a_cursor_that_is_not_one_is_a_named_error(alice, acme, alice_client):
    for cursor in ("nonsense", "W10", "eyJ4IjoxfQ"):
        response = alice_client.get("/api/v1/history", {"cursor": cursor})
        assert response.status_code == 400
        assert "cursor" in response.json()["error"]["fields"]
    assert alice_client.get("/api/v1/history", {"limit": "0"}).status_code == 400
    assert alice_client.get("/api/v1/history", {"limit": "501"}).status_code == 400


def test_run_results_pages_keep_run_order_and_failures_first(alice, acme, alice_client):
    collection = collection_create(user=alice, workspace=acme, name="C")
    run = Run.objects.create(workspace=acme, collection=collection, title="C", state=Run.State.FAILED)
    RunResult.objects.bulk_create(
        RunResult(run=run, iteration=i // 10, position=i % 10, name=f"r{i}", method="GET", url="http://x/",
                  passed=i % 7 != 0)
        for i in range(45)
    )
    pages, counts = walk(alice_client, f"/api/v1/runs/{run.pk}/results", limit=10)
    assert [row["name"] for page in pages for row in page] == [f"r{i}" for i in range(45)]
    assert len(set(counts)) == 1
    pages, _ = walk(alice_client, f"/api/v1/runs/{run.pk}/results", limit=4, failures_first=1)
    names = [row["name"] for page in pages for row in page]
    failed = [f"r{i}" for i in range(45) if i % 7 == 0]
    assert names[: len(failed)] == failed and sorted(names) == sorted(f"r{i}" for i in range(45))


def test_runs_and_activity_pages(alice, acme, alice_client):
    collection = collection_create(user=alice, workspace=acme, name="C")
    Run.objects.bulk_create(Run(workspace=acme, collection=collection, title=f"run {i}",
                                created_at=timezone.now() + timedelta(seconds=i)) for i in range(12))
    pages, _ = walk(alice_client, "/api/v1/runs", workspace=acme.pk, limit=5)
    assert [row["title"] for page in pages for row in page] == [f"run {i}" for i in reversed(range(12))]
    for i in range(11):
        collection_create(user=alice, workspace=acme, name=f"K{i}")
    pages, _ = walk(alice_client, f"/api/v1/workspaces/{acme.pk}/activity/", limit=5)
    rows = [row for page in pages for row in page]
    assert len(rows) == Activity.objects.filter(workspace=acme).count()
    assert rows[0]["object_name"] == "K10"


def test_versions_pages_show_each_version_once_with_its_changes(alice, acme, alice_client):
    collection = collection_create(user=alice, workspace=acme, name="C")
    saved = request_create(user=alice, collection=collection, name="R", url="http://x/0")
    for i in range(1, 8):
        saved = request_update(user=alice, saved_request=saved, version=saved.version, url=f"http://x/{i}")
    pages, _ = walk(alice_client, f"/api/v1/requests/{saved.pk}/versions", limit=3)
    rows = [row for page in pages for row in page]
    assert [row["version"] for row in rows] == list(range(8, 0, -1))
    whole = alice_client.get(f"/api/v1/requests/{saved.pk}/versions", {"limit": 50}).json()["results"]
    assert rows == whole  # the diff of a page's last version is against the version before it

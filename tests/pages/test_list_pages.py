"""Keyset pages on the page: history sidebar (loads more at the end), runs, run results, activity.

Each page costs the same queries whether it is the first or the hundredth.
"""

from __future__ import annotations

import html
import re
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from requests_app.models import Collection, HistoryEntry, Run, RunResult

pytestmark = pytest.mark.django_db


def get(client: Any, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return len(captured), response.content.decode()


def test_history_sidebar_shows_the_newest_page_and_loads_older_ones_at_the_end(alice, client_for, settings):
    settings.WEBCLIENT_LIST_PAGE_SIZE = 20
    workspace = alice.personal_workspace
    now = timezone.now()
    HistoryEntry.objects.bulk_create(
        HistoryEntry(workspace=workspace, user=alice, method="GET", url=f"http://x/h{i}",
                     created_at=now - timedelta(seconds=i)) for i in range(70)
    )
    client = client_for(alice)
    _, page = get(client, reverse("workspace", args=[workspace.pk]))
    seen = re.findall(r'<span class="history-path">/(h\d+)</span>', page)
    assert seen == [f"h{i}" for i in range(20)]
    counts = set()
    while True:
        found = re.search(r'class="history-more[^"]*" hx-get="([^"]+)"\s+hx-include="#history-filters" hx-trigger="revealed, click"', page)
        if not found:
            break
        count, page = get(client, html.unescape(found.group(1)))
        counts.add(count)
        assert 'id="history-list"' not in page  # rows only, appended in place of the button
        seen += re.findall(r'<span class="history-path">/(h\d+)</span>', page)
    assert seen == [f"h{i}" for i in range(70)]
    assert len(counts) == 1


def test_run_results_page_walks_50_results_in_pages_of_the_same_cost(alice, client_for, monkeypatch):
    from requests_app.views import runner

    monkeypatch.setattr(runner, "RESULTS_SHOWN", 20)
    workspace = alice.personal_workspace
    collection = Collection.objects.create(workspace=workspace, name="C")
    run = Run.objects.create(workspace=workspace, collection=collection, title="C", state=Run.State.FAILED,
                             planned_requests=50)
    RunResult.objects.bulk_create(
        RunResult(run=run, iteration=0, position=i, name=f"res{i}", method="GET", url="http://x/", passed=i % 9 != 0)
        for i in range(50)
    )
    client = client_for(alice)
    url = reverse("run_page", args=[workspace.pk, run.pk])
    seen, counts = [], set()
    while url:
        count, page = get(client, url)
        counts.add(count)
        seen += re.findall(r"<strong>(res\d+)</strong>", page)
        found = re.search(r'href="([^"]+)">Next results', page)
        url = html.unescape(found.group(1)) if found else None
    failed = [f"res{i}" for i in range(50) if i % 9 == 0]
    assert seen == failed + [f"res{i}" for i in range(50) if i % 9 != 0]
    assert len(counts) == 1


def test_runner_page_lists_recent_runs_and_older_ones_by_link(alice, client_for, monkeypatch):
    from requests_app.views import runner

    monkeypatch.setattr(runner, "RECENT_RUNS", 5)
    workspace = alice.personal_workspace
    collection = Collection.objects.create(workspace=workspace, name="C")
    Run.objects.bulk_create(Run(workspace=workspace, collection=collection, title=f"run{i}",
                                created_at=timezone.now() + timedelta(seconds=i)) for i in range(12))
    client = client_for(alice)
    url = reverse("runner", args=[workspace.pk])
    seen = []
    while url:
        _, page = get(client, url)
        seen += re.findall(r"#\d+ (run\d+)</a>", page)
        found = re.search(r'href="([^"]+)">Older runs', page)
        url = html.unescape(found.group(1)) if found else None
    assert seen == [f"run{i}" for i in reversed(range(12))]


def test_an_edited_cursor_on_a_page_shows_the_first_page(alice, client_for):
    workspace = alice.personal_workspace
    _, page = get(client_for(alice), reverse("activity", args=[workspace.pk]) + "?cursor=garbage")
    assert "created workspace" in page or "Activity" in page


def test_an_edited_history_cursor_answers_the_newest_entries(alice, client_for):
    workspace = alice.personal_workspace
    HistoryEntry.objects.create(workspace=workspace, user=alice, method="GET", url="http://x/h0")
    _, page = get(client_for(alice), reverse("history_list", args=[workspace.pk]) + "?cursor=W10")
    assert "http://x/h0" in page

"""The History sidebar filtered over several pages: older pages keep the filters, and a day's
heading is not repeated where a page boundary falls inside that day."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone

from requests_app.models import HistoryEntry


def test_older_pages_keep_the_filters_and_one_heading_per_day(alice: Any, client_for: Any, settings: Any) -> None:
    settings.WEBCLIENT_LIST_PAGE_SIZE = 5
    workspace = alice.personal_workspace
    now = timezone.now()
    HistoryEntry.objects.bulk_create(
        HistoryEntry(workspace=workspace, user=alice, method="POST" if i % 2 else "GET", url=f"http://x/h{i}",
                     status=200, created_at=now - timedelta(minutes=i)) for i in range(30)
    )
    client = client_for(alice)
    url = reverse("history_list", args=[workspace.pk]) + "?method=POST"
    page = client.get(url).content.decode()
    seen = re.findall(r'<span class="history-path">/(h\d+)</span>', page)
    headings = len(re.findall(r'class="history-day-title"', page))
    while True:
        more = re.search(r'class="history-more[^"]*" hx-get="([^"]+)"', page)
        if not more:
            break
        # the page sends the filter form along (hx-include); a test client adds it by hand
        page = client.get(html.unescape(more.group(1)) + "&method=POST").content.decode()
        seen += re.findall(r'<span class="history-path">/(h\d+)</span>', page)
        headings += len(re.findall(r'class="history-day-title"', page))
    assert seen == [f"h{i}" for i in range(1, 30, 2)]
    days = {(now - timedelta(minutes=i)).astimezone(timezone.get_current_timezone()).date() for i in range(1, 30, 2)}
    assert headings == len(days)


def test_a_bad_status_filter_is_said_in_the_list_not_a_500(alice: Any, client_for: Any) -> None:
    workspace = alice.personal_workspace
    answer = client_for(alice).get(reverse("history_list", args=[workspace.pk]) + "?status=teapot")
    assert answer.status_code == 200
    assert "Status must be 2xx, 3xx, 4xx, 5xx, error, or a code from 100 to 599." in answer.content.decode()

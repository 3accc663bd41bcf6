"""History that can be used: full method and path, grouped by day with dates, search and
filters (method, status, host), and "Save…" into a collection."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from requests_app.models import HistoryEntry, SavedRequest
from tests.browser.test_request_builder import send, sign_up
from tests.fixtures.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_history_groups_by_day_filters_and_saves_to_a_collection(page: Any, live_server: Any, closed_port: int) -> None:
    sign_up(page, "hester")
    url = page.get_by_label("URL", exact=True)
    method = page.get_by_label("Method", exact=True)
    base = f"{live_server.url}/echo"
    for verb, address in (("GET", f"{base}/status/404"), ("POST", f"{base}/anything/orders/2026/very/long/path/that/would/not/fit?page=2"),
                          ("DELETE", f"{base}/anything/orders/7"), ("GET", f"http://127.0.0.1:{closed_port}/nothing")):
        method.select_option(verb)
        url.fill(address)
        send(page)
    # one entry from two days ago
    old = HistoryEntry.objects.get(method="DELETE")
    old.created_at = timezone.now() - timedelta(days=2)
    old.save(update_fields=["created_at"])

    page.reload()
    page.get_by_role("tablist", name="Sidebar sections").get_by_role("tab", name="History").click()
    history = page.locator("#history-list")
    expect(history.locator(".history-item")).to_have_count(4)
    days = history.locator(".history-day-title")
    expect(days).to_have_count(2)
    expect(days.first).to_have_text(re.compile(r"^Today · \w{3} \d{1,2} \w{3} \d{4}$"))
    expect(days.nth(1)).to_have_text(re.compile(r"^\w{3} \d{1,2} \w{3} \d{4}$"))
    # the full method and path are in view (wrapped, not cut), the host beside them
    long_entry = history.locator(".history-item", has_text="POST")
    expect(long_entry.locator(".history-line")).to_have_text("POST /echo/anything/orders/2026/very/long/path/that/would/not/fit?page=2")
    assert long_entry.locator(".history-line").evaluate("(e) => e.scrollWidth <= e.clientWidth")
    expect(history.locator(".history-item", has_text="/nothing").locator(".s5xx")).to_have_text("Refused")
    screenshot(page, "comforts-history")

    filters = page.locator("#history-filters")
    lines = history.locator(".history-line")
    nothing, post, missing, delete = ("GET /nothing", "POST /echo/anything/orders/2026/very/long/path/that/would/not/fit?page=2",
                                      "GET /echo/status/404", "DELETE /echo/anything/orders/7")
    expect(lines).to_have_text([nothing, post, missing, delete])
    filters.get_by_label("Search history").fill("orders")
    expect(lines).to_have_text([post, delete])
    filters.get_by_label("Filter by method").select_option("DELETE")
    expect(lines).to_have_text([delete])
    filters.get_by_label("Search history").fill("")
    filters.get_by_label("Filter by method").select_option("")
    filters.get_by_label("Filter by status").select_option("4xx")
    expect(lines).to_have_text([missing])
    filters.get_by_label("Filter by status").select_option("error")
    expect(lines).to_have_text([nothing])
    filters.get_by_label("Filter by status").select_option("")
    filters.get_by_label("Filter by host").fill("127.0.0.1")
    expect(lines).to_have_text([nothing])
    filters.get_by_label("Filter by host").fill("")
    expect(lines).to_have_text([nothing, post, missing, delete])
    filters.get_by_label("Search history").fill("no such thing")
    expect(history).to_contain_text("Nothing matches")
    filters.get_by_label("Search history").fill("")

    # Save…: the entry opens and the Save as dialog asks where
    entry = history.locator(".history-item", has_text="/status/404")
    entry.hover()
    entry.get_by_role("button", name="Save GET /echo/status/404 to a collection").click()
    dialog = page.locator("dialog#dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Name").fill("Missing page")
    dialog.get_by_role("button", name="Save").click()
    expect(page.locator("#request-name")).to_have_text("Missing page")
    saved = SavedRequest.objects.get(name="Missing page")
    assert saved.method == "GET" and saved.url == f"{base}/status/404"
    assert page.errors == []

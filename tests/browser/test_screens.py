"""The main screens at 1400 px and 390 px, light and dark: screenshots to look at
(screenshots/screen-*.png), and on a phone nothing spills sideways out of the page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.test_request_builder import open_tour_request, send, sign_up
from tests.fixtures.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SIZES = {"1400": {"width": 1400, "height": 900}, "390": {"width": 390, "height": 844}}


def test_main_screens_in_both_widths_and_themes(page: Any, live_server: Any) -> None:
    sign_up(page, "shona")
    open_tour_request(page, "1 · Methods and query", "GET with query params")
    send(page)
    page.locator("#editor-tabs").get_by_role("tab", name=re.compile("^Body")).click()
    workspace_url = page.url
    for theme in ("light", "dark"):
        page.emulate_media(color_scheme=theme)
        for size, viewport in SIZES.items():
            page.set_viewport_size(viewport)
            page.goto(workspace_url)
            expect(page.locator(".status-line")).to_have_text("HTTP/1.1 200 OK")
            screenshot(page, f"screen-{size}-{theme}-workspace")
            if size == "390":
                assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1
                screenshot(page, f"screen-{size}-{theme}-workspace-full", full_page=True)
            page.get_by_role("button", name="Sidebar").click() if size == "390" else None
            page.get_by_role("tablist", name="Sidebar sections").get_by_role("tab", name="History").click()
            screenshot(page, f"screen-{size}-{theme}-history")
            page.get_by_role("tablist", name="Sidebar sections").get_by_role("tab", name="Collections").click()
            page.goto(re.sub(r"(/w/\d+/).*", r"\g<1>runs/", workspace_url))
            screenshot(page, f"screen-{size}-{theme}-runs")
            if size == "390":
                assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1
    assert page.errors == []

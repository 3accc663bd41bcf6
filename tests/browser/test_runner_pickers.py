"""The runner's pickers search on the server in the browser: options swapped into the select,
ticked requests kept while searching, the run started with them (issue 15)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.test_request_builder import sign_up
from tests.browser.test_runner import make_collection
from tests.browser.tree_rows import tree_menu

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_find_a_folder_and_tick_requests_found_by_search(page: Any, live_server: Any, settings: Any) -> None:
    settings.CELERY_BROKER_URL = ""
    sign_up(page, "picka")
    make_collection("picka", f"{live_server.url}/echo")
    page.reload()
    tree_menu(page, "Shop API").click()
    page.get_by_role("link", name="Run", exact=True).first.click()
    expect(page.get_by_role("heading", name="Run requests")).to_be_visible()

    page.get_by_label("Find a collection or folder").fill("chec")
    target = page.get_by_label("What to run")
    expect(target.locator("option", has_text="Shop API / Checks")).to_have_count(1)
    expect(target.locator("option", has_text="HTTP tour")).to_have_count(0)  # not a match: left out

    page.locator("details.run-pick > summary").click()
    page.get_by_label("Find requests by name or URL").fill("stock")
    picker = page.locator("#run-requests")
    expect(picker.locator("label")).to_have_count(1)
    picker.get_by_label(re.compile("GET stock")).check()
    page.get_by_label("Find requests by name or URL").fill("product")
    expect(picker.locator("label")).to_have_count(3)  # the two found, and the ticked one kept
    expect(picker.get_by_label(re.compile("GET stock"))).to_be_checked()
    picker.get_by_label(re.compile("GET list products")).check()
    target.select_option("requests")
    page.get_by_role("button", name="Start run").click()
    expect(page.locator("#run-percent")).to_have_text("100%")
    expect(page.locator("#run-results tbody tr")).to_have_count(2)

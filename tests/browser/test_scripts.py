"""Send with a test script from the page: the Tests tab shows each pm.test (chromium)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.test_request_builder import open_tour_request, send, sign_up
from tests.fixtures.browser import NARROW, WIDE, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TEST_SCRIPT = """pm.test("status is 200", function () { pm.response.to.have.status(200); });
pm.test("echoes the color", function () { pm.expect(pm.response.json().args.color).to.eql(["red"]); });
pm.environment.set("seen", "yes");
console.log("checked", pm.response.code);"""


def set_script(page: Any, name: str, text: str) -> None:
    page.locator(f'textarea[name="{name}"]').evaluate("(t, text) => t.codeMirror.setValue(text)", text)


def test_send_runs_the_scripts_and_shows_the_tests_tab(page: Any, live_server: Any) -> None:
    sign_up(page)
    open_tour_request(page, "1 · Methods and query", "GET with query params")
    page.get_by_role("tab", name="Scripts").click()
    # the text areas carry the code editor (CodeMirror); typing goes through it, as a person types
    expect(page.locator("#panel-scripts .CodeMirror")).to_have_count(2)
    set_script(page, "script_prerequest", "pm.request.headers.upsert({ key: 'X-From-Script', value: 'yes' });")
    set_script(page, "script_test", TEST_SCRIPT)
    send(page)
    tests_tab = page.get_by_role("tab", name="Tests 1/2")
    expect(tests_tab).to_be_visible()
    tests_tab.click()
    panel = page.locator("#panel-res-tests")
    expect(panel).to_contain_text("1 passed · 1 failed")
    expect(panel.locator(".test-results li.pass")).to_contain_text("status is 200")
    expect(panel.locator(".test-results li.fail")).to_have_text("✗ echoes the color expected [ 'blue' ] to deeply equal [ 'red' ]")
    expect(panel.locator(".script-console")).to_contain_text("log: checked 200")
    screenshot(page, "scripts-01-tests-tab")
    page.locator("#tab-res-body").click()
    expect(page.locator("#body-pretty")).to_contain_text("X-From-Script")

    page.get_by_role("button", name="Toggle dark mode").first.click()
    page.get_by_role("tab", name="Tests 1/2").click()
    screenshot(page, "scripts-02-tests-tab-dark")
    page.set_viewport_size(NARROW)
    screenshot(page, "scripts-03-tests-tab-narrow-dark", full_page=True)
    page.get_by_role("tab", name="Scripts").click()
    screenshot(page, "scripts-04-scripts-tab-narrow-dark", full_page=True)
    page.set_viewport_size(WIDE)

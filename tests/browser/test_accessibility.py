"""axe-core (vendored under tests/browser/vendor/, MPL-2.0) on the main pages, light and dark:
no serious or critical violations. Also the keyboard path: URL field first, tab strips with
arrow keys, the shortcut sheet, and error kinds said as sentences."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.test_request_builder import open_tour_request, send, sign_up
from tests.fixtures.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()


def serious_violations(page: Any) -> list[str]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE)  # evaluated through the DevTools protocol: no inline script in our origin
    violations = page.evaluate("""async () => (await axe.run(document, {resultTypes: ["violations"]})).violations""")
    found = []
    for violation in violations:
        if violation["impact"] in ("serious", "critical"):
            targets = [" ".join(node["target"]) + " " + node["failureSummary"].splitlines()[-1].strip()
                       for node in violation["nodes"][:4]]
            found.append(f"{violation['id']} ({violation['impact']}): {violation['help']} at {targets}")
    return found


def check_both_themes(page: Any, where: str) -> list[str]:
    problems = []
    for theme in ("light", "dark"):
        page.evaluate(f"document.documentElement.dataset.theme = '{theme}'")
        problems += [f"{where} [{theme}] {v}" for v in serious_violations(page)]
    return problems


def test_main_pages_have_no_serious_axe_violations_in_light_and_dark(page: Any, live_server: Any, closed_port: int) -> None:
    page.goto("/")
    problems = check_both_themes(page, "sign-up")
    sign_up(page, "axel")
    problems += check_both_themes(page, "workspace, empty")

    open_tour_request(page, "1 · Methods and query", "GET with query params")
    send(page)
    problems += check_both_themes(page, "workspace, JSON response")
    for name in ("Headers", "Body", "Auth", "Settings"):
        page.locator("#editor-tabs").get_by_role("tab", name=re.compile("^" + name)).click()
        problems += check_both_themes(page, f"editor {name} tab")
    page.locator("#editor-tabs").get_by_role("tab", name=re.compile("^Tests")).click()
    expect(page.locator("#assertions-table")).to_be_visible()
    # a passed and a failed assertion tried against the response: both readable in both themes
    for expected in ("200", "404"):
        page.get_by_role("button", name="+ Assertion").click()
        page.locator("#assertions-table tbody tr").last.get_by_label("Expected").fill(expected)
    expect(page.locator("#assertions-table tbody tr").first.get_by_label("Operator")).to_contain_text("equals")
    page.get_by_role("button", name="Try against the last response").click()
    expect(page.locator("#tests-preview-results li.ok")).to_have_count(1)
    expect(page.locator("#tests-preview-results li.bad")).to_have_count(1)
    problems += check_both_themes(page, "editor Tests tab")

    page.get_by_label("URL", exact=True).fill(f"http://127.0.0.1:{closed_port}/x")
    send(page)
    problems += check_both_themes(page, "workspace, error")

    page.get_by_role("tablist", name="Sidebar sections").get_by_role("tab", name="History").click()
    problems += check_both_themes(page, "history")
    page.get_by_role("tablist", name="Sidebar sections").get_by_role("tab", name="Environments").click()
    problems += check_both_themes(page, "environments")

    page.keyboard.press("Escape")
    page.locator("body").press("?")
    expect(page.locator("#shortcuts-dialog")).to_be_visible()
    problems += check_both_themes(page, "shortcut sheet")

    workspace_url = page.url
    for section in ("runs", "members", "activity", "settings"):
        page.goto(re.sub(r"(/w/\d+/).*", r"\g<1>" + section + "/", workspace_url))
        problems += check_both_themes(page, section)
    assert problems == [], "\n".join(problems)
    assert page.errors == []


def test_keyboard_reaches_the_url_first_moves_through_tabs_with_arrows_and_lists_shortcuts(page: Any, live_server: Any, closed_port: int) -> None:
    sign_up(page, "kiki")
    page.reload()
    expect(page.get_by_label("URL", exact=True)).to_be_focused()
    # the placeholder names this server's own address, not a port it may not run on
    expect(page.get_by_label("URL", exact=True)).to_have_attribute("placeholder", f"{live_server.url}/echo/anything")

    # a skip link is the first stop for those who Tab from the top
    workspace_url = page.url
    page.goto("about:blank")
    page.goto(workspace_url + "#start")  # an address with a fragment: no autofocus, focus starts at the top
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to the URL field")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_label("URL", exact=True)).to_be_focused()

    # the editor's tab strip: one Tab stop, arrows move and select (ARIA tabs pattern)
    params = page.locator("#tab-params")
    params.focus()
    assert page.locator("#editor-tabs [role=tab][tabindex='0']").count() == 1
    page.keyboard.press("ArrowRight")
    expect(page.locator("#tab-headers")).to_be_focused()
    expect(page.locator("#tab-headers")).to_have_attribute("aria-selected", "true")
    expect(page.locator("#panel-headers")).to_be_visible()
    page.keyboard.press("End")
    expect(page.locator("#tab-code")).to_be_focused()
    page.keyboard.press("ArrowRight")
    expect(page.locator("#tab-params")).to_be_focused()
    expect(page.locator("#panel-params")).to_be_visible()
    page.keyboard.press("ArrowLeft")
    expect(page.locator("#tab-code")).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Home")
    expect(page.locator("#tab-params")).to_have_attribute("tabindex", "0")
    expect(page.locator("#tab-code")).to_have_attribute("tabindex", "-1")

    # "?" opens the sheet (not while typing in a field), "/" goes back to the URL
    page.get_by_label("URL", exact=True).press("?")
    expect(page.locator("#shortcuts-dialog")).to_have_count(0)
    params.focus()
    page.keyboard.press("?")
    sheet = page.locator("#shortcuts-dialog")
    expect(sheet).to_be_visible()
    for words in ("Send the request", "Save the request", "Cancel a request", "Go to the URL field", "Move between tabs"):
        expect(sheet).to_contain_text(words)
    screenshot(page, "comforts-shortcuts")
    page.keyboard.press("Escape")
    expect(sheet).to_have_count(0)
    page.keyboard.press("/")
    expect(page.get_by_label("URL", exact=True)).to_be_focused()

    # an error is a sentence, its code small beside it
    page.get_by_label("URL", exact=True).fill(f"http://127.0.0.1:{closed_port}/x")
    page.keyboard.press("Control+Enter")
    error = page.locator(".exchange-error")
    expect(error.locator(".error-title")).to_contain_text("Nothing answered at that address")
    expect(error.locator(".error-code")).to_have_text("refused")
    assert page.errors == []

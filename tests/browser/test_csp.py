"""Issue 13 item 9 in chromium: the app's pages run under the policy with no violation, and the
hook in tests/fixtures/browser.py (which every browser test uses) catches one when it happens."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.fixtures.accounts import PASSWORD
from tests.fixtures.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_the_violation_hook_sees_a_blocked_inline_script(page: Any, live_server: Any, db: None) -> None:
    page.goto("/login/")
    page.evaluate("""() => { const s = document.createElement('script'); s.textContent = 'window.ran = 1';
                           document.body.appendChild(s); }""")
    page.wait_for_timeout(200)
    assert page.evaluate("window.ran") is None  # the policy blocked it ...
    assert any("script-src" in v for v in page.csp_violations), page.csp_violations  # ... and the hook saw it
    page.csp_violations.clear()  # expected here; any other test fails on one


def test_the_workspace_runs_under_the_policy(page: Any, alice: Any, acme: Any, echo_server: Any) -> None:
    page.goto("/login/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#tree")).to_be_visible()
    page.locator("#request-form input[name=url]").fill(echo_server.url("/html"))
    page.locator("#request-form").get_by_role("button", name="Send").click()
    expect(page.locator("#response")).to_contain_text("200")
    page.get_by_role("tab", name="Code").click()
    expect(page.locator("#code-output")).to_contain_text("curl")
    page.locator("#environment-choice").select_option("")  # hx-vals from htmx-csp.js, no eval
    screenshot(page, "csp-workspace")
    assert page.errors == []

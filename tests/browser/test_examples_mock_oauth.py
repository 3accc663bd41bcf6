"""Saved examples, the mock server and an OAuth 2.0 authorization code, in Debian's chromium."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from requests_app.models import Example
from tests.browser.test_request_builder import open_tour_request, send, sign_up
from tests.browser.tree_rows import tree_menu
from tests.fixtures.browser import NARROW, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_save_a_response_as_an_example_and_call_the_mock(page: Any, live_server: Any) -> None:
    sign_up(page)
    open_tour_request(page, "1 · Methods and query", "GET with query params")
    send(page)
    expect(page.locator(".status-line")).to_have_text("HTTP/1.1 200 OK")
    page.locator("#save-example summary").click()  # a button first, the name box behind it
    expect(page.get_by_label("Example name")).to_have_value("200 response")
    page.get_by_label("Example name").fill("Blue shirts")
    # Saving reloads the (hidden) Examples panel; wait for that reload so it can't land later.
    with page.expect_response(re.compile(r"/requests/\d+/examples/$")):
        page.get_by_role("button", name="Save as example").click()
    expect(page.locator("#save-example")).to_contain_text("Saved as example “Blue shirts”")
    row = page.locator(".item.request", has_text="GET with query params")
    expect(row.locator(".example-count")).to_have_text("1 ex")

    # Showing the panel loads it once more: wait, or the card below is replaced (closed) in use.
    with page.expect_response(re.compile(r"/requests/\d+/examples/$")):
        page.locator("#editor").get_by_role("tab", name="Examples").click()
    card = page.locator(".example-card", has_text="Blue shirts")
    expect(card).to_be_visible()
    card.locator("summary").click()
    card.get_by_label("Mock delay (ms)").fill("20")
    page.locator("#tree").evaluate("(tree) => tree.dataset.before = 'save'")
    card.get_by_role("button", name="Save example").click()
    expect(page.locator("#examples-panel")).to_contain_text("Example saved.")
    expect(page.locator("#tree[data-before]")).to_have_count(0)  # the save reloads the tree: a menu opened before closes
    screenshot(page, "examples-01-tab")

    tree_menu(page, "HTTP tour").click()
    page.get_by_role("button", name="Mock server…").click()
    dialog = page.locator(".mock-dialog")
    dialog.get_by_label("Serve this collection as a mock").check()
    dialog.get_by_label(re.compile("^Address name")).fill("tour")
    dialog.get_by_role("button", name="Save").click()
    expect(page.locator("#mock-url")).to_have_text(f"{live_server.url}/mock/tour/")
    screenshot(page, "examples-02-mock-dialog")

    example = Example.objects.get(name="Blue shirts")
    answer = page.request.get(f"{live_server.url}/mock/tour/anything?color=blue&size=10")
    assert answer.status == 200
    assert answer.body() == example.body.encode("utf-8")
    missing = page.request.get(f"{live_server.url}/mock/tour/nothing-here")
    assert missing.status == 404 and missing.json()["candidates"][0]["path"] == "/anything"

    page.set_viewport_size(NARROW)
    page.emulate_media(color_scheme="dark")
    screenshot(page, "examples-03-mock-dialog-narrow-dark")


def test_get_an_oauth_token_by_authorization_code_in_the_browser(page: Any, live_server: Any, oauth_provider: Any) -> None:
    sign_up(page)
    open_tour_request(page, "1 · Methods and query", "GET with query params")
    page.get_by_label("URL", exact=True).fill(f"{live_server.url}/echo/bearer")
    page.locator("#editor").get_by_role("tab", name=re.compile("^Auth")).click()
    page.get_by_label("Auth type").select_option("oauth2")
    page.get_by_label("Grant type").select_option("authorization_code")
    page.get_by_label("Token URL").fill(oauth_provider.url("/o/token/"))
    page.get_by_label("Authorization URL").fill(oauth_provider.url("/o/authorize/"))
    page.get_by_label("Client id", exact=True).fill("wc-code")
    page.get_by_label("Client secret", exact=True).fill("code-secret")
    page.get_by_label("Scope").fill("read")
    page.get_by_role("button", name="Get new token").click()
    link = page.get_by_role("link", name="Sign in at the provider")
    expect(link).to_be_visible()
    expect(page.locator("#oauth-callback-url")).to_have_text(f"{live_server.url}/oauth/callback/")
    screenshot(page, "oauth-01-sign-in-link")

    with page.expect_popup() as popup_info:
        link.click()
    popup = popup_info.value
    popup.get_by_label("Username").fill("ada")
    popup.get_by_label("Password").fill("lovelace-pw")
    popup.get_by_role("button", name="Sign in").click()
    popup.get_by_role("button", name="Authorize").click()
    expect(popup.locator("#oauth-done")).to_contain_text("Token stored.")
    popup.close()

    page.get_by_role("button", name="Refresh").click()
    expect(page.locator("#oauth-token")).to_contain_text("expires in")
    expect(page.locator("#oauth-token")).to_contain_text("refreshed automatically")
    screenshot(page, "oauth-02-token-stored")
    send_and_expect_the_token_accepted(page)
    assert page.errors == []


def send_and_expect_the_token_accepted(page: Any) -> None:
    """Send the open request (to the live server's /echo/bearer, which asks the provider)."""
    send(page)
    expect(page.locator(".status-line")).to_have_text("HTTP/1.1 200 OK")
    expect(page.locator("#body-pretty")).to_contain_text('"authenticated": true')

"""The request builder in Debian's chromium: the path a new person takes, end to end.

Screenshots of each main state land in screenshots/ (git-ignored) to be looked at.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.tree_rows import tree_row
from tests.fixtures.browser import NARROW, WIDE, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "a-long-test-password-9"


def sign_up(page: Any, username: str = "dora") -> None:
    page.goto("/")
    expect(page.get_by_role("heading", name="Create the first account")).to_be_visible()
    screenshot(page, "01-first-account")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_role("button", name="Create the first account").click()
    expect(page.locator("#tree")).to_contain_text("HTTP tour")
    # The tree is in the HTML, so it shows before the deferred scripts (htmx, app.js) have run;
    # a click in between does nothing. The load event comes after them.
    page.wait_for_load_state("load")


def open_tour_request(page: Any, folder: str, name: str) -> None:
    tree_row(page, folder, "folder").click()
    open_request(page, name)


def open_request(page: Any, name: str) -> None:
    page.locator(".item.request", has_text=name).get_by_role("link").click()
    expect(page.locator("#request-name")).to_have_text(name)


def new_environment(page: Any, name: str, base_url: str) -> Any:
    """The + Environment dialog with its name and a baseUrl variable filled in, not saved yet."""
    page.get_by_role("tab", name="Environments").click()
    page.get_by_role("button", name="+ Environment").click()
    dialog = page.locator("dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Name").fill(name)
    dialog.locator('input[name="vars-0-key"]').fill("baseUrl")
    dialog.locator('input[name="vars-0-value"]').fill(base_url)
    return dialog


def send(page: Any) -> None:
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#work")).not_to_have_class(re.compile("htmx-request"))


def test_first_visit_to_saved_request_with_echoed_edits_environment_error_and_dark_mode(
    page: Any, live_server: Any, closed_port: int
) -> None:
    sign_up(page)
    screenshot(page, "02-workspace-empty-editor")

    # the tour's first request against the in-app playground
    open_tour_request(page, "1 · Methods and query", "GET with query params")
    expect(page.get_by_label("URL", exact=True)).to_have_value("{{baseUrl}}/anything?color=blue&size=10")
    send(page)
    status = page.locator(".status-line")
    expect(status).to_have_text("HTTP/1.1 200 OK")
    expect(status).to_have_attribute("title", re.compile("^OK — "))
    expect(page.locator("#body-pretty")).to_contain_text('"method": "GET"')
    expect(page.locator("#body-pretty .j-key").first).to_be_visible()
    screenshot(page, "03-response-json")

    # edit a query param in the table: the URL follows
    page.locator("#editor").get_by_role("tab", name=re.compile("^Params")).click()
    page.locator('input[name$="-value"][value="10"]').fill("42")
    expect(page.get_by_label("URL", exact=True)).to_have_value("{{baseUrl}}/anything?color=blue&size=42")
    # and a param typed into the URL shows up in the table
    page.get_by_label("URL", exact=True).fill("{{baseUrl}}/anything?color=blue&size=42&lang=fr")
    expect(page.locator('[data-kv-table="params"] input[name$="-key"]').nth(2)).to_have_value("lang")
    # add a header (the table grows a new empty row as you type)
    page.locator("#editor").get_by_role("tab", name=re.compile("^Headers")).click()
    headers = page.locator('[data-kv-table="headers"]')
    headers.locator('input[name$="-key"]').last.fill("X-Tour-Check")
    headers.locator('input[name$="-value"]').nth(-2).fill("echoed-back")
    expect(page.locator(".editor-head .dirty-mark")).to_be_visible()
    send(page)
    body = page.locator("#body-pretty")
    expect(body).to_contain_text('"X-Tour-Check"')
    expect(body).to_contain_text('"echoed-back"')
    expect(body).to_contain_text("size=42&lang=fr")

    # save with Ctrl+S, reload: the request comes back as saved, highlighted in the tree
    page.keyboard.press("Control+s")
    expect(page.locator(".editor-head .notice")).to_have_text("Saved.")
    page.reload()
    expect(page.get_by_label("URL", exact=True)).to_have_value("{{baseUrl}}/anything?color=blue&size=42&lang=fr")
    current = page.locator(".item.request.is-current")
    expect(current).to_contain_text("GET with query params")
    page.locator("#editor").get_by_role("tab", name=re.compile("^Headers")).click()
    expect(page.locator('[data-kv-table="headers"] input[value="X-Tour-Check"]')).to_be_visible()
    screenshot(page, "04-saved-and-reloaded")

    # an environment that points baseUrl at a closed port: the error is shown in place
    dialog = new_environment(page, "Nowhere", f"http://127.0.0.1:{closed_port}/echo")
    screenshot(page, "05-environment-dialog")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_be_hidden()
    page.get_by_label("Environment", exact=True).select_option(label="Nowhere")
    expect(page.locator("#environment-list .is-current")).to_contain_text("Nowhere")
    url_variable = page.locator(".url-field .var").first
    expect(url_variable).to_have_attribute("title", re.compile(f"127.0.0.1:{closed_port}.*environment “Nowhere”"))
    send(page)
    error = page.locator(".exchange-error")
    expect(error).to_contain_text("Nothing answered at that address")
    expect(error).to_contain_text("Is the server running? Is the port right?")
    screenshot(page, "06-refused-error")

    # back to no environment: the collection's baseUrl answers again; history lists all sends
    page.get_by_label("Environment", exact=True).select_option(label="No environment")
    send(page)
    expect(page.locator(".status-line")).to_have_text("HTTP/1.1 200 OK")
    page.get_by_role("tablist", name="Sidebar sections").get_by_role("tab", name="History").click()
    expect(page.locator("#history-list .history-item")).to_have_count(4)

    # dark mode, remembered across a reload
    page.get_by_role("button", name="Toggle dark mode").first.click()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    page.get_by_role("tab", name="Collections").click()
    screenshot(page, "07-dark")
    page.reload()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")

    # a narrow window stacks the panes
    page.set_viewport_size(NARROW)
    screenshot(page, "08-narrow-dark", full_page=True)
    page.set_viewport_size(WIDE)
    assert page.errors == []


def test_response_viewer_shows_status_classes_html_preview_sandboxed_and_images(page: Any, live_server: Any) -> None:
    sign_up(page, "erin")
    open_tour_request(page, "3 · Status codes", "404 Not Found")
    send(page)
    status = page.locator(".status-line")
    expect(status).to_have_text("HTTP/1.1 404 Not Found")
    expect(status).to_have_class(re.compile("s4xx"))
    # the reason phrase is said once: no second badge repeating it
    expect(page.locator(".status-name")).to_have_count(0)
    expect(page.locator(".status-bar")).not_to_contain_text("NOT_FOUND")
    screenshot(page, "09-status-404")

    open_tour_request(page, "5 · Encodings, auth and media", "An HTML page")
    send(page)
    page.get_by_role("tab", name="Preview").click()
    frame = page.locator("#body-preview iframe")
    expect(frame).to_have_attribute("sandbox", "")
    assert "<" in frame.get_attribute("srcdoc")
    screenshot(page, "10-html-preview")
    page.locator("#body-view-tabs").get_by_role("tab", name="Raw").click()
    page.get_by_label("Search the body").fill("ishmael")
    expect(page.locator(".search-count")).to_have_text("1 match")
    expect(page.locator("#body-raw mark.hit")).to_have_text("Ishmael")

    # an unknown {{variable}} is marked; a known one shows its value and scope on hover
    page.get_by_label("URL", exact=True).fill("{{baseUrl}}/html?x={{nope}}")
    expect(page.locator(".url-field .var-unknown")).to_have_text("{{nope}}")
    expect(page.locator(".url-field .var-known")).to_have_attribute("title", re.compile("collection “HTTP tour”"))
    page.get_by_label("Method", exact=True).select_option("__custom__")
    expect(page.get_by_label("Custom method")).to_be_visible()

    open_request(page, "A PNG image")
    send(page)
    image = page.locator("#body-image img")
    expect(image).to_be_visible()
    assert image.get_attribute("src").startswith("data:image/png;base64,")
    assert page.evaluate("document.querySelector('#body-image img').naturalWidth") > 0

    open_request(page, "gzip-compressed response")
    send(page)
    expect(page.locator(".status-bar")).to_contain_text("decoded")
    page.locator("#response-tabs").get_by_role("tab", name="Raw").click()
    expect(page.locator("#panel-res-raw")).to_contain_text("Content-Encoding: gzip")
    screenshot(page, "11-raw-tab")

    # a slow request shows progress and Cancel; Escape cancels it
    page.get_by_label("URL", exact=True).fill("{{baseUrl}}/delay/3")
    page.get_by_role("button", name="Send").click()
    cancel = page.get_by_role("button", name="Cancel")
    expect(cancel).to_be_visible()
    expect(page.locator(".busy-overlay")).to_be_visible()
    screenshot(page, "12-sending")
    page.keyboard.press("Escape")
    expect(page.locator("#response")).to_contain_text("Cancelled")
    expect(cancel).to_be_hidden()
    assert page.errors == []

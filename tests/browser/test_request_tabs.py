"""Request tabs: several requests open at once, each keeping its unsaved edits and its last
response, restored after a reload; middle-click and × close, "Close others", a dirty mark."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.test_request_builder import open_request, open_tour_request, send, sign_up
from tests.fixtures.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def tab(page: Any, name: str) -> Any:
    return page.locator("#request-tabs .rtab", has=page.get_by_role("tab", name=re.compile(re.escape(name))))


def test_tabs_keep_edits_and_responses_across_switches_and_a_reload(page: Any, live_server: Any) -> None:
    sign_up(page, "tabitha")
    url = page.get_by_label("URL", exact=True)
    open_tour_request(page, "1 · Methods and query", "GET with query params")
    send(page)
    expect(page.locator("#body-pretty")).to_contain_text('size=10')
    url.fill("{{baseUrl}}/anything?color=red")  # unsaved edit in the first tab
    expect(tab(page, "GET with query params").locator(".dirty-mark")).to_be_visible()

    open_request(page, "Send headers")
    expect(page.locator("#request-tabs [role=tab]")).to_have_count(2)
    expect(page.locator(".response-empty")).to_be_visible()  # the second tab has no response yet
    send(page)
    expect(page.locator(".status-line")).to_have_text("HTTP/1.1 200 OK")

    # back to the first tab: its edit and its response are there
    tab(page, "GET with query params").get_by_role("tab").click()
    expect(url).to_have_value("{{baseUrl}}/anything?color=red")
    expect(page.locator("#body-pretty")).to_contain_text('size=10')
    expect(page.locator(".editor-head .dirty-mark")).to_be_visible()
    # clicking the open request in the tree goes to its tab (edits kept), not a fresh copy
    open_request(page, "Send headers")
    expect(page.locator("#request-tabs [role=tab]")).to_have_count(2)
    page.locator(".item.request", has_text="GET with query params").get_by_role("link").click()
    expect(url).to_have_value("{{baseUrl}}/anything?color=red")
    screenshot(page, "comforts-tabs")

    # a reload brings both back, the current one with its unsaved edit and response
    page.reload()
    expect(page.locator("#request-tabs [role=tab]")).to_have_count(2)
    expect(url).to_have_value("{{baseUrl}}/anything?color=red")
    expect(page.locator("#body-pretty")).to_contain_text('size=10')
    expect(tab(page, "GET with query params").get_by_role("tab")).to_have_attribute("aria-selected", "true")
    tab(page, "Send headers").get_by_role("tab").click()
    expect(page.locator("#request-name")).to_have_text("Send headers")
    expect(page.locator(".status-line")).to_have_text("HTTP/1.1 200 OK")

    # a new tab (Alt+T), then middle-click closes it; the sheet lists the keys
    page.keyboard.press("Alt+t")
    expect(page.locator("#request-tabs [role=tab]")).to_have_count(3)
    expect(page.locator("#request-name")).to_have_text("Untitled request")
    expect(url).to_have_value("")
    tab(page, "Untitled request").click(button="middle")
    expect(page.locator("#request-tabs [role=tab]")).to_have_count(2)

    # closing a tab with unsaved edits asks first; "Close others" keeps only the current one
    messages: list[str] = []
    answer = {"accept": False}

    def on_dialog(dialog: Any) -> None:
        messages.append(dialog.message)
        dialog.accept() if answer["accept"] else dialog.dismiss()

    page.on("dialog", on_dialog)
    tab(page, "GET with query params").locator(".rtab-close").click()
    assert messages and "unsaved changes" in messages[0]
    expect(page.locator("#request-tabs [role=tab]")).to_have_count(2)
    tab(page, "Send headers").get_by_role("tab").click()
    answer["accept"] = True
    page.get_by_role("button", name="Close others").click()
    expect(page.locator("#request-tabs [role=tab]")).to_have_count(1)
    expect(page.locator("#request-name")).to_have_text("Send headers")
    assert page.errors == []


def test_reloading_their_version_after_a_conflict_refreshes_the_same_tab(page: Any, live_server: Any) -> None:
    from django.db.models import F

    from requests_app.models import SavedRequest

    sign_up(page, "conny")
    open_tour_request(page, "1 · Methods and query", "GET with query params")
    page.get_by_label("URL", exact=True).fill("{{baseUrl}}/anything?mine=1")
    # someone else saves first
    SavedRequest.objects.filter(name="GET with query params").update(url="{{baseUrl}}/anything?theirs=1", version=F("version") + 1)
    page.get_by_role("button", name="Save", exact=True).click()
    reload = page.locator("#conflict-reload")
    expect(reload).to_be_visible()
    reload.click()
    expect(page.get_by_label("URL", exact=True)).to_have_value("{{baseUrl}}/anything?theirs=1")
    expect(page.locator("#request-tabs [role=tab]")).to_have_count(1)
    expect(tab(page, "GET with query params").locator(".dirty-mark")).to_have_count(0)
    page.reload()
    expect(page.get_by_label("URL", exact=True)).to_have_value("{{baseUrl}}/anything?theirs=1")
    assert page.errors == []

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


IN_VIEW = """() => {
      const list = document.querySelector('#request-tabs .rtab-list').getBoundingClientRect();
      const tab = document.querySelector('#request-tabs .rtab.is-active').getBoundingClientRect();
      return tab.left >= list.left - 1 && tab.right <= list.right + 1;
    }"""


def active_tab_in_view(page: Any) -> bool:
    """The active tab lies whole inside the strip's visible part (the list scrolls sideways)."""
    page.wait_for_function(IN_VIEW, timeout=3000)
    return True


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_many_tabs_keep_the_active_one_in_view_and_list_the_hidden_ones(page: Any, live_server: Any, theme: str) -> None:
    page.emulate_media(color_scheme=theme)
    page.set_viewport_size({"width": 1400, "height": 900})
    sign_up(page, "manytabs")
    open_tour_request(page, "1 · Methods and query", "GET with query params")
    page.get_by_label("URL", exact=True).fill("{{baseUrl}}/anything?dirty=1")  # this first tab has unsaved edits
    for name in ("HEAD: headers only", "Custom method", "Send headers"):
        open_request(page, name)
    open_tour_request(page, "2 · Sending data", "POST JSON")
    for name in ("POST a form (urlencoded)", "POST multipart with a file", "PUT: replace"):
        open_request(page, name)
    expect(page.locator("#request-tabs [role=tab]")).to_have_count(8)
    assert active_tab_in_view(page)
    strip = page.locator("#request-tabs")
    expect(strip).to_have_class(re.compile("more-before"))
    # "⌄ n more": the dirty first tab is out of sight, and the hint says so
    more = strip.locator(".rtab-more > summary")
    expect(more).to_be_visible()
    expect(more).to_contain_text(re.compile(r"\d+ more"))
    expect(more.locator(".dirty-mark")).to_be_visible()
    # the "+" sits after the strip, not over its last tab
    list_box, plus = strip.locator(".rtab-list").bounding_box(), strip.locator(".rtab-new").bounding_box()
    assert plus["x"] >= list_box["x"] + list_box["width"], (list_box, plus)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1400
    screenshot(page, f"tabs-overflow-1400-{theme}")
    more.click()
    entries = strip.locator(".rtab-more-items button")
    expect(entries).to_have_count(8)
    expect(entries.first).to_contain_text("GET with query params")
    expect(entries.first.locator(".dirty-mark")).to_be_visible()
    screenshot(page, f"tabs-more-list-1400-{theme}")
    entries.first.click()
    expect(page.locator("#request-name")).to_have_text("GET with query params")
    expect(page.locator(".rtab-more")).not_to_have_attribute("open", "")
    expect(tab(page, "GET with query params").get_by_role("tab")).to_have_attribute("aria-selected", "true")
    assert active_tab_in_view(page)

    # a layout change (sidebar back, a phone's width) and a reload keep the active tab in sight
    open_request(page, "POST JSON")
    page.set_viewport_size({"width": 390, "height": 844})
    assert active_tab_in_view(page)
    page.reload()
    expect(page.locator("#request-tabs [role=tab]")).to_have_count(8)
    assert active_tab_in_view(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, f"tabs-overflow-390-{theme}")
    assert page.errors == []

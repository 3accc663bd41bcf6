"""The ⋯ row menus and the topbar menus as menu buttons (WAI-ARIA): ArrowDown opens on the first
entry, arrows/Home/End move, Escape closes and gives the focus back, Tab out or another menu
closes it, the sidebar hiding closes its menus; no menu reaches past the window's edge."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.test_request_builder import sign_up
from tests.browser.tree_rows import tree_menu, tree_node, tree_row
from tests.fixtures.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = {"width": 390, "height": 844}
TOUR = "HTTP tour"
FOLDER = "1 · Methods and query"


def page_width(page: Any) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_a_rows_menu_opens_moves_and_closes_with_the_keys_without_moving_the_tree(page: Any, live_server: Any) -> None:
    sign_up(page, "menno")
    menu = tree_row(page, TOUR).locator("details.item-menu")
    summary = tree_menu(page, TOUR)
    entries = menu.locator(".menu-items").locator("a[href], button")
    summary.focus()
    page.keyboard.press("ArrowDown")
    expect(menu).to_have_attribute("open", "")
    expect(entries.first).to_be_focused()
    expect(entries.first).to_have_text("Settings…")
    page.keyboard.press("ArrowDown")
    expect(entries.nth(1)).to_be_focused()
    page.keyboard.press("End")
    expect(entries.last).to_be_focused()
    expect(entries.last).to_have_text("Delete")
    page.keyboard.press("ArrowDown")  # round to the first
    expect(entries.first).to_be_focused()
    page.keyboard.press("ArrowUp")
    expect(entries.last).to_be_focused()
    page.keyboard.press("Home")
    expect(entries.first).to_be_focused()
    screenshot(page, "menus-row-keys-1400")
    # Escape: closed, the focus back on its ⋯ button, the tree's rows where they were
    page.keyboard.press("Escape")
    expect(menu).not_to_have_attribute("open", "")
    expect(summary).to_be_focused()
    expect(tree_node(page, TOUR)).to_have_attribute("aria-expanded", "true")
    # ArrowUp on the button opens on the last entry; Tab out of the menu closes it
    page.keyboard.press("ArrowUp")
    expect(entries.last).to_be_focused()
    page.keyboard.press("Tab")
    expect(menu).not_to_have_attribute("open", "")

    # the tree's arrows still move between rows, and never open a menu
    tree_node(page, TOUR).focus()
    page.keyboard.press("ArrowDown")
    expect(tree_node(page, FOLDER, "folder")).to_be_focused()
    expect(page.locator("details[open]")).to_have_count(page.locator("details.auto-headers[open]").count())

    # opening one menu closes the other (the folder's hangs below the collection's row)
    folder_menu = tree_row(page, FOLDER, "folder").locator("details.item-menu")
    tree_menu(page, FOLDER, "folder").click()
    expect(folder_menu).to_have_attribute("open", "")
    tree_menu(page, TOUR).click()
    expect(folder_menu).not_to_have_attribute("open", "")
    expect(menu).to_have_attribute("open", "")
    # hiding the sidebar closes its menus: it comes back without one
    page.keyboard.press("Control+\\")
    expect(page.locator("#sidebar")).to_be_hidden()
    page.keyboard.press("Control+\\")
    expect(page.locator("#sidebar")).to_be_visible()
    expect(menu).not_to_have_attribute("open", "")
    assert page.errors == []


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_topbar_menus_take_the_keys_and_stay_inside_a_phone(page: Any, live_server: Any, theme: str) -> None:
    page.emulate_media(color_scheme=theme)
    sign_up(page, "al")  # a short workspace name: the Team menu's button ends the topbar's first row
    account = page.locator("details.menu", has=page.get_by_label("Account menu"))
    page.get_by_label("Account menu").focus()
    page.keyboard.press("ArrowDown")
    expect(account.get_by_role("link", name="API tokens")).to_be_focused()
    page.keyboard.press("End")
    expect(account.get_by_role("button", name="Sign out")).to_be_focused()
    page.keyboard.press("Escape")
    expect(account).not_to_have_attribute("open", "")
    expect(page.get_by_label("Account menu")).to_be_focused()

    page.set_viewport_size(PHONE)
    page.reload()
    page.get_by_label("Workspace menu").click()
    team = page.locator("details.workspace-menu .menu-items")
    expect(team).to_be_visible()
    box = team.bounding_box()
    screenshot(page, f"menus-team-390-{theme}")
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    assert page_width(page) <= PHONE["width"]
    # a row menu forgotten open while the sidebar hides (opening a request does that on a phone)
    page.get_by_role("button", name="Sidebar").click()
    tree_menu(page, TOUR).click()
    expect(page.locator("details.workspace-menu")).not_to_have_attribute("open", "")
    screenshot(page, f"menus-row-390-{theme}")
    page.get_by_role("button", name="Sidebar").click()
    expect(tree_row(page, TOUR).locator("details.item-menu")).not_to_have_attribute("open", "")
    assert page_width(page) <= PHONE["width"]
    assert page.errors == []

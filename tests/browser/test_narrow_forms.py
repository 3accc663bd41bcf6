"""Forms that must stay usable on a phone (390 px) and on a wide screen, light and dark: the
multipart body's rows, the environment dialog, the shortcut sheet, the response's cookies."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.test_accessibility import serious_violations
from tests.browser.test_request_builder import new_environment, open_tour_request, send, sign_up
from tests.fixtures.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1400, "height": 900}


def no_sideways_scroll(page: Any) -> None:
    width = page.viewport_size["width"]
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"the page scrolls sideways: {scroll} px wide at {width} px"


def width_of(locator: Any) -> float:
    return locator.bounding_box()["width"]


def on_phone(page: Any) -> None:
    page.set_viewport_size(PHONE)
    page.reload()
    page.wait_for_load_state("load")


def open_from_tour(page: Any, folder: str, name: str) -> None:
    if page.get_by_role("button", name="Sidebar").is_visible() and not page.locator("#sidebar").is_visible():
        page.get_by_role("button", name="Sidebar").click()
    open_tour_request(page, folder, name)


def both_themes(page: Any, name: str) -> None:
    """Screenshots of the page as it is, light then dark, back to light; axe finds nothing
    serious in either (contrast included)."""
    problems = []
    for theme in ("light", "dark"):
        page.evaluate(f"document.documentElement.dataset.theme = '{theme}'")
        screenshot(page, f"{name}-{theme}")
        problems += [f"{name} [{theme}] {v}" for v in serious_violations(page)]
    page.evaluate("document.documentElement.dataset.theme = 'light'")
    assert problems == [], "\n".join(problems)


def test_multipart_rows_fit_a_phone_and_show_a_stored_file_without_native_chooser(page: Any, live_server: Any) -> None:
    sign_up(page, "mabel")
    on_phone(page)
    open_from_tour(page, "2 · Sending data", "POST multipart with a file")
    page.locator("#editor-tabs").get_by_role("tab", name=re.compile("^Body")).click()
    table = page.locator('[data-kv-table="multipart"]')
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(3)
    no_sideways_scroll(page)
    text_row, file_row, empty_row = rows.nth(0), rows.nth(1), rows.nth(2)
    # key and value get room to type in: at least half the screen each, one above the other
    assert width_of(text_row.get_by_label("Key")) >= 200
    assert width_of(text_row.get_by_label("Value", exact=True)) >= 180
    assert width_of(file_row.get_by_label("Key")) >= 200
    # a text row shows no file control; the file row its stored file and Replace…, not the browser's chooser
    expect(text_row.get_by_label("Type")).to_have_value("text")
    expect(text_row.locator(".file-upload")).to_be_hidden()
    expect(file_row.get_by_label("Type")).to_have_value("file")
    expect(file_row.get_by_label("Value", exact=True)).to_be_hidden()
    expect(file_row.locator("[data-file-name]")).to_have_text("hello.txt (13 B)")
    expect(file_row.locator(".file-pick")).to_have_text("Replace…")
    native = file_row.locator('input[type="file"]')
    assert width_of(native) <= 1  # visually hidden, reachable by keyboard through its label
    expect(native).to_have_accessible_name("Replace hello.txt")
    box, screen = file_row.locator(".file-pick").bounding_box(), PHONE["width"]
    assert box["x"] + box["width"] <= screen
    # a new row turns into a file row with its Type
    empty_row.get_by_label("Type").select_option("file")
    expect(empty_row.locator(".file-upload")).to_be_visible()
    expect(empty_row.locator(".file-pick")).to_have_text("Choose file…")
    empty_row.get_by_label("Type").select_option("text")
    # a {{variable}} in a value is marked where it is typed
    text_row.get_by_label("Value", exact=True).fill("{{baseUrl}}/x")
    mark, field = text_row.locator(".var").first, text_row.get_by_label("Value", exact=True)
    expect(mark).to_have_text("{{baseUrl}}")
    offset = mark.bounding_box()["x"] - field.bounding_box()["x"]
    assert 6 <= offset <= 10, f"the variable's mark is {offset} px into its field"
    text_row.get_by_label("Value", exact=True).fill("notes")
    both_themes(page, "forms-multipart-390")
    no_sideways_scroll(page)

    # sent without choosing a file: the stored one goes; saved and reloaded, it is still there
    send(page)
    echoed = page.locator("#body-raw-text")
    expect(echoed).to_contain_text("hello.txt")
    page.keyboard.press("Control+s")
    expect(page.locator(".editor-head .notice")).to_have_text("Saved.")
    page.reload()
    page.locator("#editor-tabs").get_by_role("tab", name=re.compile("^Body")).click()
    expect(rows.nth(1).locator("[data-file-name]")).to_have_text("hello.txt (13 B)")

    # a chosen file's name replaces the stored one's, and is what gets sent
    rows.nth(1).locator('input[type="file"]').set_input_files(
        files=[{"name": "notes.md", "mimeType": "text/markdown", "buffer": b"# notes\n"}]
    )
    shown = rows.nth(1).locator(".file-upload .file-name:visible")
    expect(shown).to_have_text("notes.md (8 B)")
    expect(rows.nth(1).locator('input[type="file"]')).to_have_accessible_name("Replace notes.md")
    send(page)
    expect(echoed).to_contain_text("notes.md")
    # the choice taken back (as a cancelled file dialog does): the stored file shows again
    rows.nth(1).locator('input[type="file"]').set_input_files(files=[])
    expect(shown).to_have_text("hello.txt (13 B)")
    expect(rows.nth(1).locator(".file-pick")).to_have_text("Replace…")

    # the same rows on a wide screen: a table with Key, Type, Value columns
    page.set_viewport_size(DESKTOP)
    expect(table.locator("thead")).to_be_visible()
    assert width_of(rows.nth(0).get_by_label("Value")) >= 500
    name_box, pick_box = rows.nth(1).locator(".file-name:visible").bounding_box(), rows.nth(1).locator(".file-pick").bounding_box()
    assert abs((name_box["y"] + name_box["height"] / 2) - (pick_box["y"] + pick_box["height"] / 2)) < 2  # on one line
    both_themes(page, "forms-multipart-1400")
    assert page.errors == []


def test_shortcut_sheet_on_a_phone_puts_keys_above_what_they_do(page: Any, live_server: Any) -> None:
    sign_up(page, "shona")
    on_phone(page)
    page.locator("body").press("?")
    sheet = page.locator("#shortcuts-dialog")
    expect(sheet).to_be_visible()
    row = sheet.locator("tbody tr", has_text="Move between tabs of a tab strip")
    keys, words = row.locator("td").nth(0).bounding_box(), row.locator("td").nth(1).bounding_box()
    assert words["y"] >= keys["y"] + keys["height"] - 1  # below, not beside
    assert words["width"] >= 250  # a line of words, not one word a line
    assert row.locator("td").nth(1).evaluate("(td) => td.getClientRects().length && td.offsetHeight") <= 3 * 21
    no_sideways_scroll(page)
    both_themes(page, "forms-shortcuts-390")
    page.set_viewport_size(DESKTOP)
    keys, words = row.locator("td").nth(0).bounding_box(), row.locator("td").nth(1).bounding_box()
    assert abs(words["y"] - keys["y"]) < 2  # side by side on a wide screen
    both_themes(page, "forms-shortcuts-1400")
    assert page.errors == []


def open_new_environment(page: Any) -> Any:
    if not page.locator("#sidebar").is_visible():
        page.get_by_role("button", name="Sidebar").click()
    return new_environment(page, "Staging with a rather long environment name", "https://staging.example.com/api/v1/with/a/long/path")


def test_environment_dialog_gives_the_value_the_room_and_stacks_on_a_phone(page: Any, live_server: Any) -> None:
    sign_up(page, "enid")
    page.set_viewport_size(DESKTOP)
    dialog = open_new_environment(page)
    row = dialog.locator("tbody tr").first
    value, key, hosts = row.get_by_label("Value", exact=True), row.get_by_label("Variable", exact=True), row.get_by_label("Allowed hosts")
    assert width_of(value) > width_of(key) + 40 and width_of(value) > width_of(hosts) + 40
    header = dialog.locator("th", has_text="Allowed hosts")
    assert header.bounding_box()["height"] < 24  # one line
    assert hosts.get_attribute("placeholder")
    both_themes(page, "forms-environment-1400")

    on_phone(page)
    dialog = open_new_environment(page)
    row = dialog.locator("tbody tr").first
    no_sideways_scroll(page)
    assert width_of(row.get_by_label("Value", exact=True)) >= 250
    assert width_of(row.get_by_label("Variable", exact=True)) >= 200
    assert width_of(row.get_by_label("Allowed hosts")) >= 150
    expect(row.locator(".env-stacked-label")).to_be_visible()
    for field in (row.get_by_label("Value", exact=True), row.get_by_label("Allowed hosts"), row.get_by_label("Remove variable")):
        box = field.bounding_box()
        assert box["x"] + box["width"] <= PHONE["width"]
    both_themes(page, "forms-environment-390")
    secret = dialog.locator("tbody tr").nth(1)
    secret.get_by_label("Variable", exact=True).fill("token")
    secret.get_by_label("Value", exact=True).fill("s3cret-value")
    secret.get_by_label("Secret").check()
    secret.get_by_label("Allowed hosts").fill("api.example.com")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_be_hidden()

    # opened again: the secret masked with its Reveal button, all inside the screen
    page.locator("#environment-list .item-link").first.click()
    expect(dialog).to_be_visible()
    secret = dialog.locator("tbody tr").nth(1)
    expect(secret.get_by_role("button", name="Reveal")).to_be_visible()
    no_sideways_scroll(page)
    inside = dialog.bounding_box()
    actions = [dialog.get_by_role("button", name=name, exact=True) for name in ("History", "Use this environment", "Save")]
    for field in (secret.get_by_label("Value", exact=True), secret.get_by_role("button", name="Reveal"), secret.get_by_label("Allowed hosts"), *actions):
        box = field.bounding_box()
        assert inside["x"] < box["x"] and box["x"] + box["width"] < inside["x"] + inside["width"]
    both_themes(page, "forms-environment-secret-390")
    page.set_viewport_size(DESKTOP)
    assert width_of(secret.get_by_label("Value", exact=True)) > width_of(secret.get_by_label("Allowed hosts"))
    both_themes(page, "forms-environment-secret-1400")
    assert page.errors == []


def test_response_cookies_give_the_value_room_and_name_the_host_as_the_jar_does(page: Any, live_server: Any) -> None:
    sign_up(page, "cookie")
    page.set_viewport_size(DESKTOP)
    open_from_tour(page, "4 · Redirects and cookies", "Set a cookie")
    send(page)
    page.locator("#response-tabs").get_by_role("tab", name=re.compile("^Cookies")).click()
    table = page.locator(".cookies-table")
    flavor = table.locator("tbody tr").first
    expect(flavor.locator("td").first).to_have_text("flavor")
    value, name, set_by = flavor.locator(".c-value"), flavor.locator("td").first, flavor.locator(".set-by")
    expect(value).to_have_text("oatmeal")
    # one line: "oatmeal" is not broken mid-word, and the URL that set it does not take the room
    assert value.bounding_box()["height"] <= name.bounding_box()["height"] + 1
    assert value.evaluate("(td) => td.scrollWidth <= td.clientWidth")
    assert width_of(set_by) <= 0.3 * width_of(table)
    assert table.locator("th", has_text="Max-Age").bounding_box()["height"] < 36  # one line
    expect(flavor.locator("td").nth(2)).to_have_text("localhost")
    both_themes(page, "forms-cookies-1400")

    # the jar names the same host, and says what it keeps it as (what it matches requests on)
    page.get_by_role("button", name="Cookies", exact=True).click()
    jar = page.locator("#cookie-jar")
    heading = jar.locator(".cookie-domain h3").first
    expect(heading).to_contain_text(re.compile(r"^localhost kept in the jar as localhost\.local$"))
    expect(heading.locator(".jar-key")).to_have_attribute("title", re.compile("matches requests on it"))
    both_themes(page, "forms-cookie-jar-1400")
    # edited, it reads localhost too, and stays the one cookie the jar sends to localhost
    jar.get_by_role("button", name="Edit cookie flavor of localhost").click()
    expect(jar.get_by_label("Domain")).to_have_value("localhost")
    jar.get_by_label("Value").fill("ginger")
    jar.get_by_role("button", name="Save cookie").click()
    expect(jar.locator(".c-value", has_text="ginger")).to_be_visible()
    expect(jar.locator(".cookie-domain")).to_have_count(1)
    expect(jar.locator(".cookie-domain tbody tr")).to_have_count(2)
    jar.get_by_role("button", name="Close").click()

    on_phone(page)
    page.locator("#response-tabs").get_by_role("tab", name=re.compile("^Cookies")).click()
    expect(table).to_be_visible()
    no_sideways_scroll(page)
    assert page.locator(".table-scroll").evaluate("(box) => box.scrollWidth > box.clientWidth")  # scrolls in place
    both_themes(page, "forms-cookies-390")
    page.get_by_role("button", name="Cookies", exact=True).click()
    expect(jar.locator(".cookie-domain h3").first).to_contain_text("localhost")
    # each cookie in three lines (name and its buttons, value, path · expires · flags), nothing
    # off to the side of the dialog
    jar_value = jar.locator(".c-value", has_text="ginger")
    row = jar.locator(".cookie-domain tbody tr", has_text="ginger")
    assert jar_value.bounding_box()["y"] > row.locator(".c-name").bounding_box()["y"]
    expect(row.get_by_role("button", name="Edit cookie flavor of localhost")).to_be_in_viewport()
    assert jar.evaluate("(box) => box.closest('dialog').scrollWidth <= box.closest('dialog').clientWidth")
    for cell in (row.locator(".c-value"), row.locator(".c-path"), row.locator(".c-flags")):
        box = cell.bounding_box()
        assert box["x"] + box["width"] <= jar.bounding_box()["x"] + jar.bounding_box()["width"] + 1
    no_sideways_scroll(page)
    both_themes(page, "forms-cookie-jar-390")
    assert page.errors == []


def test_binary_body_shows_the_stored_body_with_replace_not_the_native_chooser(page: Any, live_server: Any) -> None:
    sign_up(page, "bina")
    page.set_viewport_size(DESKTOP)
    page.get_by_label("Method", exact=True).select_option("POST")
    page.get_by_label("URL", exact=True).fill(f"{live_server.url}/echo/anything")
    page.locator("#editor-tabs").get_by_role("tab", name=re.compile("^Body")).click()
    page.get_by_label("Binary file", exact=True).check()
    upload = page.locator(".body-binary .file-upload")
    expect(upload.locator(".file-name:visible")).to_have_text("No file chosen yet")
    expect(upload.locator(".file-pick")).to_have_text("Choose file…")
    upload.locator('input[type="file"]').set_input_files(files=[{"name": "blob.bin", "mimeType": "application/octet-stream", "buffer": b"\x00\x01\x02"}])
    expect(upload.locator(".file-name:visible")).to_have_text("blob.bin (3 B)")
    expect(upload.locator(".file-pick")).to_have_text("Replace…")
    assert width_of(upload.locator('input[type="file"]')) <= 1
    both_themes(page, "forms-binary-1400")
    send(page)
    expect(page.locator("#body-raw-text")).to_contain_text('"Content-Length", "3"')
    on_phone(page)
    no_sideways_scroll(page)
    assert page.errors == []

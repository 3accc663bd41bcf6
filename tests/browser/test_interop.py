"""Import a curl command in the browser, open what it made, send it; the Code tab and Copy as cURL.

Screenshots (git-ignored) of the Import dialog, its report and the Code panel land in screenshots/.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.test_request_builder import send, sign_up
from tests.browser.tree_rows import tree_menu, tree_node, tree_row
from tests.fixtures.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_paste_a_curl_command_see_the_report_open_and_send_it_then_read_its_code(page: Any, live_server: Any) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    sign_up(page, "ines")
    command = (
        f"curl -X POST '{live_server.url}/echo/anything?from=import' \\\n"
        "  -H 'X-Imported: yes' \\\n"
        "  -H 'Content-Type: application/json' \\\n"
        "  --data-raw '{\"color\": \"blue\"}' --compressed -s"
    )

    # the dialog: paste, the format is recognised, import, the report
    page.get_by_role("button", name="Import", exact=True).click()
    dialog = page.locator("dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Paste text").fill(command)
    expect(dialog.locator("#import-detected")).to_have_text("Detected: cURL command")
    screenshot(page, "20-import-dialog")
    dialog.get_by_role("button", name="Import", exact=True).click()
    expect(dialog.get_by_role("heading", name="Import finished")).to_be_visible()
    expect(dialog.get_by_role("status")).to_contain_text("cURL command: created 1 collection, 1 request.")
    expect(dialog.locator(".import-items")).to_contain_text("-s")  # the ignored flag is named
    imported = tree_node(page, "Imported")
    expect(imported).to_be_visible()  # the tree reloaded behind the dialog
    screenshot(page, "21-import-report")
    dialog.get_by_role("button", name="Done").click()
    expect(dialog).to_be_hidden()

    # open the imported request and send it to the playground
    request_link = imported.locator(".item.request").get_by_role("link")
    expect(request_link).to_have_count(1)
    request_link.click()
    expect(page.get_by_label("URL", exact=True)).to_have_value(f"{live_server.url}/echo/anything?from=import")
    send(page)
    expect(page.locator(".status-line")).to_have_text("HTTP/1.1 200 OK")
    body = page.locator("#body-pretty")
    expect(body).to_contain_text('"X-Imported"')
    expect(body).to_contain_text('"color": "blue"')

    # the Code tab follows unsaved edits; the language and the toggle change it
    page.locator("#editor").get_by_role("tab", name="Code").click()
    code = page.locator("#code-output code")
    expect(code).to_contain_text("--data-raw '{\"color\": \"blue\"}'")  # cURL first
    page.get_by_label("URL", exact=True).fill(f"{live_server.url}/echo/anything?from=edited")
    expect(code).to_contain_text("from=edited")
    page.locator("#snippet-lang").select_option("python-urllib")
    expect(code).to_contain_text("urllib.request.Request(")
    expect(code).to_contain_text("add_header('X-Imported', 'yes')")
    expect(page.locator(".editor-head .dirty-mark")).to_be_visible()  # the URL edit, not the language
    screenshot(page, "22-code-panel")

    # Copy as cURL copies the unsaved state
    page.get_by_role("button", name="Copy as cURL").click()
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("curl '")
    assert "from=edited" in copied and "X-Imported: yes" in copied

    # downloads: the collection's menu and each history entry
    tree_menu(page, "Imported").click()
    expect(imported.get_by_role("link", name="Export (Postman v2.1)")).to_be_visible()
    screenshot(page, "24-export-menu")
    with page.expect_download() as download:
        imported.get_by_role("link", name="Export (.http)").click()
    assert download.value.suggested_filename == "imported.http"
    page.locator("#sidebar-tabs").get_by_role("tab", name="History").click()
    entry = page.locator("#history-list .history-item").first
    entry.hover()
    with page.expect_download() as download:
        entry.get_by_role("link", name="Export this entry as HAR").click()
    assert download.value.suggested_filename.endswith(".har")
    screenshot(page, "25-history-har")
    assert page.errors == []


def test_the_code_panel_resolves_variables_and_shows_in_dark_mode(page: Any, live_server: Any) -> None:
    sign_up(page, "jo")
    tree_row(page, "1 · Methods and query", "folder").click()
    page.locator(".item.request", has_text="GET with query params").get_by_role("link").click()
    page.locator("#editor").get_by_role("tab", name="Code").click()
    code = page.locator("#code-output code")
    expect(code).to_contain_text("{{baseUrl}}/anything")
    page.get_by_label("Resolve variables").check()
    expect(code).to_contain_text(re.compile(re.escape(live_server.url) + r"/echo/anything\?color=blue"))
    page.locator("[data-theme-toggle]").click()
    screenshot(page, "23-code-panel-dark")
    assert page.errors == []


def test_unresolved_variables_are_named_and_copy_as_curl_says_which_shell_variables(page: Any, live_server: Any) -> None:
    """Issue 12 items 4 and 7, in light and dark, at 1280 px and 390 px."""
    sign_up(page, "uma")
    page.get_by_label("URL", exact=True).fill(f"{live_server.url}/echo/anything/{{{{bookId}}}}")
    send(page)
    warning = page.locator("#unresolved-variables")
    expect(warning).to_have_text("Unresolved variable, sent as written: {{bookId}}")
    expect(page.locator("#copy-curl-hint")).to_have_text("secrets as $WEBCLIENT_… variables")
    screenshot(page, "26-unresolved-variables")
    page.locator("[data-theme-toggle]").click()
    screenshot(page, "27-unresolved-variables-dark")
    page.set_viewport_size({"width": 390, "height": 844})
    expect(warning).to_be_visible()
    screenshot(page, "28-unresolved-variables-390-dark")
    page.locator("[data-theme-toggle]").click()
    screenshot(page, "29-unresolved-variables-390")
    assert page.errors == []

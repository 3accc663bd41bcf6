"""Issue 19, item 7, end to end in the browser: a request's saved assertions and captures survive
an export from the collection menu (Postman v2.1 and .http) and come back on import; newman runs
the exported checks as tests against the same server."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.test_request_builder import open_tour_request, sign_up
from tests.browser.tree_rows import tree_menu, tree_node, tree_row
from tests.fixtures.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TOUR = "HTTP tour"
REQUEST = "GET with query params"


def collection_menu(page: Any, nth: int = 0) -> Any:
    menu = tree_menu(page, TOUR).nth(nth)
    menu.click()
    return page


def download(page: Any, link: str, folder: Path) -> Path:
    with page.expect_download() as waiting:
        page.get_by_role("link", name=link, exact=True).click()
    target = folder / waiting.value.suggested_filename
    waiting.value.save_as(target)
    return target


def test_exports_keep_saved_assertions_and_captures_and_an_import_brings_them_back(
    page: Any, live_server: Any, tmp_path: Path, newman: str
) -> None:
    sign_up(page, "tess")
    open_tour_request(page, "1 · Methods and query", REQUEST)

    # the checks, as a person adds them on the Tests tab
    page.locator("#editor").get_by_role("tab", name=re.compile("^Tests")).click()
    page.get_by_role("button", name="+ Assertion").click()
    status = page.locator("#assertions-table tbody tr").last
    status.get_by_label("Assertion type").select_option("status")
    status.get_by_label("Operator").select_option("equals")
    status.get_by_label("Expected").fill("200")
    page.get_by_role("button", name="+ Assertion").click()
    header = page.locator("#assertions-table tbody tr").last
    header.get_by_label("Assertion type").select_option("header")
    header.get_by_label("Target (header name or JSON path)").fill("Content-Type")
    header.get_by_label("Operator").select_option("contains")
    header.get_by_label("Expected").fill("json")
    page.get_by_role("button", name="+ Capture").click()
    capture = page.locator("#captures-table tbody tr").last
    capture.get_by_label("Variable").fill("echoed_url")
    capture.get_by_label("Source").select_option("jsonpath")
    capture.get_by_label("Path or expression").fill("$.url")
    page.get_by_role("button", name="Save tests").click()
    expect(page.locator("#tests-panel .notice")).to_be_visible()

    # Postman v2.1 from the collection menu: the checks are tests newman runs
    collection_menu(page)
    postman_file = download(page, "Export (Postman v2.1)", tmp_path)
    exported = json.loads(postman_file.read_text())
    script = json.dumps(exported)
    assert "pm.test" in script and "echoed_url" in script
    report = tmp_path / "newman.json"
    # the tour's {{baseUrl}} is a collection variable: the live server's echo, carried in the file
    subprocess.run([newman, "run", str(postman_file), "--folder", "1 · Methods and query",
                    "--reporters", "json", "--reporter-json-export", str(report)],
                   capture_output=True, text=True, timeout=180, check=False)
    executions = json.loads(report.read_text())["run"]["executions"]
    ran = [e for e in executions if e["item"]["name"] == REQUEST]
    assert ran, [e["item"]["name"] for e in executions]
    tests = {a["assertion"]: a.get("error") for a in ran[0].get("assertions", [])}
    assert len(tests) == 2 and all(error is None for error in tests.values()), tests

    # .http: the checks are written too
    page.keyboard.press("Escape")
    collection_menu(page)
    http_file = download(page, "Export (.http)", tmp_path)
    http_text = http_file.read_text()
    assert "webclient assertion" in http_text and "echoed_url" in http_text

    # the Postman file imported back: a second collection whose request has the same checks
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Import", exact=True).click()
    dialog = page.locator("dialog")
    dialog.get_by_label("Paste text").fill(postman_file.read_text())
    dialog.get_by_role("button", name="Import", exact=True).click()
    expect(dialog.get_by_role("heading", name="Import finished")).to_be_visible()
    dialog.get_by_role("button", name="Done").click()
    imported = tree_node(page, TOUR).nth(1)
    expect(imported).to_be_visible()
    tree_row(imported, "1 · Methods and query", "folder").click()
    imported.locator(".item.request", has_text=REQUEST).get_by_role("link").click()
    expect(page.locator("#request-name")).to_have_text(REQUEST)
    page.locator("#editor").get_by_role("tab", name=re.compile("^Tests")).click()
    rows = page.locator("#assertions-table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0).get_by_label("Expected")).to_have_value("200")
    expect(rows.nth(1).get_by_label("Target (header name or JSON path)")).to_have_value("Content-Type")
    expect(rows.nth(1).get_by_label("Operator")).to_have_value("contains")
    captures = page.locator("#captures-table tbody tr")
    expect(captures).to_have_count(1)
    expect(captures.first.get_by_label("Variable")).to_have_value("echoed_url")
    expect(captures.first.get_by_label("Path or expression")).to_have_value("$.url")
    screenshot(page, "export-keeps-checks")

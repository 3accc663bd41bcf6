"""Run a collection from its ⋯ menu and watch it finish; edit and try a request's tests.

Screenshots (git-ignored) of the Runner, a finished run and the Tests tab, wide and narrow, land in screenshots/.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from requests_app import access
from requests_app.services.collections import collection_create
from requests_app.services.folders import folder_create
from requests_app.services.saved_requests import request_create
from tests.browser.test_request_builder import send, sign_up
from tests.browser.tree_rows import tree_menu, tree_node
from tests.fixtures.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NARROW = {"width": 420, "height": 900}


def make_collection(username: str, base: str) -> Any:
    user = get_user_model().objects.get(username=username)
    workspace = access.workspaces_for_user(user).first()
    collection = collection_create(user=user, workspace=workspace, name="Shop API",
                                   variables=[{"key": "base", "value": base, "enabled": True}])
    status_200 = [{"type": "status", "op": "equals", "expected": 200}]
    for name in ("list products", "show product", "stock"):
        request_create(user=user, collection=collection, name=name, url="{{base}}/anything/" + name.replace(" ", "-"),
                       assertions=status_200 + [{"type": "jsonpath", "op": "equals", "target": "$.method", "expected": "GET"}])
    checks = folder_create(user=user, collection=collection, name="Checks")
    request_create(user=user, collection=collection, folder=checks, name="teapot", url="{{base}}/status/418",
                   assertions=status_200)
    return collection


def test_run_a_collection_from_its_menu_see_it_finish_with_the_failure_first(page: Any, live_server: Any,
                                                                            settings: Any) -> None:
    settings.CELERY_BROKER_URL = ""
    sign_up(page, "runa")
    make_collection("runa", f"{live_server.url}/echo")
    page.reload()

    shop = tree_node(page, "Shop API")
    tree_menu(page, "Shop API").click()
    shop.get_by_role("link", name="Run", exact=True).first.click()
    expect(page.get_by_role("heading", name="Run requests")).to_be_visible()
    expect(page.get_by_label("What to run")).to_have_value(re.compile(r"^c:\d+$"))
    page.get_by_label("Iterations").fill("2")
    screenshot(page, "40-runner", full_page=True)

    page.get_by_role("button", name="Start run").click()
    expect(page.locator("#run-percent")).to_have_text("100%")
    expect(page.locator("#run-state")).to_have_text("Failed")
    rows = page.locator("#run-results tbody tr")
    expect(rows).to_have_count(8)
    expect(rows.first).to_have_class("failed")
    expect(rows.first).to_contain_text("teapot")
    expect(rows.first).to_contain_text("expected status to equal 200, got 418")
    expect(page.locator("#total-failed")).to_have_text("2")
    screenshot(page, "41-run-finished", full_page=True)

    page.get_by_role("link", name="Failed", exact=True).click()
    expect(rows).to_have_count(2)
    expect(page.get_by_role("link", name="JUnit XML")).to_be_visible()

    page.get_by_role("button", name="Run again").click()
    expect(page.locator("#run-percent")).to_have_text("100%")
    page.get_by_role("button", name="Compare").click()
    expect(page.locator("main")).to_contain_text("0 assertions changed status, 14 unchanged")
    screenshot(page, "46-compare")

    page.set_viewport_size(NARROW)
    page.go_back()
    expect(page.locator("#run-percent")).to_have_text("100%")
    screenshot(page, "42-run-narrow", full_page=True)
    page.goto(page.url.split("/runs/")[0] + "/runs/")
    screenshot(page, "43-runner-narrow", full_page=True)
    assert page.errors == []


def test_edit_tests_of_a_request_and_try_them_against_its_last_response(page: Any, live_server: Any) -> None:
    sign_up(page, "tess")
    make_collection("tess", f"{live_server.url}/echo")
    page.reload()
    tree_node(page, "Shop API").locator(".item.request").get_by_role(
        "link", name="stock").click()
    expect(page.locator("#request-name")).to_have_text("stock")  # the editor swapped in before Send
    send(page)
    expect(page.locator(".status-line")).to_have_text("HTTP/1.1 200 OK")

    page.locator("#editor").get_by_role("tab", name=re.compile("^Tests")).click()
    table = page.locator("#assertions-table")
    expect(table.locator("tbody tr")).to_have_count(2)
    page.get_by_role("button", name="+ Assertion").click()
    new_row = table.locator("tbody tr").last
    new_row.get_by_label("Assertion type").select_option("header")
    new_row.get_by_label("Target (header name or JSON path)").fill("Content-Type")
    new_row.get_by_label("Operator").select_option("contains")
    new_row.get_by_label("Expected").fill("json")
    page.get_by_role("button", name="+ Capture").click()
    capture = page.locator("#captures-table tbody tr").last
    capture.get_by_label("Variable").fill("seen_url")
    capture.get_by_label("Path or expression").fill("$.url")

    expect(page.locator(".editor-head .dirty-mark")).to_be_hidden()  # tests are saved on their own
    page.get_by_role("button", name="Try against the last response").click()
    preview = page.locator("#tests-preview-results")
    expect(preview.locator("li.ok")).to_have_count(3)
    expect(preview).to_contain_text("seen_url = ")
    page.get_by_role("button", name="Save tests").click()
    expect(page.locator("#tests-panel")).to_contain_text("Tests saved.")
    expect(page.locator("#assertions-table tbody tr")).to_have_count(3)
    expect(page.locator("#tab-tests .count")).to_have_text("3")
    screenshot(page, "44-tests-tab")

    # the main Save still works after the tests bumped the version (no false conflict)
    page.get_by_label("URL", exact=True).fill("{{base}}/anything/stock?x=1")
    page.locator("#save-button").click()
    expect(page.locator("#editor-head .notice")).to_be_visible()
    expect(page.locator("#editor-head")).not_to_contain_text("conflict")

    page.set_viewport_size(NARROW)
    page.locator("#editor").get_by_role("tab", name=re.compile("^Tests")).click()
    screenshot(page, "45-tests-tab-narrow", full_page=True)
    assert page.errors == []

"""Reading a response diff in the browser (issue 18): pick two responses, see what changed."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from requests_app import access
from requests_app.services.collections import collection_create
from requests_app.services.execution import request_execute
from requests_app.services.saved_requests import request_create
from tests.browser.test_request_builder import sign_up
from tests.fixtures.browser import NARROW, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_compare_two_responses_from_history(page: Any, live_server: Any, echo_server: Any) -> None:
    sign_up(page)
    user = get_user_model().objects.get(username="dora")
    workspace = access.workspaces_for_user(user).first()
    saved = request_create(user=user, collection=collection_create(user=user, workspace=workspace, name="Shop"),
                           name="cart", method="POST", url=echo_server.url("/anything"),
                           body={"mode": "json", "text": '{"items": [{"sku": "a", "qty": 1}], "coupon": null}'})
    first = request_execute(user=user, workspace=workspace, saved_request=saved)
    saved.body = {"mode": "json", "text": '{"items": [{"sku": "a", "qty": 2}, {"sku": "b", "qty": 1}], "coupon": "X"}'}
    saved.save()
    second = request_execute(user=user, workspace=workspace, saved_request=saved)

    page.goto(f"/w/{workspace.pk}/")
    page.get_by_role("tab", name="History").click()
    page.locator("#side-history").get_by_role("link", name="Compare").click()
    expect(page.get_by_role("heading", name="Compare responses")).to_be_visible()
    body = page.locator("#diff-body")
    expect(body).to_contain_text("$.json.items[0].qty")
    expect(body).to_contain_text("$.json.items[1]")
    expect(body).to_contain_text("$.json.coupon")
    screenshot(page, "diff-01-compare", full_page=True)

    page.locator("#diff-a").select_option(str(second.pk))  # the same entry twice: htmx swaps the result
    expect(page.locator("#diff-result")).to_contain_text("The two responses are the same")
    assert f"a={second.pk}" in page.url and f"b={second.pk}" in page.url
    page.locator("#diff-a").select_option(str(first.pk))
    expect(body).to_contain_text("type changed")

    page.emulate_media(color_scheme="dark")
    screenshot(page, "diff-02-compare-dark", full_page=True)
    page.set_viewport_size(NARROW)
    screenshot(page, "diff-03-compare-narrow", full_page=True)
    assert page.errors == []

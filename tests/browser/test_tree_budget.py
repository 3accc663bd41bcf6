"""Open collections past the page's screenful arrive empty and load their items in the browser (issue 15)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.test_request_builder import sign_up
from tests.browser.tree_rows import tree_node

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_open_collections_past_the_screenful_load_their_items(page: Any, live_server: Any, settings: Any) -> None:
    from django.contrib.auth import get_user_model

    from requests_app.services.collections import collection_create
    from requests_app.services.saved_requests import request_create

    settings.WEBCLIENT_TREE_PAGE_BUDGET = 3
    sign_up(page)
    user = get_user_model().objects.get(username="dora")
    workspace = user.memberships.get().workspace
    for number in range(3):
        collection = collection_create(user=user, workspace=workspace, name=f"Budget {number}")
        for i in range(3):
            request_create(user=user, collection=collection, name=f"B{number} item {i}", url="http://127.0.0.1:9/")
    page.reload()
    last = tree_node(page, "Budget 2")
    expect(last).to_have_attribute("aria-expanded", "true")
    expect(last.locator(".item.request")).to_have_count(3)  # loaded by tree.js, not in the page's HTML
    expect(last.locator(".children.loading")).to_have_count(0)

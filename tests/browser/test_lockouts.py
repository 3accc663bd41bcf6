"""Site staff lift a sign-in lockout from the account menu's page (issue 13 item 5)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from playwright.sync_api import expect

from tests.browser.test_editor_trust import sign_in
from tests.fixtures.accounts import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_staff_unlock_a_locked_out_account(page: Any, live_server: Any, alice: Any, make_account: Any,
                                           settings: Any) -> None:
    staff = make_account("sam")
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    guesser = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        guesser.post("/login/", {"username": "alice", "password": "wrong"}, REMOTE_ADDR="198.51.100.7")
    sign_in(page, live_server, staff)
    page.goto(f"/w/{staff.personal_workspace.pk}/")
    page.get_by_label("Account menu").click()
    page.get_by_role("link", name="Sign-in lockouts").click()
    row = page.get_by_role("row", name="user alice")
    expect(row).to_be_visible()
    expect(page.get_by_role("row", name="address 198.51.100.7")).to_be_visible()
    row.get_by_role("button", name="Unlock").click()  # htmx, with the page's CSRF token
    expect(page.get_by_role("status")).to_have_text("The lockout of alice is lifted.")
    expect(page.get_by_role("row", name="user alice")).to_have_count(0)
    expect(page.get_by_role("row", name="address 198.51.100.7")).to_be_visible()
    assert Client().post("/login/", {"username": "alice", "password": PASSWORD},
                         REMOTE_ADDR="192.0.2.99").status_code == 302

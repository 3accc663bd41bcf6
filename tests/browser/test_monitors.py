"""Create a monitor from the Monitors page, run it now, and see its state and strip on the list.

Screenshots (git-ignored) of the list and a monitor's page, light and dark, land in screenshots/.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from requests_app import access
from requests_app.models import Run
from requests_app.services import runs
from requests_app.services.collections import collection_create
from requests_app.services.monitor_ticks import monitors_tick
from requests_app.services.saved_requests import request_create
from tests.browser.test_accessibility import check_both_themes
from tests.browser.test_request_builder import sign_up
from tests.fixtures.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_create_a_monitor_run_it_and_see_it_passing(page: Any, live_server: Any, settings: Any) -> None:
    settings.CELERY_BROKER_URL = ""
    sign_up(page, "mona")
    user = get_user_model().objects.get(username="mona")
    workspace = access.workspaces_for_user(user).first()
    collection = collection_create(user=user, workspace=workspace, name="Status API")
    request_create(user=user, collection=collection, name="health", url=f"{live_server.url}/echo/status/200",
                   assertions=[{"type": "status", "op": "equals", "expected": 200}])

    page.goto(f"{live_server.url}/w/{workspace.pk}/")
    page.locator("details.workspace-menu > summary").click()
    page.get_by_role("link", name="Monitors", exact=True).click()
    expect(page.get_by_role("heading", name=re.compile(r"^Monitors"))).to_be_visible()
    page.get_by_role("link", name="New monitor").click()

    page.get_by_label("Name").fill("Health check")
    page.get_by_label("What to run").select_option(label="Status API")
    page.get_by_label("Minutes between runs").fill("1")
    expect(page.get_by_label("Cron (minute hour day month weekday)")).to_be_hidden()  # only for a cron schedule
    page.get_by_role("radio", name="Cron expression").check()
    expect(page.get_by_label("Cron (minute hour day month weekday)")).to_be_visible()
    page.get_by_role("radio", name=re.compile("^Every")).check()
    page.get_by_label("E-mail addresses").fill("ops@example.com")
    screenshot(page, "69-monitor-form", full_page=True)
    problems = check_both_themes(page, "monitor form")
    page.get_by_role("button", name="Create monitor").click()

    expect(page.get_by_role("heading", name=re.compile("Health check"))).to_be_visible()
    expect(page.locator(".monitor-facts")).to_contain_text("every minute")
    expect(page.locator(".monitor-state")).to_have_text("Not run yet")

    page.get_by_role("button", name="Run now").click()
    expect(page.locator("#run-state")).to_have_text("Passed")
    assert runs.wait_for_local_runs(timeout=30)
    monitors_tick()  # what the scheduler thread does every few seconds: judge the finished run

    page.goto(f"{live_server.url}/w/{workspace.pk}/monitors/")
    row = page.locator("tr.monitor-row", has_text="Health check")
    expect(row.locator(".monitor-state")).to_have_text("Passing")
    expect(row.locator(".strip-cell.state-passed")).to_have_count(1)
    assert Run.objects.filter(monitor__name="Health check").count() == 1
    screenshot(page, "70-monitors-list", full_page=True)
    problems += check_both_themes(page, "monitors list")

    row.get_by_role("link", name="Health check").click()
    expect(page.locator(".monitor-chart svg")).to_be_visible()
    screenshot(page, "71-monitor-page", full_page=True)
    problems += check_both_themes(page, "monitor page")  # ends in dark
    screenshot(page, "72-monitor-page-dark", full_page=True)
    assert problems == []  # axe: no serious or critical violations, light and dark

    page.get_by_role("button", name="Pause").click()
    expect(page.locator(".monitor-state")).to_have_text("paused · Passing")

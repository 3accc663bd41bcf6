"""The Monitors pages: list (state, strip, next run), the form, a monitor's page (chart, history,
notifications), pause/resume/run; viewers read, outsiders get 404."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from requests_app.models import Monitor, MonitorDailySummary, MonitorDelivery, Run
from requests_app.services import monitors
from requests_app.services.collections import collection_create
from requests_app.services.saved_requests import request_create


@pytest.fixture
def shop(alice, acme, echo_server):
    collection = collection_create(user=alice, workspace=acme, name="Shop")
    request_create(user=alice, collection=collection, name="up", url=echo_server.url("/status/200"))
    return collection


@pytest.fixture
def monitor(alice, acme, shop):
    return monitors.monitor_create(user=alice, workspace=acme, name="Shop <up>", collection=shop, every_minutes=5)


def add_runs(monitor, states):
    now = timezone.now()
    for index, state in enumerate(states):
        Run.objects.create(workspace=monitor.workspace, collection=monitor.collection, monitor=monitor,
                           title=monitor.name, state=state, created_at=now - timedelta(minutes=len(states) - index),
                           totals={"mean_ms": 10.0 + index, "requests": 1})


def test_list_shows_state_strip_and_next_run(client_for, alice, acme, monitor):
    add_runs(monitor, [Run.State.PASSED, Run.State.FAILED, Run.State.PASSED])
    Monitor.objects.filter(pk=monitor.pk).update(state=Monitor.State.PASSING)
    page = client_for(alice).get(f"/w/{acme.pk}/monitors/").content.decode()
    assert "Shop &lt;up&gt;" in page and "Shop <up>" not in page
    assert page.count('class="strip-cell state-passed"') == 2 and page.count('class="strip-cell state-failed"') == 1
    assert "monitor-state state-passing" in page
    assert f'href="/w/{acme.pk}/monitors/new/"' in page and "Run now" in page


def test_list_costs_the_same_queries_for_many_monitors(client_for, alice, acme, shop, monitor):
    add_runs(monitor, [Run.State.PASSED])
    client = client_for(alice)
    with CaptureQueriesContext(connection) as one:
        client.get(f"/w/{acme.pk}/monitors/")
    for number in range(5):
        other = monitors.monitor_create(user=alice, workspace=acme, name=f"m{number}", collection=shop)
        add_runs(other, [Run.State.FAILED, Run.State.PASSED])
    with CaptureQueriesContext(connection) as six:
        client.get(f"/w/{acme.pk}/monitors/")
    assert len(six) == len(one)


def test_viewer_reads_without_edit_buttons_and_cannot_post(client_for, victor, acme, monitor):
    client = client_for(victor)
    page = client.get(f"/w/{acme.pk}/monitors/").content.decode()
    assert "Shop &lt;up&gt;" in page and "Run now" not in page and "New monitor" not in page
    assert client.get(f"/w/{acme.pk}/monitors/{monitor.pk}/").status_code == 200
    assert client.get(f"/w/{acme.pk}/monitors/new/").status_code == 403
    assert client.post(f"/w/{acme.pk}/monitors/{monitor.pk}/pause/").status_code == 403
    monitor.refresh_from_db()
    assert not monitor.paused


def test_outsider_gets_404(client_for, carol, acme, monitor):
    client = client_for(carol)
    assert client.get(f"/w/{acme.pk}/monitors/").status_code == 404
    assert client.get(f"/w/{acme.pk}/monitors/{monitor.pk}/").status_code == 404


def test_create_from_the_form(client_for, bob, acme, shop):
    response = client_for(bob).post(f"/w/{acme.pk}/monitors/new/", {
        "name": "Nightly", "target": f"c:{shop.pk}", "schedule_kind": "cron", "cron_expression": "0 3 * * *",
        "timezone": "Europe/Berlin", "notify_emails": "ops@example.com, dev@example.com",
        "notify_on_state_change": "on",
    })
    created = Monitor.objects.get(name="Nightly")
    assert response.status_code == 302 and response["Location"] == f"/w/{acme.pk}/monitors/{created.pk}/"
    assert created.notify_emails == ["ops@example.com", "dev@example.com"]
    assert created.timezone == "Europe/Berlin" and created.next_run_at is not None


def test_a_bad_cron_keeps_the_form_and_says_why(client_for, bob, acme, shop):
    response = client_for(bob).post(f"/w/{acme.pk}/monitors/new/", {
        "name": "Nightly", "target": f"c:{shop.pk}", "schedule_kind": "cron", "cron_expression": "0 25 * * *",
        "timezone": "UTC",
    })
    assert response.status_code == 400
    page = response.content.decode()
    assert "Cron: not a cron expression" in page and 'value="0 25 * * *"' in page
    assert not Monitor.objects.exists()


def test_pause_resume_and_run_now(client_for, bob, acme, monitor):
    client = client_for(bob)
    assert client.post(f"/w/{acme.pk}/monitors/{monitor.pk}/pause/", {"back": "list"})["Location"] == f"/w/{acme.pk}/monitors/"
    monitor.refresh_from_db()
    assert monitor.paused and monitor.next_run_at is None
    client.post(f"/w/{acme.pk}/monitors/{monitor.pk}/resume/")
    monitor.refresh_from_db()
    assert not monitor.paused and monitor.next_run_at is not None
    response = client.post(f"/w/{acme.pk}/monitors/{monitor.pk}/run/")
    run = Run.objects.get(monitor=monitor)
    assert response["Location"] == f"/w/{acme.pk}/runs/{run.pk}/"


def test_monitor_page_draws_the_chart_from_summaries_and_runs(client_for, victor, acme, monitor):
    MonitorDailySummary.objects.create(monitor=monitor, day=(timezone.now() - timedelta(days=40)).date(), runs=1440,
                                       failures=3, avg_ms=42.0, p95_ms=80.0, timed_runs=1440)
    add_runs(monitor, [Run.State.PASSED, Run.State.FAILED])
    MonitorDelivery.objects.create(monitor=monitor, channel="email", event="failing", target="ops@example.com",
                                   attempts=3, last_error="ConnectionRefusedError: [Errno 111]")
    MonitorDelivery.objects.create(monitor=monitor, channel="email", event="shape_changed", target="ops@example.com",
                                   payload={"shape_changes": [{"request": "up", "paths": ["$.id: number → string"]}]})
    page = client_for(victor).get(f"/w/{acme.pk}/monitors/{monitor.pk}/").content.decode()
    assert "<svg" in page and page.count('<circle class="point') == 3
    assert page.count('<circle class="point failed"') == 2  # the summarised day had failures, and one run
    assert "daily means of runs past the retention period" in page
    assert "ConnectionRefusedError" in page and "Started failing" in page
    assert "up: <code>$.id: number → string</code>" in page
    assert "<script" not in page.split("<main", 1)[1]  # the chart needs no script (CSP)


def test_workspace_menu_links_monitors_next_to_runs(client_for, alice, acme):
    page = client_for(alice).get(f"/w/{acme.pk}/").content.decode()
    runs_at = page.index(f'href="/w/{acme.pk}/runs/"')
    assert page.index(f'href="/w/{acme.pk}/monitors/"') > runs_at


def test_viewers_see_the_webhook_masked_on_the_page(client_for, alice, victor, acme, monitor):
    monitors.monitor_update(user=alice, monitor=monitor, webhook_url="https://hooks.slack.com/services/T0/B0/s3cr3t")
    MonitorDelivery.objects.create(monitor=monitor, channel="webhook", event="failing",
                                   target="https://hooks.slack.com/services/T0/B0/s3cr3t")
    page = client_for(victor).get(f"/w/{acme.pk}/monitors/{monitor.pk}/").content.decode()
    assert "s3cr3t" not in page and "https://hooks.slack.com/••••••" in page
    assert "s3cr3t" in client_for(alice).get(f"/w/{acme.pk}/monitors/{monitor.pk}/").content.decode()


def test_a_monitor_run_links_its_monitor(client_for, victor, acme, monitor):
    run = monitors.monitor_run_create(monitor)
    page = client_for(victor).get(f"/w/{acme.pk}/runs/{run.pk}/").content.decode()
    assert f'href="/w/{acme.pk}/monitors/{monitor.pk}/" id="run-monitor"' in page


def test_the_list_polls_its_table_alone(client_for, alice, acme, monitor):
    client = client_for(alice)
    page = client.get(f"/w/{acme.pk}/monitors/").content.decode()
    assert 'id="monitor-table"' in page and 'hx-trigger="every 30s"' in page
    partial = client.get(f"/w/{acme.pk}/monitors/", HTTP_HX_REQUEST="true").content.decode()
    assert partial.lstrip().startswith("<div id=\"monitor-table\"") and "<html" not in partial
    assert "Shop &lt;up&gt;" in partial


def test_the_monitor_page_shows_the_next_runs_in_the_cron_zone(client_for, alice, acme, shop):
    nightly = monitors.monitor_create(user=alice, workspace=acme, name="n", collection=shop, schedule_kind="cron",
                                      cron_expression="30 2 * * *", timezone="America/New_York")
    page = client_for(alice).get(f"/w/{acme.pk}/monitors/{nightly.pk}/").content.decode()
    upcoming = page.split('id="monitor-upcoming">', 1)[1].split("</dd>", 1)[0]
    assert upcoming.count("02:30 E") == 3  # EST or EDT: the zone's wall clock

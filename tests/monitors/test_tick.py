"""The monitor tick with a clock the test holds: slots, the claim, state, notifications, retention."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail

from requests_app.models import Monitor, MonitorDailySummary, MonitorDelivery, Run
from requests_app.services import monitors
from requests_app.services.environments import environment_update
from requests_app.services.errors import Forbidden, NotFound, ValidationFailed
from requests_app.services.monitor_notify import RETRY_BACKOFF
from requests_app.services.monitor_ticks import (
    claim_slot,
    forget_old_deliveries,
    monitors_tick,
    summarise_old_runs,
)
from tests.monitors.conftest import T0, run_at_once


def tick(at):
    return monitors_tick(now=at, dispatch=run_at_once)


def set_env(user, environment, **values):
    environment.refresh_from_db()
    rows = [{"key": k, "value": v, "enabled": True} for k, v in values.items()]
    environment_update(user=user, environment=environment, version=environment.version, variables=rows)


@pytest.fixture
def monitor(alice, acme, api, webhook):
    return monitors.monitor_create(user=alice, workspace=acme, name="Shop up", collection=api["collection"],
                                   environment=api["environment"], every_minutes=1, now=T0,
                                   notify_emails=["ops@example.com"], webhook_url=webhook.url)


def test_nothing_runs_before_the_first_slot_then_one_run_per_slot(monitor):
    assert monitor.next_run_at == T0 + timedelta(minutes=1)
    assert tick(T0 + timedelta(seconds=59)).started == 0
    report = tick(T0 + timedelta(minutes=1, seconds=2))
    assert report.started == 1 and report.judged == 1
    assert tick(T0 + timedelta(minutes=1, seconds=30)).started == 0  # same slot: nothing more
    assert tick(T0 + timedelta(minutes=2, seconds=1)).started == 1
    runs_made = Run.objects.filter(monitor=monitor)
    assert runs_made.count() == 2 and set(runs_made.values_list("state", flat=True)) == {Run.State.PASSED}
    monitor.refresh_from_db()
    assert monitor.state == Monitor.State.PASSING
    assert monitor.next_run_at == T0 + timedelta(minutes=3)


def test_a_server_down_for_an_hour_runs_the_missed_slots_once(monitor):
    report = tick(T0 + timedelta(hours=1, seconds=10))
    assert report.started == 1
    assert Run.objects.filter(monitor=monitor).count() == 1
    monitor.refresh_from_db()
    assert monitor.last_slot_at == T0 + timedelta(hours=1)
    assert monitor.next_run_at == T0 + timedelta(hours=1, minutes=1)


def test_two_ticks_that_read_the_same_slot_start_it_once(monitor):
    seen = monitor.next_run_at
    first = claim_slot(monitor.pk, seen, next_slot=seen + timedelta(minutes=1), slot=seen)
    second = claim_slot(monitor.pk, seen, next_slot=seen + timedelta(minutes=1), slot=seen)
    assert (first, second) == (True, False)


def test_a_paused_monitor_does_not_run_and_resumes_from_now(alice, monitor):
    monitors.monitor_pause(user=alice, monitor=monitor)
    assert tick(T0 + timedelta(minutes=10)).started == 0
    monitors.monitor_resume(user=alice, monitor=monitor, now=T0 + timedelta(minutes=10))
    monitor.refresh_from_db()
    assert monitor.next_run_at == T0 + timedelta(minutes=11)  # the paused slots are not made up


def test_failing_then_recovering_notifies_by_mail_and_webhook(alice, api, monitor, webhook):
    tick(T0 + timedelta(minutes=1))  # passing: unknown -> passing says nothing
    assert mail.outbox == [] and webhook.received == []
    set_env(alice, api["environment"], doc='{"ok": true, "id": 1}', ok="false")
    tick(T0 + timedelta(minutes=2))
    monitor.refresh_from_db()
    assert monitor.state == Monitor.State.FAILING
    assert [m.subject for m in mail.outbox] == ["[webclient] Shop up is failing"]
    assert mail.outbox[0].to == ["ops@example.com"]
    assert "$.json.ok" in mail.outbox[0].body
    (hook,) = webhook.received
    assert hook["content_type"] == "application/json"
    payload = hook["json"]
    assert payload["event"] == "failing" and payload["monitor"]["name"] == "Shop up"
    assert payload["run"]["state"] == "failed" and payload["link"].endswith(f"/runs/{payload['run']['id']}/")
    assert payload["failed_assertions"][0]["request"] == "echo"
    tick(T0 + timedelta(minutes=3))  # still failing: state changes only
    assert len(mail.outbox) == 1 and len(webhook.received) == 1
    set_env(alice, api["environment"], doc='{"ok": true, "id": 1}', ok="true")
    tick(T0 + timedelta(minutes=4))
    assert [m.subject for m in mail.outbox][-1] == "[webclient] Shop up is passing again"
    assert webhook.received[-1]["json"]["event"] == "recovered"
    assert MonitorDelivery.objects.filter(monitor=monitor, state=MonitorDelivery.State.SENT).count() == 4


def test_every_failure_notifies_when_asked(alice, api, monitor, webhook):
    monitors.monitor_update(user=alice, monitor=monitor, notify_on_every_failure=True, notify_on_state_change=False,
                            notify_emails=[], now=T0)
    set_env(alice, api["environment"], doc='{"ok": true}', ok="false")
    tick(T0 + timedelta(minutes=1))
    tick(T0 + timedelta(minutes=2))
    assert [hook["json"]["event"] for hook in webhook.received] == ["failed", "failed"]


def test_a_webhook_that_fails_is_retried_with_backoff_then_given_up(alice, api, monitor, webhook):
    monitors.monitor_update(user=alice, monitor=monitor, notify_emails=[], now=T0)
    webhook.statuses = [500] * 10
    set_env(alice, api["environment"], doc='{"ok": true}', ok="false")
    at = T0 + timedelta(minutes=1)
    tick(at)
    delivery = MonitorDelivery.objects.get(monitor=monitor)
    assert (delivery.state, delivery.attempts) == (MonitorDelivery.State.PENDING, 1)
    assert delivery.last_error == "the webhook answered 500"
    assert delivery.next_attempt_at == at + RETRY_BACKOFF[0]
    monitors.monitor_pause(user=alice, monitor=monitor)  # only the delivery moves from now on
    monitors_tick(now=at + RETRY_BACKOFF[0] - timedelta(seconds=1))
    assert len(webhook.received) == 1  # not before its time
    for step in RETRY_BACKOFF:
        at += step
        monitors_tick(now=at)
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (MonitorDelivery.State.GAVE_UP, len(RETRY_BACKOFF) + 1)
    assert len(webhook.received) == len(RETRY_BACKOFF) + 1


def test_a_webhook_that_comes_back_gets_the_notice(alice, api, monitor, webhook):
    monitors.monitor_update(user=alice, monitor=monitor, notify_emails=[], now=T0)
    webhook.statuses = [503]
    set_env(alice, api["environment"], doc='{"ok": true}', ok="false")
    tick(T0 + timedelta(minutes=1))
    monitors.monitor_pause(user=alice, monitor=monitor)
    monitors_tick(now=T0 + timedelta(minutes=1) + RETRY_BACKOFF[0])
    delivery = MonitorDelivery.objects.get(monitor=monitor)
    assert (delivery.state, delivery.attempts, delivery.last_error) == (MonitorDelivery.State.SENT, 2, "")
    assert [hook["json"]["event"] for hook in webhook.received] == ["failing", "failing"]


def test_an_unreachable_webhook_says_why(alice, monitor, api):
    monitors.monitor_update(user=alice, monitor=monitor, notify_emails=[], webhook_url="http://127.0.0.1:9/hook", now=T0)
    set_env(alice, api["environment"], doc='{"ok": true}', ok="false")
    tick(T0 + timedelta(minutes=1))
    delivery = MonitorDelivery.objects.get(monitor=monitor)
    assert delivery.state == MonitorDelivery.State.PENDING and delivery.last_error.startswith("refused")


def test_shape_change_from_the_last_good_run_names_the_paths(alice, api, monitor, webhook):
    monitors.monitor_update(user=alice, monitor=monitor, alert_on_shape_change=True, notify_emails=[], now=T0)
    tick(T0 + timedelta(minutes=1))
    set_env(alice, api["environment"], doc='{"ok": true, "id": "1", "email": "a@b.c"}', ok="true")
    tick(T0 + timedelta(minutes=2))
    (hook,) = webhook.received
    assert hook["json"]["event"] == "shape_changed"
    (change,) = hook["json"]["shape_changes"]
    assert change["request"] == "echo"
    assert change["paths"] == ["$.json.id: number → string", "$.json.email added (string)"]
    tick(T0 + timedelta(minutes=3))  # the changed shape is the new baseline: said once
    assert len(webhook.received) == 1


def test_shape_change_honours_the_requests_ignore_rules(alice, api, monitor, webhook):
    from requests_app.services.diffs import request_diff_ignore_set

    request_diff_ignore_set(user=alice, saved_request=api["request"], rules={"json_paths": ["$..email"]})
    monitors.monitor_update(user=alice, monitor=monitor, alert_on_shape_change=True, notify_emails=[], now=T0)
    tick(T0 + timedelta(minutes=1))
    set_env(alice, api["environment"], doc='{"ok": true, "id": 1, "email": "a@b.c"}', ok="true")
    tick(T0 + timedelta(minutes=2))
    assert webhook.received == []


def test_old_runs_are_summarised_per_day_then_deleted(monitor, settings):
    settings.WEBCLIENT_MONITOR_RETENTION_DAYS = 30
    for minute in range(1, 4):
        tick(T0 + timedelta(minutes=minute))
    kept = Run.objects.filter(monitor=monitor).order_by("id")
    first, second, last = list(kept)
    Run.objects.filter(pk=second.pk).update(state=Run.State.FAILED)
    later = T0 + timedelta(days=32)
    assert summarise_old_runs(now=later, batch=1) == 1  # in batches: a day split across two adds up
    assert summarise_old_runs(now=later) == 1  # the last run stays: the page and the shape check read it
    assert list(Run.objects.filter(monitor=monitor).values_list("pk", flat=True)) == [last.pk]
    summary = MonitorDailySummary.objects.get(monitor=monitor)
    assert (summary.day, summary.runs, summary.failures) == (T0.date(), 2, 1)
    means = [first.totals["mean_ms"], second.totals["mean_ms"]]
    assert summary.avg_ms == pytest.approx(sum(means) / 2)
    assert summary.p95_ms == max(means)
    assert summarise_old_runs(now=later) == 0


def test_a_summarised_day_is_the_monitors_own_day_in_its_time_zone(monitor, settings):
    settings.WEBCLIENT_MONITOR_RETENTION_DAYS = 30
    Monitor.objects.filter(pk=monitor.pk).update(timezone="America/Los_Angeles")
    for minute in range(1, 3):
        tick(T0 + timedelta(minutes=minute))
    Monitor.objects.filter(pk=monitor.pk).update(last_run=None, last_good_run=None)  # none is kept
    Run.objects.filter(monitor=monitor).update(created_at=T0.replace(hour=3))  # 03:00 UTC: 19:00 or 20:00 the day before
    assert summarise_old_runs(now=T0 + timedelta(days=32)) == 2
    summary = MonitorDailySummary.objects.get(monitor=monitor)
    assert (summary.day, summary.runs) == (T0.date() - timedelta(days=1), 2)


def test_viewers_may_not_create_and_outsiders_do_not_see(victor, carol, acme, api, monitor):
    with pytest.raises(Forbidden):
        monitors.monitor_create(user=victor, workspace=acme, name="x", collection=api["collection"])
    with pytest.raises(NotFound):
        monitors.get_monitor_for_user(carol, monitor.pk)
    assert monitors.get_monitor_for_user(victor, monitor.pk) == monitor


@pytest.mark.parametrize(("values", "field"), [
    ({"name": " "}, "name"),
    ({"every_minutes": 0}, "every_minutes"),
    ({"schedule_kind": "cron", "cron_expression": "every day"}, "cron_expression"),
    ({"schedule_kind": "cron", "cron_expression": "0 9 * * *", "timezone": "Berlin"}, "timezone"),
    ({"notify_emails": ["ops@example.com", "not-an-address"]}, "notify_emails[1]"),
    ({"webhook_url": "ftp://example.com/x"}, "webhook_url"),
])
def test_bad_settings_are_named_and_nothing_is_saved(alice, acme, api, values, field):
    arguments = {"name": "ok", "collection": api["collection"], **values}
    with pytest.raises(ValidationFailed) as failed:
        monitors.monitor_create(user=alice, workspace=acme, **arguments)
    assert field in failed.value.fields
    assert not Monitor.objects.exists()


def test_a_slot_is_skipped_while_the_previous_run_is_still_going(monitor):
    Run.objects.create(workspace=monitor.workspace, collection=monitor.collection, monitor=monitor, title="slow",
                       state=Run.State.RUNNING, created_at=T0 + timedelta(seconds=30))
    report = tick(T0 + timedelta(minutes=1))
    assert (report.started, report.skipped) == (0, 1)
    monitor.refresh_from_db()
    assert monitor.next_run_at == T0 + timedelta(minutes=2)  # the slot is spent, not retried
    assert Run.objects.filter(monitor=monitor).count() == 1


def test_an_interrupted_or_cancelled_run_changes_nothing(monitor, webhook):
    tick(T0 + timedelta(minutes=1))
    monitor.refresh_from_db()
    before = (monitor.state, monitor.last_run_id)
    for state in (Run.State.INTERRUPTED, Run.State.CANCELLED):
        Run.objects.create(workspace=monitor.workspace, collection=monitor.collection, monitor=monitor,
                           title="stopped", state=state, created_at=T0 + timedelta(minutes=1, seconds=5))
    assert monitors_tick(now=T0 + timedelta(minutes=1, seconds=10)).judged == 2
    monitor.refresh_from_db()
    assert (monitor.state, monitor.last_run_id) == before
    assert webhook.received == [] and not MonitorDelivery.objects.exists()


def test_a_monitor_whose_person_left_fails_saying_so(alice, bob, acme, api, webhook):
    from requests_app.models import Membership

    monitor = monitors.monitor_create(user=bob, workspace=acme, name="Bob's", collection=api["collection"],
                                      every_minutes=1, now=T0, webhook_url=webhook.url)
    Membership.objects.filter(workspace=acme, user=bob).delete()
    tick(T0 + timedelta(minutes=1))
    run = Run.objects.get(monitor=monitor)
    assert run.state == Run.State.FAILED and run.error == monitors.RUNNER_GONE
    assert run.results.count() == 0  # nothing was sent on a former member's rights
    assert webhook.received[0]["json"]["failed_assertions"][0]["message"] == monitors.RUNNER_GONE


def test_old_finished_notifications_are_forgotten(monitor, settings):
    settings.WEBCLIENT_MONITOR_RETENTION_DAYS = 30
    for state in MonitorDelivery.State.values:
        MonitorDelivery.objects.create(monitor=monitor, channel="email", event="failing", target="a@b.c",
                                       state=state, created_at=T0)
    assert forget_old_deliveries(now=T0 + timedelta(days=32)) == 2
    assert list(MonitorDelivery.objects.values_list("state", flat=True)) == [MonitorDelivery.State.PENDING]


def test_a_webhook_obeys_the_outbound_policy(alice, api, monitor, webhook, settings):
    monitors.monitor_update(user=alice, monitor=monitor, notify_emails=[], now=T0)
    set_env(alice, api["environment"], doc='{"ok": true}', ok="false")
    monitors_tick(now=T0 + timedelta(minutes=1), dispatch=lambda run: None)
    run_at_once(Run.objects.get(monitor=monitor))  # the run reaches the echo target (local mode's policy)
    settings.WEBCLIENT_OUTBOUND = "public_only"  # team mode's policy: loopback refused
    monitors_tick(now=T0 + timedelta(minutes=1, seconds=10))
    delivery = MonitorDelivery.objects.get(monitor=monitor)
    assert delivery.state == MonitorDelivery.State.PENDING and delivery.last_error.startswith("blocked")
    assert webhook.received == []

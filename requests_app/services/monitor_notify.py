"""A monitor's notifications: e-mail through Django's mail settings, webhooks through the engine.

Usage::

    from requests_app.services import monitor_notify
    monitor_notify.deliveries_create(monitor=m, run=run, event="failing", shape_changes=[])
    monitor_notify.deliveries_send_due(now=now)     # the monitor tick: first tries and retries

Each notification is a MonitorDelivery row (one per address, one for the webhook), written when
the run is judged and sent by the tick, so a mail server or a webhook that is down costs retries,
never a lost notice: attempt n waits RETRY_BACKOFF[n-1] before the next, and after
len(RETRY_BACKOFF) + 1 attempts the delivery is given up (the page shows each with its last error).

Webhooks are ordinary engine exchanges (engine.send) under the server's outbound policy: in team
mode a webhook to a private or loopback address is refused like any request (allow-list it with
WEBCLIENT_OUTBOUND_ALLOW). Slack-style incoming webhooks are just webhooks: the JSON carries a
`text` line they show.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from requests_app.engine import send
from requests_app.engine.spec import Body, KeyValue, Options, RequestSpec
from requests_app.models import Monitor, MonitorDelivery, Run
from requests_app.services.execution import outbound_policy

logger = logging.getLogger(__name__)

RETRY_BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1),
                 timedelta(hours=3))
# A delivery being sent is leased: another tick skips it until then (a crash mid-send retries it).
SEND_LEASE = timedelta(minutes=2)
WEBHOOK_TIMEOUT_MS = 10_000
MAX_FAILED_ASSERTIONS = 20
DELIVERIES_PER_TICK = 50
# A tick stops sending after this (the rest wait for the next tick), so slow webhooks (10 s
# timeout each) cannot hold the tick back from starting due monitors.
SEND_BUDGET_SECONDS = 20.0
USER_AGENT = "webclient-monitor/1"

HEADLINES = {
    MonitorDelivery.Event.FAILING: "{name} is failing",
    MonitorDelivery.Event.RECOVERED: "{name} is passing again",
    MonitorDelivery.Event.FAILED: "{name}: run failed",
    MonitorDelivery.Event.SHAPE_CHANGED: "{name}: response shape changed",
}


def _absolute(path: str) -> str:
    return settings.WEBCLIENT_PUBLIC_URL.rstrip("/") + path


def monitor_link(monitor: Monitor) -> str:
    return _absolute(reverse("monitor_page", args=[monitor.workspace_id, monitor.pk]))


def run_link(run: Run) -> str:
    return _absolute(reverse("run_page", args=[run.workspace_id, run.pk]))


def failed_assertions(run: Run) -> list[dict[str, Any]]:
    """The run's failures: each failed assertion, or the request's error, first MAX_FAILED_ASSERTIONS."""
    found: list[dict[str, Any]] = []
    failed = run.results.filter(passed=False).order_by("iteration", "position", "id")
    for name, assertions, error in failed.values_list("name", "assertions", "error")[:MAX_FAILED_ASSERTIONS]:
        if error:
            found.append({"request": name, "assertion": "request", "message": error.get("message", "")})
        for assertion in assertions or []:
            if not assertion.get("passed", True):
                label = " ".join(str(assertion.get(part) or "") for part in ("type", "target", "op")).split()
                found.append({"request": name, "assertion": " ".join(label), "message": assertion.get("message", "")})
    if run.error:
        found.insert(0, {"request": "", "assertion": "run", "message": run.error})
    return found[:MAX_FAILED_ASSERTIONS]


def _payload(monitor: Monitor, run: Run, event: str, shape_changes: list[dict[str, Any]]) -> dict[str, Any]:
    headline = HEADLINES[event].format(name=monitor.name)  # type: ignore[index]
    return {
        "event": event,
        "text": f"{headline} — {run_link(run)}",  # what Slack-style webhooks display
        "monitor": {"id": monitor.pk, "name": monitor.name, "state": monitor.state, "link": monitor_link(monitor)},
        "run": {"id": run.pk, "state": run.state, "totals": run.totals, "error": run.error,
                "finished_at": run.finished_at.isoformat() if run.finished_at else None},
        "failed_assertions": failed_assertions(run) if run.state != Run.State.PASSED else [],
        "shape_changes": shape_changes,
        "link": run_link(run),
    }


def deliveries_create(*, monitor: Monitor, run: Run, event: str, shape_changes: list[dict[str, Any]],
                      now: datetime | None = None) -> list[MonitorDelivery]:
    """One pending delivery per e-mail address and one for the webhook; the tick sends them."""
    now = now or timezone.now()
    payload = _payload(monitor, run, event, shape_changes)
    made = [MonitorDelivery(monitor=monitor, run=run, channel=MonitorDelivery.Channel.EMAIL, event=event,
                            target=address, payload=payload, next_attempt_at=now, created_at=now)
            for address in monitor.notify_emails or []]
    if monitor.webhook_url:
        made.append(MonitorDelivery(monitor=monitor, run=run, channel=MonitorDelivery.Channel.WEBHOOK, event=event,
                                    target=monitor.webhook_url, payload=payload, next_attempt_at=now, created_at=now))
    return MonitorDelivery.objects.bulk_create(made)


def _mail_text(payload: dict[str, Any]) -> str:
    lines = [payload["text"], "", f"Monitor: {payload['monitor']['name']} ({payload['monitor']['link']})",
             f"Run #{payload['run']['id']}: {payload['run']['state']}"]
    if payload["run"].get("error"):
        lines.append(f"Error: {payload['run']['error']}")
    for failure in payload["failed_assertions"]:
        lines.append(f"- {failure['request']} · {failure['assertion']}: {failure['message']}")
    for change in payload["shape_changes"]:
        lines.append(f"- {change['request']}: {', '.join(change['paths'])}")
    return "\n".join(lines) + "\n"


def _send_email(delivery: MonitorDelivery) -> str:
    """'' when sent, else why not."""
    payload = delivery.payload
    headline = " ".join(payload["text"].split(" — ")[0].split())  # one line: no header injection
    try:
        send_mail(f"[webclient] {headline}", _mail_text(payload), None, [delivery.target], fail_silently=False)
    except Exception as error:  # SMTP refused, unreachable, timed out…: retried
        return f"{type(error).__name__}: {error}"[:1000]
    return ""


def _send_webhook(delivery: MonitorDelivery) -> str:
    """'' when the webhook answered 2xx, else why not (the engine's error, or the status)."""
    spec = RequestSpec(
        method="POST", url=delivery.target,
        headers=[KeyValue("Content-Type", "application/json"), KeyValue("User-Agent", USER_AGENT)],
        body=Body(mode="raw", text=json.dumps(delivery.payload, separators=(",", ":")),
                  content_type="application/json"),
        options=Options(timeout_ms=WEBHOOK_TIMEOUT_MS, follow_redirects=False, use_cookies=False,
                        max_response_bytes=64 * 1024),
    )
    exchange = send(spec, policy=outbound_policy())
    if exchange.error is not None:
        return f"{exchange.error.kind}: {exchange.error.message}"[:1000]
    status = exchange.response.status if exchange.response is not None else None
    if status is None or not 200 <= status < 300:
        return f"the webhook answered {status}"
    return ""


def delivery_attempt(delivery: MonitorDelivery, *, now: datetime) -> MonitorDelivery:
    """Send once; on failure schedule the next attempt (or give up) and keep the reason."""
    problem = _send_email(delivery) if delivery.channel == MonitorDelivery.Channel.EMAIL else _send_webhook(delivery)
    delivery.attempts += 1
    delivery.last_error = problem
    if not problem:
        delivery.state, delivery.sent_at, delivery.next_attempt_at = MonitorDelivery.State.SENT, now, None
    elif delivery.attempts > len(RETRY_BACKOFF):
        delivery.state, delivery.next_attempt_at = MonitorDelivery.State.GAVE_UP, None
    else:
        delivery.next_attempt_at = now + RETRY_BACKOFF[delivery.attempts - 1]
    delivery.save(update_fields=["attempts", "last_error", "state", "sent_at", "next_attempt_at"])
    return delivery


def deliveries_send_due(*, now: datetime, limit: int = DELIVERIES_PER_TICK,
                        budget_seconds: float = SEND_BUDGET_SECONDS) -> int:
    """Send the pending deliveries whose time came (each claimed first: two ticks never send one
    twice), until `limit` or `budget_seconds` of sending."""
    due = list(MonitorDelivery.objects.filter(state=MonitorDelivery.State.PENDING, next_attempt_at__lte=now)
               .order_by("next_attempt_at", "id")[:limit])
    sent = 0
    stop_at = time.monotonic() + budget_seconds
    for delivery in due:
        if time.monotonic() > stop_at:
            break
        claimed = MonitorDelivery.objects.filter(
            Q(pk=delivery.pk, state=MonitorDelivery.State.PENDING, next_attempt_at=delivery.next_attempt_at)
        ).update(next_attempt_at=now + SEND_LEASE)
        if not claimed:
            continue
        try:
            delivery_attempt(delivery, now=now)
        except Exception:  # a bug here must not stop the other deliveries; the lease retries it
            logger.exception("monitor delivery %s failed", delivery.pk)
            continue
        sent += delivery.state == MonitorDelivery.State.SENT
    return sent

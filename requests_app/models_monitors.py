"""Stored side of monitors (issue 18): a collection or folder run on a schedule, with notifications.

Workspace ─< Monitor ─< Run (ordinary runs, Run.monitor) ─< RunResult
Monitor ─< MonitorDelivery (one e-mail or webhook, its attempts)
Monitor ─< MonitorDailySummary (runs past the retention period, one row per day)

Imported at the end of models.py, so `from requests_app.models import Monitor` works.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.timezone import now as utc_now

from requests_app.models import Collection, Environment, Folder, Run, Workspace


class Monitor(models.Model):
    class State(models.TextChoices):
        UNKNOWN = "unknown", "Not run yet"
        PASSING = "passing", "Passing"
        FAILING = "failing", "Failing"

    class ScheduleKind(models.TextChoices):
        INTERVAL = "interval", "Every N minutes"
        CRON = "cron", "Cron expression"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="monitors")
    name = models.CharField(max_length=200)
    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="monitors")
    folder = models.ForeignKey(Folder, null=True, blank=True, on_delete=models.CASCADE, related_name="monitors")
    environment = models.ForeignKey(Environment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Runs go out as this person (their role decides which secrets the stored results mask).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    schedule_kind = models.CharField(max_length=10, choices=ScheduleKind.choices, default=ScheduleKind.INTERVAL)
    every_minutes = models.PositiveIntegerField(default=5)
    cron_expression = models.CharField(max_length=200, blank=True, default="")
    timezone = models.CharField(max_length=64, default="UTC")
    paused = models.BooleanField(default=False)
    notify_emails = models.JSONField(default=list, blank=True)  # ["ops@example.com"]
    webhook_url = models.CharField(max_length=2000, blank=True, default="")
    notify_on_state_change = models.BooleanField(default=True)
    notify_on_every_failure = models.BooleanField(default=False)
    alert_on_shape_change = models.BooleanField(default=False)
    state = models.CharField(max_length=10, choices=State.choices, default=State.UNKNOWN)
    # The slot the monitor waits for (monitor_schedule); null while paused. The tick claims a
    # due monitor by moving it forward with `UPDATE … WHERE next_run_at = <the value it read>`.
    next_run_at = models.DateTimeField(null=True, blank=True)
    last_slot_at = models.DateTimeField(null=True, blank=True)
    last_run = models.ForeignKey(Run, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    last_good_run = models.ForeignKey(Run, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=utc_now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["workspace", "name", "id"]),
            models.Index(fields=["next_run_at"], name="monitor_due", condition=models.Q(paused=False)),
        ]

    def __str__(self) -> str:
        return self.name


class MonitorDelivery(models.Model):
    """One notification to one address or webhook; retried with backoff until sent or given up."""

    class Channel(models.TextChoices):
        EMAIL = "email", "E-mail"
        WEBHOOK = "webhook", "Webhook"

    class Event(models.TextChoices):
        FAILING = "failing", "Started failing"
        RECOVERED = "recovered", "Passing again"
        FAILED = "failed", "Run failed"
        SHAPE_CHANGED = "shape_changed", "Response shape changed"

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        GAVE_UP = "gave_up", "Gave up"

    monitor = models.ForeignKey(Monitor, on_delete=models.CASCADE, related_name="deliveries")
    run = models.ForeignKey(Run, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    event = models.CharField(max_length=16, choices=Event.choices)
    target = models.CharField(max_length=2000)  # the address or the webhook URL
    payload = models.JSONField(default=dict)  # the webhook's JSON; the e-mail's subject and text
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=utc_now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["next_attempt_at"], name="delivery_due",
                         condition=models.Q(state="pending")),
            models.Index(fields=["monitor", "-created_at", "-id"], name="delivery_of_monitor"),
        ]


class MonitorDailySummary(models.Model):
    """A day of a monitor's runs once their rows are past the retention period (the chart stays)."""

    monitor = models.ForeignKey(Monitor, on_delete=models.CASCADE, related_name="daily_summaries")
    day = models.DateField()  # in the monitor's time zone
    runs = models.PositiveIntegerField(default=0)
    failures = models.PositiveIntegerField(default=0)
    avg_ms = models.FloatField(null=True, blank=True)  # mean of the runs' mean response times
    p95_ms = models.FloatField(null=True, blank=True)
    timed_runs = models.PositiveIntegerField(default=0)  # runs with a response time (avg_ms's weight)

    class Meta:
        ordering = ["monitor", "day"]
        constraints = [models.UniqueConstraint(fields=["monitor", "day"], name="one_summary_per_monitor_day")]

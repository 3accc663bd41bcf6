"""Monitors: a collection or folder run on a schedule, with notifications (issue 18).

Usage::

    from requests_app.services import monitors
    m = monitors.monitor_create(user=u, workspace=ws, name="API up", collection=c, environment=env,
                                schedule_kind="interval", every_minutes=5, notify_emails=["ops@x.io"])
    monitors.monitor_update(user=u, monitor=m, schedule_kind="cron", cron_expression="0 9 * * 1-5",
                            timezone="Europe/Berlin")
    monitors.monitor_pause(user=u, monitor=m); monitors.monitor_resume(user=u, monitor=m)
    monitors.monitor_run_now(user=u, monitor=m)          # an ordinary Run, marked with its monitor
    monitors.monitors_for_user(u, workspace=ws)          # selector; get_monitor_for_user(u, id)

Editors and owners create, change, pause and run monitors; viewers read them (as for runs' edits).
The scheduler (services/monitor_ticks.py) only creates runs; everything else is the runner.
Runs go out as the person who last saved the monitor (their role decides what results mask).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from requests_app import access
from requests_app.models import Collection, Environment, Folder, Monitor, Run, Workspace
from requests_app.monitor_schedule import Schedule, first_slot
from requests_app.services import runs
from requests_app.services.activity import activity_record
from requests_app.services.errors import NotFound, ValidationFailed

MAX_EMAILS = 20
MONITOR_ORDER = ("name", "id")
MONITOR_RUN_ORDER = ("-created_at", "-id")
NAME_REQUIRED = "Give the monitor a name."
TARGET_REQUIRED = "Choose the collection or folder the monitor runs."
BAD_WEBHOOK = "must be an http:// or https:// URL"
TOO_MANY_EMAILS = f"at most {MAX_EMAILS} addresses"
RUNNER_GONE = ("The person this monitor runs as is no longer a member of the workspace: an editor opens the "
               "monitor and saves it to run it as themselves.")

# The fields a person sets (API and page share them); the rest is the scheduler's.
SETTINGS = ("name", "collection", "folder", "environment", "schedule_kind", "every_minutes", "cron_expression",
            "timezone", "paused", "notify_emails", "webhook_url", "notify_on_state_change",
            "notify_on_every_failure", "alert_on_shape_change")
SCHEDULE_FIELDS = ("schedule_kind", "every_minutes", "cron_expression", "timezone")


def schedule_of(monitor: Monitor) -> Schedule:
    return Schedule(monitor.schedule_kind, every_minutes=monitor.every_minutes,
                    cron_expression=monitor.cron_expression, timezone=monitor.timezone)


# ------------------------------------------------------------------ reads


def monitors_for_user(user: AbstractBaseUser | None, *, workspace: Workspace | None = None) -> QuerySet[Monitor]:
    """Monitors of the user's workspaces, by name, each with the user's role there (`user_role`)."""
    signed_in = user is not None and getattr(user, "is_authenticated", False) and getattr(user, "is_active", False)
    user_id = user.pk if signed_in else None  # type: ignore[union-attr]
    queryset = Monitor.objects.filter(workspace__memberships__user_id=user_id).annotate(
        user_role=F("workspace__memberships__role")
    )
    if workspace is not None:
        queryset = queryset.filter(workspace=workspace)
    return queryset.order_by(*MONITOR_ORDER)


def get_monitor_for_user(user: AbstractBaseUser | None, monitor_id: Any, *, need: access.Need = "read") -> Monitor:
    """The monitor if it is in one of the user's workspaces (else NotFound); Forbidden below `need`."""
    parsed = access.parse_id(monitor_id)
    monitor = None if parsed is None else (
        Monitor.objects.select_related("workspace", "collection", "folder", "environment", "last_run")
        .filter(pk=parsed).first()
    )
    if monitor is None:
        raise NotFound("Monitor not found.")
    access.ensure_role(user, monitor.workspace, need)  # NotFound for outsiders, Forbidden for viewers
    monitor.user_role = monitor.workspace.user_role  # type: ignore[attr-defined]
    return monitor


def webhook_shown(url: str, role: str | None) -> str:
    """The webhook URL as `role` may see it: a webhook URL is a credential (Slack's are), so viewers
    see its scheme and host only."""
    if not url or access.can_edit(role):
        return url
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}/••••••"


def monitor_runs(*, monitor: Monitor) -> QuerySet[Run]:
    """The monitor's runs, newest first (keyset pages on MONITOR_RUN_ORDER)."""
    return Run.objects.filter(monitor=monitor).order_by(*MONITOR_RUN_ORDER)


# ------------------------------------------------------------------ writes


def _clean_name(value: Any) -> str:
    name = str(value or "").strip()
    if not name:
        raise ValidationFailed.for_field("name", NAME_REQUIRED, code="required")
    if len(name) > 200:
        raise ValidationFailed.for_field("name", "at most 200 characters", code="too_long")
    return name


def _clean_emails(value: Any) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = [part for part in value.replace(";", ",").replace("\n", ",").split(",")]
    if not isinstance(value, list):
        raise ValidationFailed.for_field("notify_emails", "must be a list of e-mail addresses")
    emails = [str(item).strip() for item in value if str(item).strip()]
    if len(emails) > MAX_EMAILS:
        raise ValidationFailed.for_field("notify_emails", TOO_MANY_EMAILS, code="too_many")
    for index, email in enumerate(emails):
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationFailed.for_field(f"notify_emails[{index}]", f"“{email[:80]}” is not an e-mail address",
                                             code="bad_email") from None
    return list(dict.fromkeys(emails))


def _clean_webhook(value: Any) -> str:
    url = str(value or "").strip()
    if not url:
        return ""
    parts = urlsplit(url)
    if len(url) > 2000 or parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationFailed.for_field("webhook_url", BAD_WEBHOOK, code="bad_url")
    return url


def _check_target(workspace: Workspace, collection: Collection | None, folder: Folder | None,
                  environment: Environment | None) -> Collection:
    if folder is not None:
        if collection is not None and folder.collection_id != collection.pk:
            raise ValidationFailed.for_field("folder", "is not in the chosen collection", code="other_collection")
        collection = folder.collection
    if collection is None:
        raise ValidationFailed.for_field("collection", TARGET_REQUIRED, code="no_target")
    if collection.workspace_id != workspace.pk:
        raise NotFound("Collection not found.")
    if environment is not None and environment.workspace_id != workspace.pk:
        raise NotFound("Environment not found.")
    return collection


def _check_schedule(monitor: Monitor) -> None:
    problem = schedule_of(monitor).problem()
    if problem is not None:
        field, message = problem
        raise ValidationFailed.for_field(field, message, code="bad_schedule")


def _apply(monitor: Monitor, values: dict[str, Any]) -> None:
    for key, value in values.items():
        if key not in SETTINGS:
            raise TypeError(f"unknown monitor setting {key!r}")
        if key == "name":
            value = _clean_name(value)
        elif key == "notify_emails":
            value = _clean_emails(value)
        elif key == "webhook_url":
            value = _clean_webhook(value)
        elif key in ("paused", "notify_on_state_change", "notify_on_every_failure", "alert_on_shape_change"):
            value = bool(value)
        elif key in ("cron_expression", "timezone", "schedule_kind"):
            value = str(value or "").strip()
        setattr(monitor, key, value)
    if monitor.schedule_kind == Monitor.ScheduleKind.CRON and not monitor.timezone:
        monitor.timezone = "UTC"


def monitor_create(*, user: AbstractBaseUser, workspace: Workspace, now: datetime | None = None,
                   **values: Any) -> Monitor:
    """A new monitor (editors and owners); its first run is one period (or the next cron match) away."""
    access.ensure_role(user, workspace, "edit")
    now = now or timezone.now()
    values.setdefault("timezone", "UTC")
    values.setdefault("name", "")  # checked like a given one: a monitor always has a name
    monitor = Monitor(workspace=workspace, created_by=user, created_at=now)  # type: ignore[misc]
    _apply(monitor, values)
    monitor.collection = _check_target(workspace, values.get("collection"), values.get("folder"),
                                       values.get("environment"))
    _check_schedule(monitor)
    monitor.next_run_at = None if monitor.paused else first_slot(schedule_of(monitor), now)
    monitor.save()
    activity_record(user=user, verb="created", kind="monitor", workspace=workspace, object_id=monitor.pk,
                    name=monitor.name)
    return monitor


def monitor_update(*, user: AbstractBaseUser, monitor: Monitor, now: datetime | None = None,
                   **values: Any) -> Monitor:
    """Change some settings; a new schedule starts counting from now. The person saving becomes
    the one the runs go out as."""
    access.ensure_role(user, monitor.workspace, "edit")
    now = now or timezone.now()
    before = {name: getattr(monitor, name) for name in (*SCHEDULE_FIELDS, "paused")}
    _apply(monitor, values)
    if "collection" in values or "folder" in values or "environment" in values:
        if "collection" in values and "folder" not in values:
            monitor.folder = None  # a new collection: the old collection's folder no longer applies
        monitor.collection = _check_target(monitor.workspace, monitor.collection, monitor.folder, monitor.environment)
    _check_schedule(monitor)
    changed = any(getattr(monitor, name) != before[name] for name in before)
    if monitor.paused:
        monitor.next_run_at = None
    elif changed or monitor.next_run_at is None:
        monitor.next_run_at = first_slot(schedule_of(monitor), now)
    monitor.created_by = user  # type: ignore[assignment]
    monitor.save()
    activity_record(user=user, verb="changed", kind="monitor", workspace=monitor.workspace, object_id=monitor.pk,
                    name=monitor.name)
    return monitor


def monitor_delete(*, user: AbstractBaseUser, monitor: Monitor) -> None:
    """Delete the monitor; its runs stay as ordinary runs."""
    access.ensure_role(user, monitor.workspace, "edit")
    activity_record(user=user, verb="deleted", kind="monitor", workspace=monitor.workspace, object_id=monitor.pk,
                    name=monitor.name)
    monitor.delete()


def monitor_pause(*, user: AbstractBaseUser, monitor: Monitor) -> Monitor:
    return monitor_update(user=user, monitor=monitor, paused=True)


def monitor_resume(*, user: AbstractBaseUser, monitor: Monitor, now: datetime | None = None) -> Monitor:
    """Runs again from now: slots that passed while paused are not made up."""
    return monitor_update(user=user, monitor=monitor, paused=False, now=now)


def monitor_run_now(*, user: AbstractBaseUser, monitor: Monitor, dispatch: Any = None) -> Run:
    """Start one run at once (editors and owners), beside the schedule."""
    access.ensure_role(user, monitor.workspace, "edit")
    with transaction.atomic():
        run = monitor_run_create(monitor)
        (dispatch or runs.run_dispatch)(run)
    return run


def monitors_follow_move(*, user: AbstractBaseUser, monitors: QuerySet[Monitor], collection: Collection) -> None:
    """`monitors`, whose collection or folder has just moved into `collection`, go with it. Into
    another workspace they move there too (a monitor never runs another workspace's requests, nor
    shows them to its old members), without their environment, which stays behind, and paused,
    until an editor there chooses one: the activity feed says so."""
    monitors.exclude(collection=collection).filter(workspace_id=collection.workspace_id).update(collection=collection)
    leaving = list(monitors.exclude(workspace_id=collection.workspace_id).values_list("pk", "name", "workspace_id"))
    for pk, name, old_workspace in leaving:
        for workspace in (old_workspace, collection.workspace_id):
            activity_record(user=user, verb="moved", kind="monitor", workspace=workspace, object_id=pk, name=name,
                            detail={"to": collection.name, "paused": "its environment stayed in the old workspace"})
    Monitor.objects.filter(pk__in=[row[0] for row in leaving]).update(
        workspace_id=collection.workspace_id, collection=collection, environment=None, paused=True, next_run_at=None)


def monitors_delete_with(*, user: AbstractBaseUser, monitors: QuerySet[Monitor], owner: str) -> None:
    """Delete the monitors of a collection or folder being deleted (`owner` names it), each named in
    the activity feed; at once even when the requests go in the background, so none runs a target
    on its way out."""
    for pk, name, workspace in monitors.values_list("pk", "name", "workspace_id"):
        activity_record(user=user, verb="deleted", kind="monitor", workspace=workspace, object_id=pk, name=name,
                        detail={"with": owner})
    monitors.delete()


def monitor_run_create(monitor: Monitor, *, now: datetime | None = None) -> Run:
    """The monitor's next run: an ordinary queued Run marked with its monitor. A target that cannot
    run (emptied, too big) gives a failed run saying why, so the monitor fails and notifies."""
    target: dict[str, Any] = {"folder": monitor.folder} if monitor.folder_id else {"collection": monitor.collection}
    try:
        if monitor.created_by is None or access.role_for(monitor.created_by, monitor.workspace_id) is None:
            raise ValidationFailed(RUNNER_GONE, code="runner_gone")  # never runs on a former member's rights
        run = runs.run_create(workspace=monitor.workspace, created_by=monitor.created_by,
                              environment=monitor.environment, **target)
    except ValidationFailed as error:
        return Run.objects.create(
            workspace=monitor.workspace, created_by=monitor.created_by, collection=monitor.collection,
            folder=monitor.folder, title=monitor.name[:300], environment=monitor.environment,
            environment_name=monitor.environment.name if monitor.environment else "", monitor=monitor,
            state=Run.State.FAILED, error=error.message, finished_at=now or timezone.now(),
            created_at=now or timezone.now(),
        )
    stamped: dict[str, Any] = {"monitor": monitor, "title": monitor.name[:300]}
    if now is not None:
        stamped["created_at"] = now  # the scheduler's clock (a test's or the benchmark's)
    Run.objects.filter(pk=run.pk).update(**stamped)
    for name, value in stamped.items():
        setattr(run, name, value)
    return run

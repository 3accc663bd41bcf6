"""The Monitors pages: the workspace's monitors (state, strip of recent runs, next run, pause,
resume, run now), the create/edit form, and one monitor's page (response-time chart, history,
notifications).

Each view: check access, parse input, call one service (requests_app.services.monitors), render.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from requests_app import access, keyset
from requests_app.models import Monitor, Workspace
from requests_app.monitor_schedule import MAX_EVERY_MINUTES, upcoming
from requests_app.services import monitor_pages
from requests_app.services import monitors as monitor_services
from requests_app.services.errors import NotFound, ValidationFailed
from requests_app.services.pickers import location_choices
from requests_app.views.common import can_edit, in_workspace, workspace_for
from requests_app.web import HtmxHttpRequest

RUNS_SHOWN = 50
DELIVERIES_SHOWN = 30
COMMON_ZONES = ("UTC", "Europe/London", "Europe/Berlin", "Europe/Paris", "America/New_York", "America/Chicago",
                "America/Los_Angeles", "America/Sao_Paulo", "Asia/Kolkata", "Asia/Singapore", "Asia/Tokyo",
                "Australia/Sydney")
NOT_A_NUMBER = "must be a whole number"
# The form's words for the service's field names, so an error reads as the page does.
FIELD_LABELS = {"name": "Name", "collection": "What to run", "folder": "What to run", "every_minutes": "Every … minutes",
                "cron_expression": "Cron", "timezone": "Time zone", "schedule_kind": "Schedule",
                "notify_emails": "E-mail addresses", "webhook_url": "Webhook URL"}


def _said(error: ValidationFailed) -> str:
    """The error with the form's label for its field: “Cron: not a cron expression (…)”."""
    if len(error.fields) != 1:
        return error.message
    field, messages = next(iter(error.fields.items()))
    label = FIELD_LABELS.get(field.split("[")[0], field)
    return f"{label}: {messages[0]}" if messages else error.message


def _monitor_in(request: HttpRequest, workspace: Workspace, monitor_id: int, need: access.Need = "read") -> Monitor:
    monitor = monitor_services.get_monitor_for_user(request.user, monitor_id, need=need)
    if monitor.workspace_id != workspace.pk:
        raise NotFound("Monitor not found.")
    return monitor


def _form_values(request: HttpRequest, workspace: Workspace, post: QueryDict) -> dict[str, Any]:
    """The form's fields as service arguments; the target and environment looked up through access."""
    user = request.user
    values: dict[str, Any] = {
        "name": post.get("name", ""),
        "schedule_kind": post.get("schedule_kind", "interval"),
        "cron_expression": post.get("cron_expression", ""),
        "timezone": post.get("timezone", "") or "UTC",
        "notify_emails": post.get("notify_emails", ""),
        "webhook_url": post.get("webhook_url", ""),
        "notify_on_state_change": post.get("notify_on_state_change") == "on",
        "notify_on_every_failure": post.get("notify_on_every_failure") == "on",
        "alert_on_shape_change": post.get("alert_on_shape_change") == "on",
    }
    minutes = post.get("every_minutes", "").strip() or "5"
    if not minutes.isdigit():
        raise ValidationFailed.for_field("every_minutes", NOT_A_NUMBER)
    values["every_minutes"] = int(minutes)
    kind, _, object_id = post.get("target", "").partition(":")
    values["collection"] = values["folder"] = None
    if kind == "c":
        values["collection"] = in_workspace(access.get_collection_for_user(user, object_id), workspace)
    elif kind == "f":
        values["folder"] = in_workspace(access.get_folder_for_user(user, object_id), workspace)
    environment_id = post.get("environment")
    values["environment"] = (in_workspace(access.get_environment_for_user(user, environment_id), workspace)
                             if environment_id else None)
    return values


def _form_context(request: HttpRequest, workspace: Workspace, **extra: Any) -> dict[str, Any]:
    return {
        "workspace": workspace,
        "role": workspace.user_role,  # type: ignore[attr-defined]
        "section": "monitors",
        # a page of places, the rest found by the search box (services/pickers.py)
        "locations": location_choices(user=request.user, workspace=workspace,
                                      chosen=str((extra.get("form") or {}).get("target") or "")[:40]),
        "environments": access.environments_for_user(request.user, workspace=workspace).order_by("name"),
        "zones": COMMON_ZONES,
        "max_every_minutes": MAX_EVERY_MINUTES,
        **extra,
    }


def _form_of(monitor: Monitor) -> dict[str, Any]:
    return {
        "name": monitor.name,
        "target": f"f:{monitor.folder_id}" if monitor.folder_id else f"c:{monitor.collection_id}",
        "environment": str(monitor.environment_id or ""),
        "schedule_kind": monitor.schedule_kind,
        "every_minutes": str(monitor.every_minutes),
        "cron_expression": monitor.cron_expression,
        "timezone": monitor.timezone,
        "notify_emails": ", ".join(monitor.notify_emails or []),
        "webhook_url": monitor.webhook_url,
        "notify_on_state_change": monitor.notify_on_state_change,
        "notify_on_every_failure": monitor.notify_on_every_failure,
        "alert_on_shape_change": monitor.alert_on_shape_change,
    }


NEW_FORM = {"schedule_kind": "interval", "every_minutes": "5", "timezone": "UTC", "notify_on_state_change": True}


@require_GET
def monitors_page(request: HtmxHttpRequest, workspace_id: int) -> HttpResponse:
    workspace = workspace_for(request, workspace_id)
    monitors = list(monitor_services.monitors_for_user(request.user, workspace=workspace)
                    .select_related("collection", "folder", "environment"))
    template = "requests_app/monitors/list.html" + ("#monitor-table" if request.htmx else "")
    return render(request, template, {
        "workspace": workspace, "role": workspace.user_role, "section": "monitors",  # type: ignore[attr-defined]
        "rows": monitor_pages.monitor_list_rows(monitors), "can_edit": can_edit(workspace),
    })


@require_http_methods(["GET", "POST"])
def monitor_new(request: HttpRequest, workspace_id: int) -> HttpResponse:
    workspace = workspace_for(request, workspace_id, need="edit")
    if request.method == "GET":
        form = {**NEW_FORM, "target": request.GET.get("target", "")}
        return render(request, "requests_app/monitors/form.html", _form_context(request, workspace, form=form))
    try:
        monitor = monitor_services.monitor_create(user=request.user, workspace=workspace,
                                                  **_form_values(request, workspace, request.POST))
    except ValidationFailed as error:
        context = _form_context(request, workspace, form=request.POST, error=_said(error), fields=error.fields)
        return render(request, "requests_app/monitors/form.html", context, status=400)
    return redirect("monitor_page", workspace.pk, monitor.pk)


@require_http_methods(["GET", "POST"])
def monitor_edit(request: HttpRequest, workspace_id: int, monitor_id: int) -> HttpResponse:
    workspace = workspace_for(request, workspace_id, need="edit")
    monitor = _monitor_in(request, workspace, monitor_id, need="edit")
    if request.method == "GET":
        context = _form_context(request, workspace, form=_form_of(monitor), monitor=monitor)
        return render(request, "requests_app/monitors/form.html", context)
    try:
        monitor_services.monitor_update(user=request.user, monitor=monitor,
                                        **_form_values(request, workspace, request.POST))
    except ValidationFailed as error:
        context = _form_context(request, workspace, form=request.POST, monitor=monitor, error=_said(error),
                                fields=error.fields)
        return render(request, "requests_app/monitors/form.html", context, status=400)
    return redirect("monitor_page", workspace.pk, monitor.pk)


@require_GET
def monitor_page(request: HttpRequest, workspace_id: int, monitor_id: int) -> HttpResponse:
    workspace = workspace_for(request, workspace_id)
    monitor = _monitor_in(request, workspace, monitor_id)
    runs = monitor_services.monitor_runs(monitor=monitor).select_related("created_by")
    try:
        page = keyset.page(runs, order=monitor_services.MONITOR_RUN_ORDER, cursor=request.GET.get("runs", "")[:200],
                           limit=RUNS_SHOWN)
    except ValidationFailed:  # an old or edited link: the newest runs
        page = keyset.page(runs, order=monitor_services.MONITOR_RUN_ORDER, limit=RUNS_SHOWN)
    role = workspace.user_role  # type: ignore[attr-defined]
    deliveries = list(monitor.deliveries.order_by(*monitor_pages.MONITOR_DELIVERY_ORDER)[:DELIVERIES_SHOWN])
    for delivery in deliveries:
        if delivery.channel == delivery.Channel.WEBHOOK:
            delivery.target = monitor_services.webhook_shown(delivery.target, role)
    return render(request, "requests_app/monitors/detail.html", {
        "workspace": workspace, "role": role, "section": "monitors",
        "monitor": monitor, "schedule": monitor_services.schedule_of(monitor).describe(),
        "upcoming": upcoming(monitor_services.schedule_of(monitor), monitor.next_run_at) if monitor.next_run_at else [],
        "upcoming_zone": monitor.timezone if monitor.schedule_kind == Monitor.ScheduleKind.CRON else "UTC",
        "webhook_url": monitor_services.webhook_shown(monitor.webhook_url, role),
        "runs": page, "chart": monitor_pages.response_time_chart(monitor), "deliveries": deliveries,
        "can_edit": can_edit(workspace),
    })


def _back(request: HttpRequest, workspace: Workspace, monitor: Monitor) -> HttpResponse:
    """To the page the button was on: the list or the monitor's page."""
    if request.POST.get("back") == "list":
        return redirect("monitors", workspace.pk)
    return redirect("monitor_page", workspace.pk, monitor.pk)


def _paused_or_resumed(request: HttpRequest, workspace_id: int, monitor_id: int, change: Any) -> HttpResponse:
    workspace = workspace_for(request, workspace_id, need="edit")
    monitor = _monitor_in(request, workspace, monitor_id, need="edit")
    change(user=request.user, monitor=monitor)
    return _back(request, workspace, monitor)


@require_POST
def monitor_pause_view(request: HttpRequest, workspace_id: int, monitor_id: int) -> HttpResponse:
    return _paused_or_resumed(request, workspace_id, monitor_id, monitor_services.monitor_pause)


@require_POST
def monitor_resume_view(request: HttpRequest, workspace_id: int, monitor_id: int) -> HttpResponse:
    return _paused_or_resumed(request, workspace_id, monitor_id, monitor_services.monitor_resume)


@require_POST
def monitor_run_view(request: HttpRequest, workspace_id: int, monitor_id: int) -> HttpResponse:
    workspace = workspace_for(request, workspace_id, need="edit")
    monitor = _monitor_in(request, workspace, monitor_id, need="edit")
    run = monitor_services.monitor_run_now(user=request.user, monitor=monitor)
    return redirect("run_page", workspace.pk, run.pk)


@require_POST
def monitor_delete_view(request: HttpRequest, workspace_id: int, monitor_id: int) -> HttpResponse:
    workspace = workspace_for(request, workspace_id, need="edit")
    monitor = _monitor_in(request, workspace, monitor_id, need="edit")
    monitor_services.monitor_delete(user=request.user, monitor=monitor)
    return redirect("monitors", workspace.pk)

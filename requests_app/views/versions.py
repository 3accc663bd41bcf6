"""Change history on the page: the request editor's History tab, the environment dialog's history,
restoring a version (a new version), and the conflict view shown when a save comes too late."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from requests_app import access
from requests_app.models import Environment, SavedRequest
from requests_app.services.errors import ServiceError, VersionConflict
from requests_app.services.revisions import (
    ENVIRONMENT_FIELDS,
    REQUEST_FIELDS,
    FieldChange,
    diff,
    environment_version_restore,
    latest_change,
    request_version_restore,
    revision_page,
    snapshot,
)
from requests_app.views.common import can_edit, in_workspace, with_events, workspace_for
from requests_app.web import HtmxHttpRequest

VERSIONS_SHOWN = 30  # newest first; "Show older versions" brings the next page


@dataclass
class ConflictView:
    """What "Changed by bob 2 minutes ago" shows: who, when, and their fields beside yours."""

    changed_by: str
    changed_at: datetime | None
    current_version: int
    your_version: int
    rows: list[FieldChange]  # before = theirs (stored), after = yours (not saved)


def conflict_view(current: SavedRequest | Environment, yours: dict[str, Any], your_version: int) -> ConflictView:
    """Compare the stored object with the caller's unsaved values (both masked for display)."""
    fields = REQUEST_FIELDS if isinstance(current, SavedRequest) else ENVIRONMENT_FIELDS
    theirs = snapshot(current)
    compared = tuple(name for name in fields if name in yours)
    changed_by, changed_at = latest_change(current)
    return ConflictView(changed_by, changed_at, current.version, your_version,
                        diff(theirs, {**theirs, **yours}, compared))  # fmt: skip


# ---------------------------------------------------------------- history and restore


@dataclass(frozen=True)
class _Kind:
    """How the page shows and restores the history of one kind of object."""

    get_for_user: Callable[..., Any]
    template: str
    restore_name: str
    restore: Callable[..., Any]
    keyword: str
    reopen_name: str  # where the page goes after a restore: the editor, or the environment dialog
    reopen_target: str
    event: str


REQUESTS = _Kind(access.get_request_for_user, "requests_app/editor/versions.html", "request_version_restore",
                 request_version_restore, "saved_request", "request_open", "#editor", "tree-changed")
ENVIRONMENTS = _Kind(access.get_environment_for_user, "requests_app/dialogs/environment_versions.html",
                     "environment_version_restore", environment_version_restore, "environment", "environment_edit",
                     "#dialog-body", "environments-changed")  # fmt: skip


def _versions(request: HttpRequest, kind: _Kind, workspace_id: int, obj_id: int) -> HttpResponse:
    """The newest versions, what changed, and Restore buttons for editors (viewers read only);
    with `cursor`, the next page only (keyset on the version number), put in place of the
    "Show older versions" button."""
    workspace = workspace_for(request, workspace_id)
    obj = in_workspace(kind.get_for_user(request.user, obj_id), workspace)
    cursor = request.GET.get("cursor", "")[:200]
    try:
        found = revision_page(user=request.user, obj=obj, cursor=cursor, limit=VERSIONS_SHOWN)
    except ServiceError as error:
        return HttpResponse(error.message, status=error.http_status, content_type="text/plain; charset=utf-8")
    context = {
        "workspace": workspace,
        "can_edit": can_edit(workspace),
        "versions": found.items,
        "next_url": f"{request.path}?{urlencode({'cursor': found.next_cursor})}" if found.next_cursor else "",
        "restore_name": kind.restore_name,
        "obj": obj,
    }
    return render(request, "requests_app/teams/versions_list.html" if cursor else kind.template, context)


def _restore(request: HtmxHttpRequest, kind: _Kind, workspace_id: int, obj_id: int, number: int) -> HttpResponse:
    """Restore a version (as a new one), then reopen the object where the page shows it."""
    workspace = workspace_for(request, workspace_id)
    obj = in_workspace(kind.get_for_user(request.user, obj_id, need="edit"), workspace)
    try:
        kind.restore(user=request.user, **{kind.keyword: obj}, number=number,
                     version=access.parse_id(request.POST.get("version")))
    except VersionConflict:
        pass  # someone saved meanwhile: the page reopens at their version, which History lists
    url = reverse(kind.reopen_name, args=[workspace.pk, obj.pk])
    if not request.htmx:
        return redirect(url)
    response = HttpResponse(status=204)
    response["HX-Location"] = json.dumps({"path": url, "target": kind.reopen_target})
    return with_events(response, kind.event)


@require_GET
def request_versions(request: HttpRequest, workspace_id: int, request_id: int) -> HttpResponse:
    """The History tab of the request editor."""
    return _versions(request, REQUESTS, workspace_id, request_id)


@require_POST
def request_version_restore_view(request: HttpRequest, workspace_id: int, request_id: int, number: int) -> HttpResponse:
    return _restore(request, REQUESTS, workspace_id, request_id, number)


@require_GET
def environment_versions(request: HttpRequest, workspace_id: int, environment_id: int) -> HttpResponse:
    """The environment dialog's history (secret values masked in every version)."""
    return _versions(request, ENVIRONMENTS, workspace_id, environment_id)


@require_POST
def environment_version_restore_view(
    request: HttpRequest, workspace_id: int, environment_id: int, number: int
) -> HttpResponse:
    return _restore(request, ENVIRONMENTS, workspace_id, environment_id, number)

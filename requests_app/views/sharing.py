"""Sharing: a short link to a saved request, and moving or copying between workspaces."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from requests_app import access
from requests_app.forms import SaveAsForm
from requests_app.models import Workspace
from requests_app.services.collections import collection_transfer
from requests_app.services.errors import ValidationFailed
from requests_app.services.pickers import editable_location_choices
from requests_app.services.saved_requests import request_copy, request_move
from requests_app.views.common import in_workspace, with_events, workspace_for
from requests_app.web import HtmxHttpRequest

MODES = (("move", "Move"), ("copy", "Copy"))


@require_GET
def request_share(request: HttpRequest, request_id: int) -> HttpResponse:
    """/r/<id>: open a saved request in its workspace, for any member (404 for everyone else)."""
    saved = access.get_request_for_user(request.user, request_id)
    return redirect("request_open", workspace_id=saved.collection.workspace_id, request_id=saved.pk)


def _done(request: HtmxHttpRequest, workspace: Workspace) -> HttpResponse:
    if not request.htmx:
        return redirect("workspace", workspace_id=workspace.pk)
    return with_events(HttpResponse(status=204), "tree-changed", "dialog-close")


@require_http_methods(["GET", "POST"])
def request_transfer(request: HttpRequest, workspace_id: int, request_id: int) -> HttpResponse:
    """Move or copy a request into a collection or folder of any workspace the user can edit."""
    workspace = workspace_for(request, workspace_id)
    saved = in_workspace(access.get_request_for_user(request.user, request_id, need="edit"), workspace)
    context: dict[str, Any] = {
        "workspace": workspace,
        "saved": saved,
        # a page of places per workspace, the rest found by the search box (services/pickers.py)
        "groups": editable_location_choices(user=request.user, q=request.GET.get("q", ""),
                                            chosen=request.POST.get("location", "")[:40]),
        "modes": MODES,
        "mode": request.POST.get("mode", "move"),
        "location": request.POST.get("location", ""),
    }
    if request.method == "GET":
        part = "#groups" if "q" in request.GET else ""  # the search box asks for the options only
        return render(request, f"requests_app/dialogs/transfer_request.html{part}", context)
    form = SaveAsForm({"name": saved.name, "location": request.POST.get("location", "")})
    try:
        if not form.is_valid():
            raise ValidationFailed.for_field("location", "Choose a collection or folder.")
        kind, target_id = form.target()
        folder = access.get_folder_for_user(request.user, target_id, need="edit") if kind == "folder" else None
        collection = (
            access.get_collection_for_user(request.user, target_id, need="edit") if kind == "collection" else None
        )
        if request.POST.get("mode") == "copy":
            request_copy(user=request.user, saved_request=saved, collection=collection, folder=folder)
        else:
            request_move(user=request.user, saved_request=saved, folder=folder, collection=collection)
    except ValidationFailed as error:
        return render(request, "requests_app/dialogs/transfer_request.html", {**context, "error": error.message})
    return _done(request, workspace)


@require_http_methods(["GET", "POST"])
def collection_transfer_view(request: HttpRequest, workspace_id: int, collection_id: int) -> HttpResponse:
    """Move or copy a whole collection to another workspace the user can edit."""
    workspace = workspace_for(request, workspace_id)
    collection = in_workspace(access.get_collection_for_user(request.user, collection_id, need="edit"), workspace)
    targets = [ws for ws in access.workspaces_for_user(request.user) if access.can_edit(ws.user_role)]  # type: ignore[attr-defined]
    context: dict[str, Any] = {
        "workspace": workspace,
        "collection": collection,
        "targets": targets,
        "modes": MODES,
        "mode": request.POST.get("mode", "move"),
        "target_id": request.POST.get("workspace", ""),
    }
    if request.method == "GET":
        return render(request, "requests_app/dialogs/transfer_collection.html", context)
    try:
        target = access.get_workspace_for_user(request.user, request.POST.get("workspace", ""), need="edit")
        collection_transfer(user=request.user, collection=collection, workspace=target,
                            copy=request.POST.get("mode") == "copy")
    except ValidationFailed as error:
        return render(request, "requests_app/dialogs/transfer_collection.html", {**context, "error": error.message})
    return _done(request, workspace)

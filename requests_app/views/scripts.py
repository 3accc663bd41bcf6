"""Scripts dialogs of collections and folders (the request editor has its own Scripts tab)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from requests_app import access
from requests_app.forms import scripts_from_editor
from requests_app.services.collections import collection_update
from requests_app.services.errors import ServiceError, VersionConflict
from requests_app.services.folders import folder_update
from requests_app.views.common import in_workspace, workspace_for
from requests_app.views.tree import _changed

CONFLICT = "Someone changed these scripts meanwhile. Close this dialog and open it again to see their version."


def _dialog(request: HttpRequest, *, obj: Any, title: str, action: str, save: Callable[[dict[str, str], int], Any],
            done: Callable[[], HttpResponse]) -> HttpResponse:
    scripts = dict(obj.scripts or {})
    context: dict[str, Any] = {"title": title, "action": action, "scripts": scripts, "version": obj.version}
    if request.method == "POST":
        edited = scripts_from_editor(request.POST, scripts) or {}
        version = access.parse_id(request.POST.get("version")) or 0
        try:
            save(edited, version)
            return done()
        except VersionConflict:
            context["error"] = CONFLICT
        except ServiceError as error:
            context["error"] = error.message
        context["scripts"] = edited
    return render(request, "requests_app/dialogs/scripts.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def collection_scripts(request: HttpRequest, workspace_id: int, collection_id: int) -> HttpResponse:
    workspace = workspace_for(request, workspace_id)
    collection = in_workspace(access.get_collection_for_user(request.user, collection_id, need="edit"), workspace)
    return _dialog(
        request,
        obj=collection,
        title=f"Scripts of the collection {collection.name}",
        action=reverse("collection_scripts", args=[workspace.pk, collection.pk]),
        save=lambda scripts, version: collection_update(user=request.user, collection=collection, version=version, scripts=scripts),
        done=lambda: _changed(request, workspace, "dialog-close"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def folder_scripts(request: HttpRequest, workspace_id: int, folder_id: int) -> HttpResponse:
    workspace = workspace_for(request, workspace_id)
    folder = in_workspace(access.get_folder_for_user(request.user, folder_id, need="edit"), workspace)
    return _dialog(
        request,
        obj=folder,
        title=f"Scripts of the folder {folder.name}",
        action=reverse("folder_scripts", args=[workspace.pk, folder.pk]),
        save=lambda scripts, version: folder_update(user=request.user, folder=folder, version=version, scripts=scripts),
        done=lambda: _changed(request, workspace, "dialog-close"),
    )

"""Scripts dialogs of collections and folders (the request editor has its own Scripts tab)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from requests_app import access
from requests_app.forms import scripts_from_editor
from requests_app.models import Workspace
from requests_app.services.collections import collection_update
from requests_app.services.errors import ServiceError, VersionConflict
from requests_app.services.folders import folder_update
from requests_app.views.tree import dialog_closed, item_dialog

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


def _scripts(kind: str, update: Callable[[Any, Any, int, dict[str, str]], Any]) -> Callable[..., HttpResponse]:
    def dialog(request: HttpRequest, workspace: Workspace, item: Any) -> HttpResponse:
        return _dialog(
            request,
            obj=item,
            title=f"Scripts of the {kind} {item.name}",
            action=reverse(f"{kind}_scripts", args=[workspace.pk, item.pk]),
            save=lambda scripts, version: update(request.user, item, version, scripts),
            done=lambda: dialog_closed(request, workspace),
        )

    return item_dialog(kind, dialog)


collection_scripts = _scripts(
    "collection",
    lambda user, item, version, scripts: collection_update(user=user, collection=item, version=version, scripts=scripts),
)
folder_scripts = _scripts(
    "folder", lambda user, item, version, scripts: folder_update(user=user, folder=item, version=version, scripts=scripts)
)

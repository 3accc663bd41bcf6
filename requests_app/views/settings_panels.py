"""Settings of a collection (description, default auth, variables) and of a folder
(description; auth and variables come from its collection), as dialogs opened from the tree.

Viewers see them read-only. Saving goes through collection_update / folder_update with the
version shown, so someone else's newer save is never overwritten.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from requests_app import access
from requests_app.engine.spec import auth_from_dict
from requests_app.forms import EditorInputError, collection_settings_from_form
from requests_app.models import Collection, Folder, Workspace
from requests_app.services.collections import collection_update
from requests_app.services.errors import ServiceError
from requests_app.services.folders import folder_update
from requests_app.views.common import AUTH_TYPES, can_edit, in_workspace, with_events, workspace_for

# The kinds this dialog has fields for; a collection with another kind (set through the API)
# keeps it untouched and the dialog says so.
COLLECTION_AUTH_TYPES = tuple(
    (value, label) for value, label in AUTH_TYPES if value in ("none", "basic", "bearer", "apikey", "digest")
)


def _auth_summary(auth: dict | None) -> str:  # type: ignore[type-arg]
    """What a request that inherits this auth sends, said without the secret itself."""
    if not auth or auth.get("type") in (None, "", "none"):
        return "No auth: requests that inherit send no credentials."
    parsed = auth_from_dict(auth)
    if parsed.type in ("basic", "digest"):
        return f"{parsed.type.title()} auth as “{parsed.username}”."
    if parsed.type == "bearer":
        return "A bearer token in the Authorization header."
    if parsed.type == "apikey":
        where = "header" if parsed.location == "header" else "query parameter"
        return f"An API key in the {where} “{parsed.key}”."
    return f"{dict(AUTH_TYPES).get(parsed.type, parsed.type)} auth."


def _collection_context(workspace: Workspace, collection: Collection, **extra: object) -> dict[str, object]:
    auth = collection.auth or {"type": "none"}
    return {
        "workspace": workspace,
        "collection": collection,
        "can_edit": can_edit(workspace),
        "auth": auth_from_dict(auth) if auth.get("type") not in (None, "", "none") else None,
        "auth_type": auth.get("type") or "none",
        "auth_types": COLLECTION_AUTH_TYPES,
        "auth_kept": dict(AUTH_TYPES).get(auth.get("type") or "none", auth.get("type"))
        if (auth.get("type") or "none") not in dict(COLLECTION_AUTH_TYPES) else "",
        "auth_summary": _auth_summary(auth),
        "variables": collection.variables or [],
        **extra,
    }


def _saved() -> HttpResponse:
    # the tree shows new names; {{variables}} highlighting reads the new values
    response = HttpResponse(status=204)
    response["HX-Reswap"] = "none"
    return with_events(response, "tree-changed", "variables-changed", "dialog-close")


@require_http_methods(["GET", "POST"])
def collection_settings(request: HttpRequest, workspace_id: int, collection_id: int) -> HttpResponse:
    workspace = workspace_for(request, workspace_id)
    need: access.Need = "edit" if request.method == "POST" else "read"
    collection = in_workspace(access.get_collection_for_user(request.user, collection_id, need=need), workspace)
    if request.method == "GET":
        return render(request, "requests_app/dialogs/collection_settings.html", _collection_context(workspace, collection))
    try:
        values = collection_settings_from_form(request.POST)
        collection_update(
            user=request.user,
            collection=collection,
            version=int(request.POST.get("version") or 0),
            name=request.POST.get("name", collection.name),
            **values,
        )
    except (EditorInputError, ServiceError) as error:
        collection.refresh_from_db()
        context = _collection_context(workspace, collection, error=error.message)
        return render(request, "requests_app/dialogs/collection_settings.html", context)
    return _saved()


@require_http_methods(["GET", "POST"])
def folder_settings(request: HttpRequest, workspace_id: int, folder_id: int) -> HttpResponse:
    workspace = workspace_for(request, workspace_id)
    need: access.Need = "edit" if request.method == "POST" else "read"
    folder: Folder = in_workspace(access.get_folder_for_user(request.user, folder_id, need=need), workspace)
    context = {
        "workspace": workspace,
        "folder": folder,
        "collection": folder.collection,
        "can_edit": can_edit(workspace),
        "auth_summary": _auth_summary(folder.collection.auth),
        "variables": folder.collection.variables or [],
    }
    if request.method == "GET":
        return render(request, "requests_app/dialogs/folder_settings.html", context)
    try:
        folder_update(
            user=request.user,
            folder=folder,
            version=int(request.POST.get("version") or 0),
            name=request.POST.get("name", folder.name),
            description=request.POST.get("description", "").replace("\r\n", "\n"),
        )
    except ServiceError as error:
        folder.refresh_from_db()
        return render(request, "requests_app/dialogs/folder_settings.html", {**context, "error": error.message})
    return _saved()

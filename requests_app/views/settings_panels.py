"""Settings of a collection and of a folder (description, auth, variables), as dialogs opened
from the tree's ⋯ menu.

Viewers see them read-only, credentials as the mask (services.masking): a viewer may send what
the auth holds, never read it. Saving goes through collection_update / folder_update with the
version shown, so someone else's newer save is never overwritten.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from requests_app import access
from requests_app.engine.spec import auth_from_dict
from requests_app.forms import (
    EditorInputError,
    collection_settings_from_form,
    folder_settings_from_form,
    settings_as_typed,
)
from requests_app.models import Collection, Folder, Workspace
from requests_app.services.collections import collection_update
from requests_app.services.errors import ServiceError, VersionConflict
from requests_app.services.folders import folder_update
from requests_app.services.inheritance import folder_chain, inherited_auth, inherits
from requests_app.services.masking import credentials_masked
from requests_app.views.common import (
    AUTH_TYPES,
    OAUTH2_GRANT_LABELS,
    can_edit,
    in_workspace,
    with_events,
    workspace_for,
)

# Every kind a request has, the editor's fields for AWS Signature and OAuth 2.0 included (a
# collection cannot inherit; a folder can).
COLLECTION_AUTH_TYPES = tuple((value, label) for value, label in AUTH_TYPES if value != "inherit")
FOLDER_AUTH_TYPES = (("inherit", "Inherit from parent"), *COLLECTION_AUTH_TYPES)


def _auth_phrase(auth: dict[str, Any] | None) -> str:
    """What a request that inherits this auth sends, as the end of a sentence, without the secret."""
    if not auth or auth.get("type") in (None, "", "none"):
        return "no credentials"
    parsed = auth_from_dict(auth)
    if parsed.type in ("basic", "digest"):
        return f"{parsed.type.title()} auth as “{parsed.username}”"
    if parsed.type == "bearer":
        return "a bearer token in the Authorization header"
    if parsed.type == "apikey":
        where = "header" if parsed.location == "header" else "query parameter"
        return f"an API key in the {where} “{parsed.key}”"
    return f"{dict(AUTH_TYPES).get(parsed.type, parsed.type)} auth"


def _saved_auth_line(auth: dict[str, Any] | None, *, below: str) -> str:
    return f"As saved, requests {below} that inherit send {_auth_phrase(auth)}."


def _auth_fields(stored: Any, types: tuple[tuple[str, str], ...], *, editable: bool) -> dict[str, Any]:
    """The shared auth fields' context (dialogs/auth_fields.html); credentials masked for viewers."""
    auth = dict(stored or {}) or {"type": types[0][0]}
    kind = auth.get("type") or "none"
    shown = auth if editable else credentials_masked(auth)
    return {
        "auth": auth_from_dict(shown) if kind not in ("none", "inherit") else None,
        "auth_type": kind,
        "auth_types": types,
        "oauth2_grants": OAUTH2_GRANT_LABELS,
    }


def _collection_context(workspace: Workspace, collection: Collection, **extra: object) -> dict[str, object]:
    editable = can_edit(workspace)
    return {
        "workspace": workspace,
        "collection": collection,
        "can_edit": editable,
        **_auth_fields(collection.auth or {"type": "none"}, COLLECTION_AUTH_TYPES, editable=editable),
        "saved_auth_type": (collection.auth or {}).get("type") or "none",
        "auth_summary": _saved_auth_line(collection.auth, below="of the collection"),
        "variables": collection.variables or [],
        **extra,
    }


def _folder_context(workspace: Workspace, folder: Folder, **extra: object) -> dict[str, object]:
    editable = can_edit(workspace)
    chain = folder_chain(folder)
    # what "Inherit from parent" gives here: the parent folders', else the collection's
    parent = inherited_auth(None, chain[1:], folder.collection)
    return {
        "workspace": workspace,
        "folder": folder,
        "collection": folder.collection,
        "can_edit": editable,
        **_auth_fields(folder.auth if not inherits(folder.auth) else {"type": "inherit"}, FOLDER_AUTH_TYPES,
                       editable=editable),
        "saved_auth_type": "inherit" if inherits(folder.auth) else (folder.auth or {}).get("type") or "none",
        "auth_summary": _saved_auth_line(inherited_auth(None, chain, folder.collection).auth, below="in this folder"),
        "parent_auth": f"Inherit from parent: the {parent.where} sends {_auth_phrase(parent.auth)}."
        if parent.owner is not None else "Inherit from parent: nothing above sets auth, so no credentials are sent.",
        "variables": folder.variables or [],
        **extra,
    }


def _failed_save(request: HttpRequest, template: str, context_for: Any, workspace: Workspace, obj: Collection | Folder,
                 error: EditorInputError | ServiceError) -> HttpResponse:
    """The dialog again after a save that failed. A version conflict shows what the other person
    saved (to apply the change again on); a mistake in what was typed shows the dialog as typed
    (`obj` holds it, not saved), so nothing typed is lost."""
    obj.refresh_from_db()
    if isinstance(error, VersionConflict):
        return render(request, template, context_for(workspace, obj, error=error.message))
    saved = context_for(workspace, obj)
    typed = settings_as_typed(request.POST)
    obj.name, obj.description, obj.variables = typed["name"] or obj.name, typed["description"], typed["variables"]
    if typed["auth"] is not None:
        obj.auth = typed["auth"]
    context = context_for(workspace, obj, error=error.message, extra_params_text=typed["extra_params_text"])
    # the "As saved, …" line stays about what is saved, not about what failed to save
    context.update(saved_auth_type=saved["saved_auth_type"], auth_summary=saved["auth_summary"])
    return render(request, template, context)


def _version(request: HttpRequest) -> int:
    """The version the dialog showed; anything else is 0, which the save answers as a conflict."""
    value = request.POST.get("version") or ""
    return int(value) if value.isdigit() and len(value) < 10 else 0


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
            version=_version(request),
            name=request.POST.get("name", collection.name),
            **values,
        )
    except (EditorInputError, ServiceError) as error:
        return _failed_save(request, "requests_app/dialogs/collection_settings.html", _collection_context, workspace, collection, error)
    return _saved()


@require_http_methods(["GET", "POST"])
def folder_settings(request: HttpRequest, workspace_id: int, folder_id: int) -> HttpResponse:
    workspace = workspace_for(request, workspace_id)
    need: access.Need = "edit" if request.method == "POST" else "read"
    folder: Folder = in_workspace(access.get_folder_for_user(request.user, folder_id, need=need), workspace)
    if request.method == "GET":
        return render(request, "requests_app/dialogs/folder_settings.html", _folder_context(workspace, folder))
    try:
        values = folder_settings_from_form(request.POST)
        folder_update(
            user=request.user,
            folder=folder,
            version=_version(request),
            name=request.POST.get("name", folder.name),
            **values,
        )
    except (EditorInputError, ServiceError) as error:
        return _failed_save(request, "requests_app/dialogs/folder_settings.html", _folder_context, workspace, folder, error)
    return _saved()

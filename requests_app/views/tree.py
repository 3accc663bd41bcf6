"""The sidebar's collections tree: render, lazy folder children, create/rename/move/duplicate/delete.

Changes answer 204 with HX-Trigger "tree-changed" (the tree reloads itself, keeping open
folders open) and "dialog-close"; a form with errors is rendered again in the dialog.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from requests_app import access
from requests_app.forms import NameForm
from requests_app.models import Collection, DeleteJob, Folder, Workspace
from requests_app.search import workspace_search
from requests_app.services.collections import (
    collection_create,
    collection_delete,
    collection_update,
)
from requests_app.services.errors import ServiceError
from requests_app.services.folders import folder_create, folder_delete, folder_update
from requests_app.services.saved_requests import (
    request_create,
    request_delete,
    request_duplicate,
    request_update,
)
from requests_app.services.sidebar import sidebar_children, sidebar_collections, sidebar_drop, sidebar_move
from requests_app.views.common import (
    can_edit,
    in_workspace,
    open_in_editor,
    tree_for,
    with_events,
    workspace_for,
)
from requests_app.views.deletes import delete_started
from requests_app.web import HtmxHttpRequest


def _changed(request: HtmxHttpRequest, workspace: Workspace, *events: str) -> HttpResponse:
    if not request.htmx:
        return redirect("workspace", workspace_id=workspace.pk)
    return with_events(HttpResponse(status=204), "tree-changed", *events)


@require_GET
def sidebar_tree_view(request: HttpRequest, workspace_id: int) -> HttpResponse:
    workspace = workspace_for(request, workspace_id)
    current = request.GET.get("current", "")
    current_id = int(current) if current.isdigit() and len(current) < 19 else None
    context = {
        "workspace": workspace,
        "can_edit": can_edit(workspace),
        "tree": tree_for(request, workspace, current_id),
        "current_request_id": current_id,
    }
    return render(request, "requests_app/sidebar/tree.html#tree", context)


@require_GET
def sidebar_collections_view(request: HttpRequest, workspace_id: int) -> HttpResponse:
    """ "Show more collections": the next page of collection rows, each loading its items when seen."""
    workspace = workspace_for(request, workspace_id)
    context = {
        "workspace": workspace,
        "can_edit": can_edit(workspace),
        "tree": sidebar_collections(user=request.user, workspace=workspace, cursor=request.GET.get("cursor", "")[:100]),
    }
    return render(request, "requests_app/sidebar/tree.html#collections", context)


def _children(request: HttpRequest, workspace: Workspace, collection: Collection, folder: Folder | None) -> HttpResponse:
    """One page of a collection's root or a folder: the first when it is opened, the next on "Show more"."""
    depth_text = request.GET.get("depth", "1")
    depth = min(int(depth_text), 64) if depth_text.isdigit() and len(depth_text) < 4 else 1
    node = sidebar_children(user=request.user, collection=collection, folder=folder,
                            cursor=request.GET.get("cursor", "")[:100])
    context = {"workspace": workspace, "can_edit": can_edit(workspace), "node": node, "depth": depth}
    more = request.GET.get("more") == "1"
    return render(request, f"requests_app/sidebar/{'tree_items' if more else 'tree_children'}.html", context)


@require_GET
def folder_children(request: HttpRequest, workspace_id: int, folder_id: int) -> HttpResponse:
    workspace = workspace_for(request, workspace_id)
    folder = in_workspace(access.get_folder_for_user(request.user, folder_id), workspace)
    return _children(request, workspace, folder.collection, folder)


@require_GET
def collection_children(request: HttpRequest, workspace_id: int, collection_id: int) -> HttpResponse:
    workspace = workspace_for(request, workspace_id)
    collection = in_workspace(access.get_collection_for_user(request.user, collection_id), workspace)
    return _children(request, workspace, collection, None)


@require_GET
def sidebar_search(request: HttpRequest, workspace_id: int) -> HttpResponse:
    """Search hits for the box above the tree; empty query, empty answer; `more=1`: the next hits only."""
    workspace = workspace_for(request, workspace_id)
    context: dict[str, Any] = {"workspace": workspace, "more": request.GET.get("more") == "1"}
    if request.GET.get("q", "").strip():
        try:
            context["found"] = workspace_search(user=request.user, workspace=workspace, q=request.GET["q"],
                                                cursor=request.GET.get("cursor", "")[:200])
        except ServiceError as error:
            context["error"] = f"Search: {error.message}"
    part = "hits" if context["more"] and "found" in context else "results"
    return render(request, f"requests_app/sidebar/search_results.html#{part}", context)


# ---------------------------------------------------------------- name dialogs


def _name_dialog(
    request: HttpRequest,
    *,
    title: str,
    action: str,
    submit_label: str,
    initial: str,
    save: Callable[[str], Any],
    hidden: dict[str, str] | None = None,
    done: Callable[[Any], HttpResponse],
) -> HttpResponse:
    """GET shows a one-field dialog; POST validates, calls `save(name)`, then `done(result)`."""
    # unbound on GET: a dialog nobody has typed in yet shows no "This field is required."
    form = NameForm(request.POST) if request.method == "POST" else NameForm(initial={"name": initial})
    context = {"title": title, "action": action, "submit_label": submit_label, "form": form, "hidden": hidden or {}}
    if request.method == "POST" and form.is_valid():
        try:
            return done(save(form.cleaned_data["name"]))
        except ServiceError as error:
            context["error"] = error.message
    return render(request, "requests_app/dialogs/name.html", context)


def _parent_from_query(request: HttpRequest, workspace: Workspace) -> tuple[Collection, Folder | None]:
    """The collection (and folder) a new item goes in: ?folder=<id> or ?collection=<id>."""
    params = request.GET if request.method == "GET" else request.POST
    if params.get("folder"):
        folder = in_workspace(access.get_folder_for_user(request.user, params["folder"], need="edit"), workspace)
        collection = folder.collection
        collection.user_role = folder.user_role  # type: ignore[attr-defined]
        return collection, folder
    collection = access.get_collection_for_user(request.user, params.get("collection", ""), need="edit")
    return in_workspace(collection, workspace), None


@require_http_methods(["GET", "POST"])
def collection_create_view(request: HttpRequest, workspace_id: int) -> HttpResponse:
    workspace = workspace_for(request, workspace_id, need="edit")
    return _name_dialog(
        request,
        title="New collection",
        action=reverse("collection_create", args=[workspace.pk]),
        submit_label="Create",
        initial="",
        save=lambda name: collection_create(user=request.user, workspace=workspace, name=name),
        done=lambda _: _changed(request, workspace, "dialog-close"),
    )


@require_http_methods(["GET", "POST"])
def folder_create_view(request: HttpRequest, workspace_id: int) -> HttpResponse:
    workspace = workspace_for(request, workspace_id, need="edit")
    collection, parent = _parent_from_query(request, workspace)
    hidden = {"folder": str(parent.pk)} if parent else {"collection": str(collection.pk)}
    return _name_dialog(
        request,
        title=f"New folder in {parent.name if parent else collection.name}",
        action=reverse("folder_create", args=[workspace.pk]),
        submit_label="Create",
        initial="",
        hidden=hidden,
        save=lambda name: folder_create(user=request.user, collection=collection, parent=parent, name=name),
        done=lambda _: _changed(request, workspace, "dialog-close"),
    )


@require_http_methods(["GET", "POST"])
def request_create_view(request: HttpRequest, workspace_id: int) -> HttpResponse:
    """A new empty GET request in a collection or folder, then opened in the editor."""
    workspace = workspace_for(request, workspace_id, need="edit")
    collection, folder = _parent_from_query(request, workspace)
    hidden = {"folder": str(folder.pk)} if folder else {"collection": str(collection.pk)}

    return _name_dialog(
        request,
        title=f"New request in {folder.name if folder else collection.name}",
        action=reverse("request_create", args=[workspace.pk]),
        submit_label="Create",
        initial="",
        hidden=hidden,
        save=lambda name: request_create(user=request.user, collection=collection, folder=folder, name=name),
        done=lambda saved: open_in_editor(request, workspace, saved),
    )


def dialog_closed(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    """What a dialog answers once its change is saved: the tree reloads and the dialog closes."""
    return _changed(request, workspace, "dialog-close")


def item_dialog(kind: str, dialog: Callable[[HttpRequest, Workspace, Any], HttpResponse]) -> Callable[..., HttpResponse]:
    """A GET/POST dialog view about one collection, folder or request that editors may change: the
    item is looked up (404 outside the workspace, 403 for viewers), then `dialog(request, workspace, item)`."""

    @require_http_methods(["GET", "POST"])
    def view(request: HttpRequest, workspace_id: int, **item_ids: int) -> HttpResponse:
        workspace = workspace_for(request, workspace_id)
        (item_id,) = item_ids.values()
        item = in_workspace(_EDITABLE[kind](request.user, item_id, need="edit"), workspace)
        return dialog(request, workspace, item)

    return view


def _rename(kind: str, update: Callable[[Any, Any, str], Any]) -> Callable[..., HttpResponse]:
    def dialog(request: HttpRequest, workspace: Workspace, item: Any) -> HttpResponse:
        return _name_dialog(
            request,
            title=f"Rename {kind}",
            action=reverse(f"{kind}_rename", args=[workspace.pk, item.pk]),
            submit_label="Rename",
            initial=item.name,
            save=lambda name: update(request.user, item, name),
            done=lambda _: dialog_closed(request, workspace),
        )

    return item_dialog(kind, dialog)


collection_rename = _rename(
    "collection", lambda user, item, name: collection_update(user=user, collection=item, version=item.version, name=name)
)
folder_rename = _rename("folder", lambda user, item, name: folder_update(user=user, folder=item, version=item.version, name=name))
request_rename = _rename(
    "request", lambda user, item, name: request_update(user=user, saved_request=item, version=item.version, name=name)
)


# ---------------------------------------------------------------- one-click actions

_EDITABLE: dict[str, Callable[..., Any]] = {
    "collection": access.get_collection_for_user,
    "folder": access.get_folder_for_user,
    "request": access.get_request_for_user,
}


def _one_click(kind: str, act: Callable[[HttpRequest, Any], Any]) -> Callable[..., HttpResponse]:
    """A POST view: find the item (editors only), `act(request, item)`, reload the tree."""

    @require_POST
    def view(request: HttpRequest, workspace_id: int, **item_ids: int) -> HttpResponse:
        workspace = workspace_for(request, workspace_id)
        (item_id,) = item_ids.values()
        item = in_workspace(_EDITABLE[kind](request.user, item_id, need="edit"), workspace)
        try:
            result = act(request, item)
        except ServiceError as error:
            if isinstance(error, Http404):
                raise
            return HttpResponse(error.message, status=422, content_type="text/plain; charset=utf-8")
        if isinstance(result, DeleteJob):  # a big delete goes on in the background
            return delete_started(request, workspace, result)
        return _changed(request, workspace)

    return view


def _move(request: HttpRequest, item: Any) -> None:
    """The ⋯ menu's Move up / Move down, or a drag and drop (`target`: "collection:<id>",
    "folder:<id>" or "request:<id>"; `place`: "before" or "into")."""
    if request.POST.get("target"):
        kind, _, target_id = request.POST["target"].partition(":")
        if kind not in _EDITABLE:
            raise Http404
        target = _EDITABLE[kind](request.user, target_id, need="edit")
        sidebar_drop(user=request.user, item=item, target=target, place=request.POST.get("place", "before"))
        return
    sidebar_move(user=request.user, item=item, direction=request.POST.get("direction", ""))


collection_move = _one_click("collection", _move)
folder_move = _one_click("folder", _move)
request_move = _one_click("request", _move)
request_duplicate_view = _one_click("request", lambda r, item: request_duplicate(user=r.user, saved_request=item))
collection_delete_view = _one_click("collection", lambda r, item: collection_delete(user=r.user, collection=item))
folder_delete_view = _one_click("folder", lambda r, item: folder_delete(user=r.user, folder=item))
request_delete_view = _one_click("request", lambda r, item: request_delete(user=r.user, saved_request=item))

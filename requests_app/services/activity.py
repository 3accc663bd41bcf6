"""A workspace's activity feed: who created, changed, moved, deleted, ran what, and when.

Usage::

    from requests_app.services.activity import activity_record, activity_list
    activity_record(user=bob, verb="changed", obj=saved_request, detail={"fields": ["url"]})
    activity_record(user=alice, verb="added", kind="member", workspace=ws, name="bob", detail={"role": "editor"})
    activity_record_move(user=bob, obj=saved, source=old_collection, target=new_collection, folder=None)
    activity_list(user=victor, workspace=ws)      # queryset, newest first (any member may read it)
    describe(entry)                               # "changed request “List users” (url)"
    describe_parts(entry)                         # ("changed request", "List users", " (url)")

Services record (never views), so the page, the API and scripts all leave the same trace.
The object's name is copied into the row: the feed still reads well after a delete.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Model, QuerySet

from requests_app import access
from requests_app.models import Activity, Collection, Environment, Folder, SavedRequest, Workspace

KINDS: dict[type[Model], str] = {
    Collection: "collection",
    Folder: "folder",
    SavedRequest: "request",
    Environment: "environment",
    Workspace: "workspace",
}


def activity_record(
    *,
    user: AbstractBaseUser | None,
    verb: str,
    obj: Model | None = None,
    kind: str | None = None,
    workspace: Workspace | int | None = None,
    name: str | None = None,
    object_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> Activity:
    """One feed line in the object's workspace (or `workspace`); one INSERT."""
    if workspace is None:
        if obj is None:
            raise ValueError("activity_record needs an object or a workspace")
        workspace = access.workspace_id_of(obj)
    workspace_id = workspace.pk if isinstance(workspace, Workspace) else workspace
    actor = user if user is not None and getattr(user, "is_authenticated", False) else None
    return Activity.objects.create(
        workspace_id=workspace_id,
        user=actor,
        actor_name=actor.get_username() if actor is not None else "",
        verb=verb,
        kind=kind or (KINDS.get(type(obj), type(obj).__name__.lower()) if obj is not None else ""),
        object_id=object_id if object_id is not None else (obj.pk if obj is not None else None),
        object_name=(name if name is not None else str(getattr(obj, "name", "") or ""))[:200],
        detail=detail or {},
    )


def place_name(collection: Collection, folder: Folder | None) -> str:
    """Where an item sits, as the activity feed names it: "Collection / Folder"."""
    return collection.name + (f" / {folder.name}" if folder is not None else "")


def activity_record_move(
    *, user: AbstractBaseUser, obj: Model, source: Collection, target: Collection, folder: Folder | None,
    verb: str = "moved",
) -> None:
    """Feed lines for a move (or copy): one in the target workspace, one in the source when it differs."""
    activity_record(user=user, verb=verb, obj=obj, workspace=target.workspace_id,
                    detail={"to": place_name(target, folder)})
    if source.workspace_id != target.workspace_id and verb == "moved":
        activity_record(user=user, verb=verb, obj=obj, workspace=source.workspace_id,
                        detail={"to": f"{target.workspace.name} / {place_name(target, folder)}"})


ACTIVITY_ORDER = ("-created_at", "-id")  # keyset order of the feed (requests_app/keyset.py)


def activity_list(*, user: AbstractBaseUser, workspace: Workspace) -> QuerySet[Activity]:
    """The workspace's feed, newest first (any member may read it)."""
    access.ensure_role(user, workspace, "read")
    return Activity.objects.filter(workspace=workspace).order_by(*ACTIVITY_ORDER)


def describe_parts(entry: Activity) -> tuple[str, str, str]:
    """(what was done, the object's name, the details): "changed request", "List users", " (url)"."""
    detail = entry.detail or {}
    lead = " ".join(part for part in (entry.verb, entry.kind) if part)
    tail = ""
    if entry.kind == "member" and detail.get("role"):
        tail += f" as {detail['role']}"
    if detail.get("fields"):
        tail += f" ({', '.join(detail['fields'])})"
    if detail.get("version"):
        tail += f" to version {detail['version']}"
    if detail.get("to"):
        tail += f" to {detail['to']}"
    if detail.get("from"):
        tail += f" from {detail['from']}"
    if detail.get("status") is not None:
        tail += f" → {detail['status']}"
    if detail.get("error"):
        tail += f" → {detail['error']}"
    return lead, entry.object_name, tail


def describe(entry: Activity) -> str:
    """The feed line after the actor's name, e.g. "moved request “Login” to Other workspace"."""
    lead, name, tail = describe_parts(entry)
    return lead + (f" “{name}”" if name else "") + tail

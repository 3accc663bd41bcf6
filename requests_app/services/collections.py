"""Collections: create, update, move (reorder in the workspace), duplicate, delete, tree.

Usage::

    from requests_app import access
    from requests_app.services.collections import collection_create, collection_update, collection_tree
    workspace = access.get_workspace_for_user(user, workspace_id, need="edit")
    c = collection_create(user=user, workspace=workspace, name="Users API",
                          variables=[{"key": "base", "value": "http://127.0.0.1:8000", "enabled": True}],
                          auth={"type": "bearer", "token": "{{token}}"})
    c = collection_update(user=user, collection=c, version=c.version, name="Users API v2")
    collection_tree(user=user, collection=c)   # nested folders and requests, in their one order

Every function checks the caller's role (editor for changes) even when handed an object,
so a page or API view that forgot `need="edit"` still can't let a viewer write.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

from requests_app import access
from requests_app.models import Collection, DeleteJob, Folder, Monitor, Workspace
from requests_app.services import quotas, tree
from requests_app.services.activity import activity_record
from requests_app.services.deletes import delete_start
from requests_app.services.errors import ValidationFailed
from requests_app.services.monitors import monitors_follow_move
from requests_app.services.scripts import clean_scripts
from requests_app.services.validation import clean_auth, clean_name, clean_text, clean_variables
from requests_app.services.versioning import save_versioned


def collection_create(
    *,
    user: AbstractBaseUser,
    workspace: Workspace,
    name: str,
    description: str = "",
    variables: list[dict[str, Any]] | None = None,
    auth: dict[str, Any] | None = None,
) -> Collection:
    """A new collection at the end of the workspace's list (editor or owner)."""
    access.ensure_role(user, workspace, "edit")
    with transaction.atomic():
        collection = Collection.objects.create(
            workspace=workspace,
            name=clean_name(name),
            description=clean_text(description, field="description"),
            variables=clean_variables(variables),
            auth=clean_auth(auth, allow_inherit=False),
            position=tree.list_next_position(Collection.objects.filter(workspace=workspace)),
        )
        activity_record(user=user, verb="created", obj=collection, workspace=workspace.pk)
    access.set_role(collection, user, workspace.user_role)
    return collection


def collection_update(
    *,
    user: AbstractBaseUser,
    collection: Collection,
    version: int,
    name: str | None = None,
    description: str | None = None,
    variables: list[dict[str, Any]] | None = None,
    auth: dict[str, Any] | None = None,
    scripts: dict[str, str] | None = None,
) -> Collection:
    """Change the given fields (None = unchanged) if `collection` is still at `version`.

    Raises VersionConflict (with the stored collection) when someone saved in between.
    """
    access.ensure_role(user, collection, "edit")
    changes: dict[str, Any] = {}
    if name is not None:
        changes["name"] = clean_name(name)
    if description is not None:
        changes["description"] = clean_text(description, field="description")
    if variables is not None:
        changes["variables"] = clean_variables(variables)
    if auth is not None:
        changes["auth"] = clean_auth(auth, allow_inherit=False)
    if scripts is not None:
        changes["scripts"] = clean_scripts(scripts)
    changed_fields = [key for key, value in changes.items() if value != getattr(collection, key)]
    with transaction.atomic():
        saved = save_versioned(collection, version=version, changes=changes)
        activity_record(user=user, verb="changed", obj=saved, detail={"fields": changed_fields} if changed_fields else None)
    return saved


def collection_move(*, user: AbstractBaseUser, collection: Collection, position: int) -> Collection:
    """Reorder: put the collection at `position` (0 = first) in its workspace."""
    access.ensure_role(user, collection, "edit")
    with transaction.atomic():
        collection.position = tree.list_place(
            Collection.objects.filter(workspace_id=collection.workspace_id), collection, position
        )
        Collection.objects.filter(pk=collection.pk).update(position=collection.position)
    return collection


def collection_duplicate(*, user: AbstractBaseUser, collection: Collection, name: str | None = None) -> Collection:
    """A deep copy (folders, requests, variables, auth) right after the original."""
    access.ensure_role(user, collection, "edit")
    quotas.ensure_room(collection.workspace_id, adding=collection.requests.count())
    with transaction.atomic():
        siblings = Collection.objects.filter(workspace_id=collection.workspace_id)
        position = tree.list_open_gap_after(siblings, collection.position)
        copy = Collection.objects.create(
            **{
                **tree.copied_fields(collection),
                "name": clean_name(name) if name is not None else _copy_name(collection.name),
                "position": position,
            },
        )
        tree.copy_subtree(source=collection, target=copy, root=None, user=user)
        activity_record(user=user, verb="created", obj=copy, detail={"from": collection.name})
    access.set_role(copy, user, collection.user_role)
    return copy


def collection_transfer(
    *, user: AbstractBaseUser, collection: Collection, workspace: Workspace, copy: bool = False,
    name: str | None = None,
) -> Collection:
    """Move (or deep-copy) a collection to the end of another workspace's list.

    Moving or copying needs editor rights in both workspaces. Folders and requests go along
    (moved requests keep their change history; copies start their own).
    """
    access.ensure_role(user, collection, "edit")
    access.ensure_role(user, workspace, "edit")
    if not copy and workspace.pk == collection.workspace_id:
        raise ValidationFailed.for_field("workspace", "The collection is already in this workspace.",
                                         code="same_workspace")
    if workspace.pk != collection.workspace_id or copy:
        quotas.ensure_room(workspace, adding=collection.requests.count())
    source_workspace_id, source_name = collection.workspace_id, collection.workspace.name
    with transaction.atomic():
        position = tree.list_next_position(Collection.objects.filter(workspace=workspace))
        if copy:
            result = Collection.objects.create(
                **{**tree.copied_fields(collection), "workspace_id": workspace.pk,
                   "name": clean_name(name) if name is not None else collection.name, "position": position}
            )
            tree.copy_subtree(source=collection, target=result, root=None, user=user)
            activity_record(user=user, verb="copied", obj=result, workspace=workspace.pk,
                            detail={"from": source_name})
        else:
            Collection.objects.filter(pk=collection.pk).update(workspace=workspace, position=position)
            tree.list_renumber(Collection.objects.filter(workspace_id=source_workspace_id))
            collection.workspace, collection.position = workspace, position
            monitors_follow_move(user=user, monitors=Monitor.objects.filter(collection=collection), collection=collection)
            result = collection
            activity_record(user=user, verb="moved", obj=result, workspace=workspace.pk, detail={"from": source_name})
            activity_record(user=user, verb="moved", obj=result, workspace=source_workspace_id,
                            detail={"to": workspace.name})
    access.set_role(result, user, workspace.user_role)
    return result


def collection_delete(*, user: AbstractBaseUser, collection: Collection) -> DeleteJob | None:
    """Delete the collection with its folders and requests (history entries keep their copy):
    at once, or for a big one a background job (returned; services/deletes.py)."""
    return delete_start(user=user, obj=collection)


def collection_tree(*, user: AbstractBaseUser, collection: Collection) -> dict[str, Any]:
    """The collection as nested plain data: {id, name, version, items, folders, requests}.

    `items` holds a level's folders and requests interleaved in their one order (each with
    `type`); `folders` and `requests` list the same nodes by kind, for older clients. Two queries.
    """
    access.ensure_role(user, collection, "read")
    loaded = tree.load(collection, request_fields=("name", "method", "url", "version"),
                       folder_fields=("version",))

    def node(folder_id: int | None) -> dict[str, Any]:
        items = [
            {"type": "folder", "id": item.pk, "name": item.name, "position": item.position,
             "version": item.version, **node(item.pk)}
            if isinstance(item, Folder) else
            {"type": "request", "id": item.pk, "name": item.name, "method": item.method, "url": item.url,
             "position": item.position, "version": item.version}
            for item in loaded.children(folder_id)
        ]
        return {
            "items": items,
            "folders": [item for item in items if item["type"] == "folder"],
            "requests": [item for item in items if item["type"] == "request"],
        }

    return {"id": collection.pk, "name": collection.name, "version": collection.version, **node(None)}


def _copy_name(name: str) -> str:
    return (name + " copy")[:200]

"""Folders, nested to any depth: create, update, move/reorder, duplicate, delete.

Usage::

    from requests_app.services.folders import folder_create, folder_move
    users = folder_create(user=user, collection=c, name="Users")
    admin = folder_create(user=user, collection=c, parent=users, name="Admin")
    folder_move(user=user, folder=admin, parent=None, position=0)         # to the collection root, first
    folder_move(user=user, folder=admin, parent=other_folder)             # may cross collections
    folder_update(user=user, folder=admin, version=admin.version,
                  auth={"type": "bearer", "token": "{{adminToken}}"},           # "inherit" (default), "none", …
                  variables=[{"key": "scope", "value": "admin", "enabled": True}])

A folder's auth is what the requests below it that say "inherit" send (services/inheritance.py);
its variables sit between the collection's and the environment's.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

from requests_app import access
from requests_app.models import Collection, DeleteJob, Folder, Monitor, SavedRequest
from requests_app.services import quotas, tree
from requests_app.services.activity import activity_record, activity_record_move
from requests_app.services.deletes import delete_start
from requests_app.services.errors import FOLDER_CYCLE, ValidationFailed
from requests_app.services.monitors import monitors_follow_move
from requests_app.services.scripts import clean_scripts
from requests_app.services.validation import clean_auth, clean_name, clean_position, clean_text, clean_variables
from requests_app.services.versioning import save_versioned


def _check_parent(collection: Collection, parent: Folder | None) -> None:
    if parent is not None and parent.collection_id != collection.pk:
        raise ValidationFailed.for_field("parent", "must be a folder of the same collection")


def folder_create(
    *,
    user: AbstractBaseUser,
    collection: Collection,
    name: str,
    parent: Folder | None = None,
    description: str = "",
    position: int | None = None,
    auth: dict[str, Any] | None = None,
    variables: list[dict[str, Any]] | None = None,
) -> Folder:
    """A new folder under `parent` (None = collection root), last unless `position` is given.

    `auth` None: inherit from the parent folder or collection."""
    access.ensure_role(user, collection, "edit")
    _check_parent(collection, parent)
    clean_position(position)
    folder = Folder(
        collection=collection,
        parent=parent,
        name=clean_name(name),
        description=clean_text(description, field="description"),
        auth=clean_auth(auth),
        variables=clean_variables(variables),
    )
    with transaction.atomic():
        tree.insert(folder, tree.Parent(collection.pk, parent.pk if parent else None), position)
        activity_record(user=user, verb="created", obj=folder, workspace=collection.workspace_id)
    access.set_role(folder, user, collection.user_role)
    return folder


def folder_update(
    *,
    user: AbstractBaseUser,
    folder: Folder,
    version: int,
    name: str | None = None,
    description: str | None = None,
    scripts: dict[str, str] | None = None,
    auth: dict[str, Any] | None = None,
    variables: list[dict[str, Any]] | None = None,
) -> Folder:
    """Change the given fields (None = unchanged) if the folder is still at `version` (else VersionConflict).

    `auth` {"type": "inherit"} (or {}): the parent's again."""
    access.ensure_role(user, folder, "edit")
    changes: dict[str, Any] = {}
    if name is not None:
        changes["name"] = clean_name(name)
    if description is not None:
        changes["description"] = clean_text(description, field="description")
    if auth is not None:
        changes["auth"] = clean_auth(auth)
    if variables is not None:
        changes["variables"] = clean_variables(variables)
    if scripts is not None:
        changes["scripts"] = clean_scripts(scripts)
    changed_fields = [key for key, value in changes.items() if value != getattr(folder, key)]
    with transaction.atomic():
        saved = save_versioned(folder, version=version, changes=changes)
        activity_record(user=user, verb="changed", obj=saved, detail={"fields": changed_fields} if changed_fields else None)
    return saved


def folder_move(
    *,
    user: AbstractBaseUser,
    folder: Folder,
    parent: Folder | None,
    collection: Collection | None = None,
    position: int | None = None,
) -> Folder:
    """Move under `parent` (None = root of `collection`, default the folder's own) at `position`.

    Reordering is a move to the same parent. Moving to another collection (editor rights on
    both) takes the subfolders and requests along. A folder can't go below itself.
    """
    access.ensure_role(user, folder, "edit")
    clean_position(position)
    if parent is not None:
        access.ensure_role(user, parent, "edit")
        target = parent.collection
        if collection is not None and collection.pk != target.pk:
            raise ValidationFailed.for_field("parent", "must be a folder of the target collection")
    elif collection is not None:
        access.ensure_role(user, collection, "edit")
        target = collection
    else:
        target = folder.collection
    with transaction.atomic():
        moved_ids = tree.descendant_ids(folder)
        if parent is not None and parent.pk in moved_ids:
            raise ValidationFailed.for_field("parent", FOLDER_CYCLE, code="folder_cycle")
        if target.pk != folder.collection_id:
            Folder.objects.filter(pk__in=moved_ids).update(collection=target)
            SavedRequest.objects.filter(folder_id__in=moved_ids).update(collection=target)
            monitors_follow_move(user=user, monitors=Monitor.objects.filter(folder_id__in=moved_ids), collection=target)
        source = tree.Parent.of(folder)
        destination = tree.Parent(target.pk, parent.pk if parent else None)
        folder.position = tree.move(folder, source=source, target=destination, position=position)
        Folder.objects.filter(pk=folder.pk).update(parent=parent, position=folder.position, collection=target)
        if source != destination:
            activity_record_move(user=user, obj=folder, source=folder.collection, target=target, folder=parent)
        folder.parent = parent
        folder.collection = target
    return folder


def folder_duplicate(*, user: AbstractBaseUser, folder: Folder, name: str | None = None) -> Folder:
    """A deep copy (subfolders and requests) right after the original, under the same parent."""
    access.ensure_role(user, folder, "edit")
    quotas.ensure_room(folder.collection.workspace_id, adding=SavedRequest.objects.filter(
        folder_id__in=tree.descendant_ids(folder)).count())
    with transaction.atomic():
        position = tree.open_gap_after(tree.Parent.of(folder), folder.position)
        copy = tree.copy_subtree(
            source=folder.collection,
            target=folder.collection,
            root=folder,
            root_parent=folder.parent,
            root_name=clean_name(name) if name is not None else (folder.name + " copy")[:200],
            root_position=position,
            user=user,
        )
        assert copy is not None
        activity_record(user=user, verb="created", obj=copy, workspace=folder.collection.workspace_id,
                        detail={"from": folder.name})
    access.set_role(copy, user, folder.user_role)
    return copy


def folder_delete(*, user: AbstractBaseUser, folder: Folder) -> DeleteJob | None:
    """Delete the folder with its subfolders and requests: at once, or for a big one a
    background job (returned; services/deletes.py)."""
    return delete_start(user=user, obj=folder)

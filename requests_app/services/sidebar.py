"""The page's sidebar tree: every collection of a workspace with folders, requests loaded lazily.

Usage::

    from requests_app.services.sidebar import sidebar_tree, sidebar_folder
    tree = sidebar_tree(user=user, workspace=ws, open_folder_ids={3, 7}, current_request_id=12)
    tree.collections[0].folders[0].loaded      # False: its children load when it is expanded
    node = sidebar_folder(user=user, folder=folder)   # one folder's children, for that expansion
    sidebar_move(user=user, item=saved_request, direction="up")   # the ⋯ menu's Move up / Move down

A page-specific read model (the API has `collection_tree` per collection). The cost is a fixed
number of queries whatever the size of the workspace: collections, all their folders (small
rows), request counts per folder, and the requests of the collection roots and of the folders
that are open (those the page says are open, plus the folders holding the current request).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Count, Q

from requests_app import access
from requests_app.models import Collection, Folder, SavedRequest, Workspace
from requests_app.services.collections import collection_move
from requests_app.services.errors import ValidationFailed
from requests_app.services.folders import folder_move
from requests_app.services.saved_requests import request_move

_REQUEST_FIELDS = ("id", "name", "method", "folder_id", "collection_id", "position")


@dataclass
class FolderNode:
    id: int
    name: str
    parent_id: int | None
    collection_id: int
    position: int
    folders: list[FolderNode] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    request_count: int = 0
    loaded: bool = False


@dataclass
class CollectionNode:
    id: int
    name: str
    position: int
    folders: list[FolderNode] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    request_count: int = 0

    @property
    def delete_extra(self) -> str:
        """What else a delete removes, for the confirmation question."""
        return f" with its {self.request_count} request{'' if self.request_count == 1 else 's'}"


@dataclass
class SidebarTree:
    collections: list[CollectionNode]
    current_request_id: int | None = None

    def locations(self) -> list[tuple[str, str]]:
        """(value, label) of every collection and folder, for "Save as…": "c:<id>" / "f:<id>"."""
        out: list[tuple[str, str]] = []

        def walk(folders: list[FolderNode], prefix: str) -> None:
            for folder in folders:
                label = f"{prefix} / {folder.name}"
                out.append((f"f:{folder.id}", label))
                walk(folder.folders, label)

        for collection in self.collections:
            out.append((f"c:{collection.id}", collection.name))
            walk(collection.folders, collection.name)
        return out


def _ancestors(folder_id: int | None, parents: dict[int, int | None]) -> set[int]:
    found: set[int] = set()
    while folder_id is not None and folder_id not in found:
        found.add(folder_id)
        folder_id = parents.get(folder_id)
    return found


def sidebar_tree(
    *,
    user: AbstractBaseUser,
    workspace: Workspace,
    open_folder_ids: set[int] | None = None,
    current_request_id: int | None = None,
) -> SidebarTree:
    """The workspace's collections and folders, with requests of the roots and open folders."""
    access.ensure_role(user, workspace, "read")
    collections = list(workspace.collections.order_by("position", "name", "id").values("id", "name", "position"))
    collection_ids = [c["id"] for c in collections]
    folders = list(
        Folder.objects.filter(collection_id__in=collection_ids)
        .order_by("position", "id")
        .values("id", "name", "parent_id", "collection_id", "position")
    )
    counts: dict[tuple[int, int | None], int] = {
        (row["collection_id"], row["folder_id"]): row["n"]
        for row in SavedRequest.objects.filter(collection_id__in=collection_ids)
        .values("collection_id", "folder_id")
        .annotate(n=Count("id"))
        .order_by()
    }
    parents = {f["id"]: f["parent_id"] for f in folders}
    open_ids = {i for i in (open_folder_ids or set()) if i in parents}
    if current_request_id is not None:
        current = (
            SavedRequest.objects.filter(pk=current_request_id, collection_id__in=collection_ids)
            .values_list("folder_id", flat=True)
            .first()
        )
        open_ids |= _ancestors(current, parents)
    # A folder shows open only when all its ancestors are open too.
    open_ids = {i for i in open_ids if _ancestors(i, parents) <= open_ids}
    requests = (
        SavedRequest.objects.filter(collection_id__in=collection_ids)
        .filter(Q(folder__isnull=True) | Q(folder_id__in=open_ids))
        .order_by("position", "id")
        .annotate(example_count=Count("examples"))
        .values(*_REQUEST_FIELDS, "example_count")
    )

    collection_nodes = {c["id"]: CollectionNode(c["id"], c["name"], c["position"]) for c in collections}
    folder_nodes = {
        f["id"]: FolderNode(
            f["id"], f["name"], f["parent_id"], f["collection_id"], f["position"], loaded=f["id"] in open_ids
        )
        for f in folders
    }
    for node in folder_nodes.values():
        parent = folder_nodes.get(node.parent_id) if node.parent_id else None
        (parent or collection_nodes[node.collection_id]).folders.append(node)
    for (collection_id, folder_id), n in counts.items():
        if folder_id is None:
            collection_nodes[collection_id].request_count += n
        elif folder_id in folder_nodes:
            folder_nodes[folder_id].request_count = n
            collection_nodes[collection_id].request_count += n
    for request in requests:
        folder_id = request["folder_id"]
        owner = folder_nodes[folder_id] if folder_id else collection_nodes[request["collection_id"]]
        owner.requests.append(request)
    return SidebarTree(list(collection_nodes.values()), current_request_id)


def sidebar_folder(*, user: AbstractBaseUser, folder: Folder) -> FolderNode:
    """One folder's subfolders (not yet loaded) and requests, when the page expands it."""
    access.ensure_role(user, folder, "read")
    node = FolderNode(folder.pk, folder.name, folder.parent_id, folder.collection_id, folder.position, loaded=True)
    subfolders = list(
        Folder.objects.filter(parent=folder)
        .annotate(n=Count("requests"))
        .order_by("position", "id")
        .values("id", "name", "parent_id", "collection_id", "position", "n")
    )
    for f in subfolders:
        node.folders.append(
            FolderNode(f["id"], f["name"], f["parent_id"], f["collection_id"], f["position"], request_count=f["n"])
        )
    node.requests = list(
        SavedRequest.objects.filter(folder=folder)
        .order_by("position", "id")
        .annotate(example_count=Count("examples"))
        .values(*_REQUEST_FIELDS, "example_count")
    )
    node.request_count = len(node.requests)
    return node


def sidebar_move(*, user: AbstractBaseUser, item: Collection | Folder | SavedRequest, direction: str) -> None:
    """Move a collection, folder or request one place up or down among its siblings (the ⋯ menu)."""
    if direction not in ("up", "down"):
        raise ValidationFailed.for_field("direction", "must be up or down")
    if isinstance(item, Collection):
        siblings = Collection.objects.filter(workspace_id=item.workspace_id)
    elif isinstance(item, Folder):
        siblings = Folder.objects.filter(collection_id=item.collection_id, parent_id=item.parent_id)
    else:
        siblings = SavedRequest.objects.filter(collection_id=item.collection_id, folder_id=item.folder_id)
    order = list(siblings.order_by("position", "id").values_list("pk", flat=True))
    index = order.index(item.pk) + (-1 if direction == "up" else 1)
    if not 0 <= index < len(order):
        return
    if isinstance(item, Collection):
        collection_move(user=user, collection=item, position=index)
    elif isinstance(item, Folder):
        folder_move(user=user, folder=item, parent=item.parent, position=index)
    else:
        request_move(user=user, saved_request=item, folder=item.folder, position=index)


def locations_for_user(*, user: AbstractBaseUser) -> list[tuple[Workspace, list[tuple[str, str]]]]:
    """Per workspace the user can edit: its collections and folders as (value, label), for move/copy dialogs."""
    return [
        (workspace, sidebar_tree(user=user, workspace=workspace).locations())
        for workspace in access.workspaces_for_user(user)
        if access.can_edit(workspace.user_role)  # type: ignore[attr-defined]
    ]

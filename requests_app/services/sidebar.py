"""The page's sidebar tree, loaded lazily: collections, then one bounded page per open node.

Usage::

    from requests_app.services.sidebar import sidebar_tree, sidebar_children
    tree = sidebar_tree(user=user, workspace=ws, open_folder_ids={3, 7}, closed_collection_ids={2},
                        current_request_id=12)
    tree.collections[0].items          # first page of the root: folders and requests interleaved
    tree.collections[0].more_cursor    # set when there is more: "show more" asks for the next page
    node = sidebar_children(user=user, collection=c, folder=f, cursor="")   # a folder's first page
    sidebar_move(user=user, item=saved_request, direction="up")   # the ⋯ menu's Move up / Move down

What a page carries is bounded whatever the size of the workspace: a page of collections
(`WEBCLIENT_TREE_COLLECTIONS_PAGE`, then "Show more collections"), and of the open collections
and folders (the folders the browser says are open, at most `MAX_OPEN_FOLDERS`, plus those
holding the current request) only a screenful of items in all (`WEBCLIENT_TREE_PAGE_BUDGET`,
collection rows included), in document order; open nodes past it arrive open but empty and load
their first page when they scroll into view (static/js/tree.js). The current request's
collection and folders get a screenful each whatever is left. Fixed number of queries:
collections, open folders, the current request's folder chain, and two for all first pages
(services/tree.py `first_pages`, each bounded by the budget).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Count, OuterRef, Q, Subquery

from requests_app import access
from requests_app.models import Collection, DeleteJob, Folder, Monitor, SavedRequest, Workspace
from requests_app.services import tree
from requests_app.services.collections import collection_move
from requests_app.services.deletes import ACTIVE
from requests_app.services.errors import ValidationFailed
from requests_app.services.folders import folder_move
from requests_app.services.saved_requests import request_move

MAX_OPEN_FOLDERS = 200
MAX_DELETES_SHOWN = 10


@dataclass
class RequestNode:
    id: int
    name: str
    method: str
    position: int
    is_first: bool = False  # first / last of its parent: the ⋯ menu leaves out Move up / down
    is_last: bool = False
    is_folder = False
    example_count: int = 0  # saved examples, shown as a badge


@dataclass
class FolderNode:
    id: int
    name: str
    parent_id: int | None
    collection_id: int
    position: int = 0
    is_first: bool = False
    is_last: bool = False
    request_count: int = 0
    child_count: int = 0
    is_open: bool = False
    loaded: bool = False
    items: list[FolderNode | RequestNode] = field(default_factory=list)
    more_cursor: str | None = None
    is_folder = True


@dataclass
class CollectionNode:
    id: int
    name: str
    position: int
    is_first: bool = False
    is_last: bool = False
    is_open: bool = False  # open, its items loaded (`loaded`) or still to load when seen
    loaded: bool = False
    items: list[FolderNode | RequestNode] = field(default_factory=list)
    more_cursor: str | None = None
    monitor_count: int = 0
    is_folder = False

    @property
    def delete_extra(self) -> str:
        """What else a delete removes, for the confirmation question (its monitors by number: they
        go too, and nothing else on the page says so)."""
        if self.monitor_count:
            return (f" with all its folders and requests, and its {self.monitor_count} "
                    f"monitor{'s' if self.monitor_count != 1 else ''}")
        return " with all its folders and requests"


@dataclass
class SidebarTree:
    collections: list[CollectionNode]
    current_request_id: int | None = None
    more_collections_cursor: str | None = None  # "Show more collections" asks for the next page
    deletes: list[DeleteJob] = field(default_factory=list)  # background deletes going on (their progress)
    is_later_page: bool = False  # "Show more collections": no "No collections yet" when it is empty


def page_size() -> int:
    return max(1, int(getattr(settings, "WEBCLIENT_TREE_PAGE_SIZE", 100)))


def page_budget() -> int:
    return max(1, int(getattr(settings, "WEBCLIENT_TREE_PAGE_BUDGET", 16)))


def collections_page_size() -> int:
    return max(1, int(getattr(settings, "WEBCLIENT_TREE_COLLECTIONS_PAGE", 50)))


def collections_page(workspace: Workspace, cursor: str = "") -> tuple[list[CollectionNode], str | None]:
    """A page of the workspace's collections in their order, after the cursor; one query.
    Collections being deleted in the background are left out."""
    rows = workspace.collections.filter(deleting=False).order_by("position", "id")
    after = tree.decode_cursor(cursor)
    if after is not None:
        position, _, pk = after
        rows = rows.filter(Q(position__gt=position) | Q(position=position, pk__gt=pk))
    limit = collections_page_size()
    monitors = Monitor.objects.filter(collection=OuterRef("pk")).order_by().values("collection").annotate(n=Count("pk"))
    found = list(rows.annotate(monitor_count=Subquery(monitors.values("n")))
                 .values_list("id", "name", "position", "monitor_count")[: limit + 1])
    nodes = [CollectionNode(pk, name, position, monitor_count=monitors_n or 0)
             for pk, name, position, monitors_n in found[:limit]]
    more = len(found) > limit
    if nodes:
        nodes[0].is_first = after is None
        nodes[-1].is_last = not more
    return nodes, tree.encode_cursor((nodes[-1].position, tree.FOLDER, nodes[-1].id)) if more else None


def _trimmed(page: tree.ChildrenPage, allowance: int) -> tree.ChildrenPage:
    if len(page.items) <= allowance:
        return page
    kept = page.items[:allowance]
    return tree.ChildrenPage(kept, tree.encode_cursor(tree.sort_key(kept[-1])))


def _node(item: tree.Item) -> FolderNode | RequestNode:
    if isinstance(item, Folder):
        return FolderNode(item.pk, item.name, item.parent_id, item.collection_id, item.position,
                          request_count=item.request_count, child_count=item.child_count)  # type: ignore[attr-defined]
    return RequestNode(item.pk, item.name, item.method, item.position,
                       example_count=getattr(item, "example_count", 0))


def _fill(node: FolderNode | CollectionNode, page: tree.ChildrenPage) -> list[FolderNode]:
    node.loaded = True
    node.items = [_node(item) for item in page.items]
    node.more_cursor = page.next_cursor
    if node.items:
        node.items[0].is_first = node.items[0].position == 0
        node.items[-1].is_last = page.next_cursor is None
    return [item for item in node.items if isinstance(item, FolderNode)]


def _current_chain(collection_ids: list[int], current_request_id: int | None) -> tuple[int | None, dict[int, int]]:
    """The current request's collection id and {folder id: collection id} of the folders
    holding it (two queries)."""
    if current_request_id is None:
        return None, {}
    found = (
        SavedRequest.objects.filter(pk=current_request_id, collection_id__in=collection_ids)
        .values_list("collection_id", "folder_id")
        .first()
    )
    if found is None or found[1] is None:
        return (found[0] if found else None), {}
    parents = dict(Folder.objects.filter(collection_id=found[0]).values_list("id", "parent_id"))
    chain: dict[int, int] = {}
    folder_id: int | None = found[1]
    while folder_id is not None and folder_id not in chain:
        chain[folder_id] = found[0]
        folder_id = parents.get(folder_id)
    return found[0], chain


def sidebar_tree(
    *,
    user: AbstractBaseUser,
    workspace: Workspace,
    open_folder_ids: set[int] | None = None,
    closed_collection_ids: set[int] | None = None,
    current_request_id: int | None = None,
) -> SidebarTree:
    """The first page of the workspace's collections, open ones with their first items (a
    screenful in all, see the module's docstring)."""
    access.ensure_role(user, workspace, "read")
    collections, more_cursor = collections_page(workspace)
    collection_ids = [node.id for node in collections]
    current_collection_id, chain = _current_chain(collection_ids, current_request_id)
    wanted = sorted(open_folder_ids or set())[:MAX_OPEN_FOLDERS]
    open_folders = dict(
        Folder.objects.filter(pk__in=wanted, collection_id__in=collection_ids).values_list("id", "collection_id")
    ) if wanted else {}
    open_folders.update(chain)
    # The collection holding the current request shows open even if it was closed.
    closed = set(closed_collection_ids or set()) - {current_collection_id}
    open_collections = [node for node in collections if node.id not in closed]
    budget = page_budget()
    pages = tree.first_pages(
        [tree.Parent(node.id) for node in open_collections]
        + [tree.Parent(collection_id, folder_id) for folder_id, collection_id in open_folders.items()],
        limit=min(budget, page_size()),
    )
    left = budget - len(collections)

    def open_node(node: FolderNode | CollectionNode, parent: tree.Parent, on_chain: bool) -> None:
        """Show `node` open; its items while the budget lasts, then its open subfolders in order.
        Only folders reachable through open parents are shown open."""
        nonlocal left
        node.is_open = True
        allowance = budget if on_chain else left
        if allowance <= 0:
            return  # open, loads its first page when seen
        subfolders = _fill(node, _trimmed(pages[parent], allowance))
        if not on_chain:
            left -= len(node.items)
        for child in subfolders:
            if child.id in open_folders:
                open_node(child, tree.Parent(child.collection_id, child.id), child.id in chain)

    for node in open_collections:
        open_node(node, tree.Parent(node.id), node.id == current_collection_id)
    deletes = list(DeleteJob.objects.filter(workspace=workspace, state__in=ACTIVE).order_by("id")[:MAX_DELETES_SHOWN])
    return SidebarTree(collections, current_request_id, more_cursor, deletes)


def sidebar_collections(*, user: AbstractBaseUser, workspace: Workspace, cursor: str) -> SidebarTree:
    """The next page of collections ("Show more collections"), open and loading when seen. One query."""
    access.ensure_role(user, workspace, "read")
    collections, more_cursor = collections_page(workspace, cursor)
    for node in collections:
        node.is_open = True
    return SidebarTree(collections, None, more_cursor, is_later_page=True)


def sidebar_children(
    *, user: AbstractBaseUser, collection: Collection, folder: Folder | None, cursor: str = ""
) -> FolderNode | CollectionNode:
    """A page of a collection's root or a folder's items (its subfolders not loaded), when the
    page opens it or asks for more. Two queries."""
    access.ensure_role(user, folder or collection, "read")
    if folder is not None:
        node: FolderNode | CollectionNode = FolderNode(
            folder.pk, folder.name, folder.parent_id, folder.collection_id, folder.position)
    else:
        node = CollectionNode(collection.pk, collection.name, collection.position)
    page = tree.children_page(
        tree.Parent(collection.pk, folder.pk if folder else None), after=tree.decode_cursor(cursor), limit=page_size()
    )
    _fill(node, page)
    return node


def sidebar_move(*, user: AbstractBaseUser, item: Collection | Folder | SavedRequest, direction: str) -> None:
    """Move a collection, folder or request one place up or down among its siblings (the ⋯ menu).

    Folders and requests of a parent share one order, so a request may move past a folder."""
    if direction not in ("up", "down"):
        raise ValidationFailed.for_field("direction", "must be up or down")
    step = -1 if direction == "up" else 1
    if isinstance(item, Collection):
        order = list(Collection.objects.filter(workspace_id=item.workspace_id).order_by("position", "id")
                     .values_list("pk", flat=True))
        index = order.index(item.pk) + step
        if 0 <= index < len(order):
            collection_move(user=user, collection=item, position=index)
        return
    parent = tree.Parent.of(item)
    index = item.position + step
    if not 0 <= index < tree.count(parent):
        return
    if isinstance(item, Folder):
        folder_move(user=user, folder=item, parent=item.parent, position=index)
    else:
        request_move(user=user, saved_request=item, folder=item.folder, position=index)


DROP_PLACES = ("before", "into")
DROP_ACROSS_WORKSPACES = "Drag within one workspace; use Move or copy… for another workspace."


def sidebar_drop(
    *, user: AbstractBaseUser, item: Folder | SavedRequest, target: Collection | Folder | SavedRequest, place: str
) -> None:
    """Drag and drop: put `item` right before `target` (a folder or request, same parent as it)
    or into `target` (a collection or folder, last). Folders and requests share one order."""
    if place not in DROP_PLACES or isinstance(item, Collection) or (place == "before" and isinstance(target, Collection)):
        raise ValidationFailed.for_field("place", "must be before a folder or request, or into a collection or folder")
    if access.workspace_id_of(target) != access.workspace_id_of(item):
        raise ValidationFailed.for_field("target", DROP_ACROSS_WORKSPACES, code="other_workspace")
    if place == "into" and isinstance(target, SavedRequest):
        place = "before"
    for obj in (item, target):  # the page may be older than the last move
        obj.refresh_from_db(fields=["position", "collection", "parent" if isinstance(obj, Folder) else "folder"]
                            if not isinstance(obj, Collection) else ["position"])
    if place == "into":
        folder = target if isinstance(target, Folder) else None
        collection = target if isinstance(target, Collection) else target.collection
        position = None
    else:
        assert not isinstance(target, Collection)
        destination = tree.Parent.of(target)
        folder = Folder.objects.get(pk=destination.folder_id) if destination.folder_id else None
        collection = target.collection
        position = target.position
        # Leaving a place before the target in the same parent moves the target up by one.
        if tree.Parent.of(item) == destination and tree.sort_key(item) < tree.sort_key(target):
            position -= 1
    if isinstance(item, Folder):
        folder_move(user=user, folder=item, parent=folder, collection=collection, position=position)
    else:
        request_move(user=user, saved_request=item, folder=folder, collection=collection, position=position)

"""The collection tree: one order for a parent's items, one loader, deep copies.

Usage::

    from requests_app.services import tree
    parent = tree.Parent(collection.pk, folder.pk if folder else None)
    tree.insert(new_request, parent, position=None)        # last among the parent's items
    tree.move(obj, source=old_parent, target=parent, position=2)   # third item of `parent`
    tree.close_gap(parent, obj.position)                   # after obj left or was deleted

    loaded = tree.load(collection)                          # two queries, whole collection
    loaded.children(None)          # the root's folders and requests, interleaved, in order
    loaded.requests_in_order()     # depth first, as newman sends them (runs)
    loaded.path(folder_id)         # "Users / Admin"
    tree.copy_subtree(source=c, target=c2, root=None)      # deep copy, built on load()

**The ordering model.** Under a parent (a collection's root or a folder) folders and requests
share one sequence of positions 0..n-1, as in a Postman collection's `item` array: requests,
then a subfolder, then more requests. The sort key is (position, kind, id) with folders before
requests on a tie, so the order stays total even if two writers raced. Every write keeps the
sequence dense: insert and move open a gap with one UPDATE per table, delete and move close it.
The sidebar, runs, every export, copies and drag-and-drop read this one order.

**The loader** (`load`) reads one collection (or one folder's subtree) in two queries; the
sidebar's lazy pages use `children_page` (keyset on the sort key, two queries per page).
"""

from __future__ import annotations

import base64
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db.models import (
    Count,
    F,
    Max,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber

from requests_app.models import Collection, Example, Folder, SavedRequest
from requests_app.services.examples import examples_copy

M = TypeVar("M", bound=Model)
Item = Folder | SavedRequest

FOLDER, REQUEST = 0, 1

# Copied as is by duplicates; everything else (ids, parents, version, audit) is set anew.
_NOT_COPIED = {"id", "collection", "folder", "parent", "version", "created_at", "updated_at", "created_by", "updated_by"}


@dataclass(frozen=True)
class Parent:
    """Where an item sits: a collection's root (folder_id None) or a folder."""

    collection_id: int
    folder_id: int | None = None

    @classmethod
    def of(cls, obj: Item) -> Parent:
        if isinstance(obj, Folder):
            return cls(obj.collection_id, obj.parent_id)
        return cls(obj.collection_id, obj.folder_id)

    def folders(self) -> QuerySet[Folder]:
        return Folder.objects.filter(collection_id=self.collection_id, parent_id=self.folder_id, deleting=False)

    def requests(self) -> QuerySet[SavedRequest]:
        return SavedRequest.objects.filter(collection_id=self.collection_id, folder_id=self.folder_id)

    def both(self, exclude: Item | None = None) -> tuple[QuerySet[Folder], QuerySet[SavedRequest]]:
        folders, requests = self.folders(), self.requests()
        if isinstance(exclude, Folder):
            folders = folders.exclude(pk=exclude.pk)
        elif isinstance(exclude, SavedRequest):
            requests = requests.exclude(pk=exclude.pk)
        return folders, requests


def kind_of(obj: Item) -> int:
    return FOLDER if isinstance(obj, Folder) else REQUEST


def sort_key(obj: Item) -> tuple[int, int, int]:
    return (obj.position, kind_of(obj), obj.pk)


# ---------------------------------------------------------------- positions


def next_position(parent: Parent) -> int:
    """The position after the parent's last item (folders and requests together)."""
    highest = max(
        (qs.aggregate(m=Max("position"))["m"] for qs in parent.both()),
        key=lambda value: -1 if value is None else value,
    )
    return 0 if highest is None else highest + 1


def count(parent: Parent, exclude: Item | None = None) -> int:
    return sum(qs.count() for qs in parent.both(exclude))


def _shift(parent: Parent, *, start: int, by: int, exclude: Item | None = None) -> None:
    for qs in parent.both(exclude):
        qs.filter(position__gte=start).update(position=F("position") + by)


def open_gap(parent: Parent, position: int, exclude: Item | None = None) -> int:
    """Make room at `position` (clamped to 0..count): later items move one down."""
    index = max(0, min(position, count(parent, exclude)))
    _shift(parent, start=index, by=1, exclude=exclude)
    return index


def open_gap_after(parent: Parent, position: int) -> int:
    """Make room right after `position`; returns the freed position (for duplicates)."""
    _shift(parent, start=position + 1, by=1)
    return position + 1


def close_gap(parent: Parent, position: int, exclude: Item | None = None) -> None:
    """The item at `position` left (moved away or deleted): later items move one up."""
    _shift(parent, start=position + 1, by=-1, exclude=exclude)


def insert(obj: M, parent: Parent, position: int | None) -> M:
    """Save a new obj under `parent`: last, or at `position` with later items moved down."""
    obj.position = next_position(parent) if position is None else open_gap(parent, position)  # type: ignore[attr-defined]
    obj.save()
    return obj


def move(obj: Item, *, source: Parent, target: Parent, position: int | None) -> int:
    """Take obj out of `source` and give it index `position` (None = last) among `target`'s items.

    Returns the new position; the caller stores obj's new parent and position.
    """
    obj.position = type(obj)._default_manager.filter(pk=obj.pk).values_list("position", flat=True).get()
    close_gap(source, obj.position, exclude=obj)
    if position is None:
        return count(target, exclude=obj)
    return open_gap(target, position, exclude=obj)


# ---------------------------------------------------------------- one-kind lists (a workspace's collections)


def list_next_position(siblings: QuerySet[Any]) -> int:
    highest = siblings.aggregate(highest=Max("position"))["highest"]
    return 0 if highest is None else highest + 1


def list_place(siblings: QuerySet[M], obj: M, position: int) -> int:
    """Renumber `siblings` (obj excluded) so that obj sits at `position`; returns obj's position."""
    others = list(siblings.exclude(pk=obj.pk).order_by("position", "id").only("pk", "position"))
    index = max(0, min(position, len(others)))
    changed = []
    for number, sibling in enumerate(others[:index] + [obj] + others[index:]):
        if sibling is not obj and sibling.position != number:  # type: ignore[attr-defined]
            sibling.position = number  # type: ignore[attr-defined]
            changed.append(sibling)
    if changed:
        type(obj)._default_manager.bulk_update(changed, ["position"])
    return index


def list_open_gap_after(siblings: QuerySet[Any], position: int) -> int:
    siblings.filter(position__gt=position).update(position=F("position") + 1)
    return position + 1


def list_renumber(siblings: QuerySet[Any]) -> None:
    """Close gaps (after something moved away): positions become 0..n-1 in their order."""
    rows = list(siblings.order_by("position", "id").only("pk", "position"))
    changed = []
    for number, row in enumerate(rows):
        if row.position != number:
            row.position = number
            changed.append(row)
    if changed:
        siblings.model._default_manager.bulk_update(changed, ["position"])


# ---------------------------------------------------------------- the loader


@dataclass
class LoadedTree:
    """A collection's folders and requests in memory, indexed by parent (see `load`)."""

    collection: Collection
    folders: dict[int, Folder]
    _children: dict[int | None, list[Item]] = field(default_factory=dict)

    def children(self, folder_id: int | None) -> list[Item]:
        """A parent's folders and requests, interleaved in their one order."""
        return self._children.get(folder_id, [])

    def subfolders(self, folder_id: int | None) -> list[Folder]:
        return [item for item in self.children(folder_id) if isinstance(item, Folder)]

    def walk(self, folder_id: int | None = None) -> Iterator[tuple[int, Item]]:
        """(depth, item) depth first from `folder_id`'s children, as Postman and newman go."""
        stack: list[tuple[int, Iterator[Item]]] = [(0, iter(self.children(folder_id)))]
        while stack:
            depth, items = stack[-1]
            item = next(items, None)
            if item is None:
                stack.pop()
                continue
            yield depth, item
            if isinstance(item, Folder):
                stack.append((depth + 1, iter(self.children(item.pk))))

    def requests_in_order(self, folder_id: int | None = None) -> list[SavedRequest]:
        return [item for _, item in self.walk(folder_id) if isinstance(item, SavedRequest)]

    def descendant_ids(self, folder_id: int) -> set[int]:
        """The folder's id and those of all folders below it."""
        return {folder_id} | {item.pk for _, item in self.walk(folder_id) if isinstance(item, Folder)}

    def path(self, folder_id: int | None) -> str:
        names: list[str] = []
        while folder_id is not None and folder_id in self.folders and len(names) <= len(self.folders):
            names.append(self.folders[folder_id].name)
            folder_id = self.folders[folder_id].parent_id
        return " / ".join(reversed(names))


def load(
    collection: Collection,
    *,
    under: Folder | None = None,
    request_fields: Iterable[str] | None = None,
    folder_fields: Iterable[str] | None = None,
) -> LoadedTree:
    """One collection's tree in two queries: all its folders, then the requests (all of the
    collection, or only those below `under`). `request_fields`/`folder_fields` limit the
    columns read (`.only()`); the tree structure fields are always read."""
    folders_qs = Folder.objects.filter(collection_id=collection.pk)
    if folder_fields is not None:
        folders_qs = folders_qs.only("id", "parent_id", "collection_id", "position", "name", *folder_fields)
    folders = {folder.pk: folder for folder in folders_qs}
    requests_qs = SavedRequest.objects.filter(collection_id=collection.pk)
    if under is not None:
        loaded = LoadedTree(collection, folders, _index(folders.values(), []))
        requests_qs = requests_qs.filter(folder_id__in=loaded.descendant_ids(under.pk))
    if request_fields is not None:
        requests_qs = requests_qs.only("id", "folder_id", "collection_id", "position", *request_fields)
    requests = list(requests_qs)
    for saved in requests:
        saved.collection = collection  # already loaded; no query per request
    return LoadedTree(collection, folders, _index(folders.values(), requests))


def _index(folders: Iterable[Folder], requests: Iterable[SavedRequest]) -> dict[int | None, list[Item]]:
    children: dict[int | None, list[Item]] = defaultdict(list)
    for folder in folders:
        children[folder.parent_id].append(folder)
    for saved in requests:
        children[saved.folder_id].append(saved)
    for items in children.values():
        items.sort(key=sort_key)
    return children


def descendant_ids(folder: Folder) -> set[int]:
    """The folder's id and those of all folders below it (one query: the collection's folders)."""
    folders = Folder.objects.filter(collection_id=folder.collection_id).only("id", "parent_id", "position")
    return LoadedTree(folder.collection, {}, _index(folders, [])).descendant_ids(folder.pk)


# ---------------------------------------------------------------- lazy pages


def encode_cursor(key: tuple[int, int, int]) -> str:
    return base64.urlsafe_b64encode((".".join(str(part) for part in key)).encode()).decode().rstrip("=")


def decode_cursor(text: str) -> tuple[int, int, int] | None:
    """A cursor from `encode_cursor`; None for anything else (the first page)."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
        position, kind, pk = (int(part) for part in raw.split("."))
    except (ValueError, UnicodeDecodeError):
        return None
    return (position, kind, pk) if kind in (FOLDER, REQUEST) and abs(position) < 2**31 and pk < 2**63 else None


def _after(key: tuple[int, int, int] | None, kind: int) -> Q:
    """Rows of `kind` that sort after `key` = (position, kind, id)."""
    if key is None:
        return Q()
    position, key_kind, pk = key
    if kind < key_kind:
        return Q(position__gt=position)
    if kind > key_kind:
        return Q(position__gte=position)
    return Q(position__gt=position) | Q(position=position, pk__gt=pk)


@dataclass
class ChildrenPage:
    items: list[Item]
    next_cursor: str | None


def _counted(folders: QuerySet[Folder]) -> QuerySet[Folder]:
    """Folders with `request_count` (direct requests) and `child_count` (direct items)."""
    direct_requests = SavedRequest.objects.filter(folder_id=OuterRef("pk")).order_by().values("folder_id")
    direct_folders = Folder.objects.filter(parent_id=OuterRef("pk"), deleting=False).order_by().values("parent_id")
    return folders.only("id", "name", "parent_id", "collection_id", "position").annotate(
        request_count=Coalesce(Subquery(direct_requests.annotate(n=Count("pk")).values("n")), 0),
        folder_count=Coalesce(Subquery(direct_folders.annotate(n=Count("pk")).values("n")), 0),
    )


def _page(folders: list[Folder], requests: list[SavedRequest], limit: int) -> ChildrenPage:
    for folder in folders:
        folder.child_count = folder.request_count + folder.folder_count  # type: ignore[attr-defined]
    merged: list[Item] = sorted([*folders, *requests], key=sort_key)
    page = merged[:limit]
    more = len(merged) > limit
    return ChildrenPage(page, encode_cursor(sort_key(page[-1])) if more and page else None)


_REQUEST_ROW = ("id", "name", "method", "folder_id", "collection_id", "position")


def _with_example_count(requests: QuerySet[SavedRequest]) -> QuerySet[SavedRequest]:
    """Each request with `example_count`, its saved examples (the sidebar's badge), in the same query."""
    examples = Example.objects.filter(saved_request_id=OuterRef("pk")).order_by().values("saved_request_id")
    return requests.annotate(example_count=Coalesce(Subquery(examples.annotate(n=Count("pk")).values("n")), 0))


def children_page(parent: Parent, *, after: tuple[int, int, int] | None = None, limit: int) -> ChildrenPage:
    """A bounded page of a parent's items in order, after the cursor key. Two queries whatever
    the parent's size (both walk the sibling-order indexes). Folders carry `request_count`
    and `child_count` (see `_counted`)."""
    folders = _counted(parent.folders().filter(_after(after, FOLDER)).order_by("position", "id"))[: limit + 1]
    requests = _with_example_count(
        parent.requests().filter(_after(after, REQUEST)).order_by("position", "id").only(*_REQUEST_ROW)
    )
    return _page(list(folders), list(requests[: limit + 1]), limit)


def first_pages(parents: Iterable[Parent], *, limit: int) -> dict[Parent, ChildrenPage]:
    """The first page of each parent, in two queries however many parents (row numbers per
    parent, so each parent costs at most limit + 1 rows of each kind)."""
    parents = list(parents)
    roots = [parent.collection_id for parent in parents if parent.folder_id is None]
    folder_ids = [parent.folder_id for parent in parents if parent.folder_id is not None]
    if not parents:
        return {}

    def ranked(queryset: QuerySet[Any], parent_field: str, where: Q) -> QuerySet[Any]:
        number = Window(RowNumber(), partition_by=[F("collection_id"), F(parent_field)],
                        order_by=[F("position").asc(), F("id").asc()])
        return queryset.filter(where).annotate(sibling_number=number).filter(sibling_number__lte=limit + 1)

    folders = ranked(_counted(Folder.objects.filter(deleting=False)), "parent_id",
                     Q(collection_id__in=roots, parent_id__isnull=True) | Q(parent_id__in=folder_ids))
    requests = ranked(_with_example_count(SavedRequest.objects.only(*_REQUEST_ROW)), "folder_id",
                      Q(collection_id__in=roots, folder_id__isnull=True) | Q(folder_id__in=folder_ids))
    found_folders: dict[Parent, list[Folder]] = defaultdict(list)
    found_requests: dict[Parent, list[SavedRequest]] = defaultdict(list)
    for folder in folders:
        found_folders[Parent.of(folder)].append(folder)
    for saved in requests:
        found_requests[Parent.of(saved)].append(saved)
    return {parent: _page(found_folders[parent], found_requests[parent], limit) for parent in parents}


# ---------------------------------------------------------------- deletes

DELETE_BATCH = 2000


def delete_requests(requests: QuerySet[SavedRequest]) -> int:
    """Delete these requests in batches of DELETE_BATCH (each through Django's collector, so
    revisions go and history and run results keep their copy): memory stays bounded whatever
    the size of the collection. Returns how many went."""
    deleted = 0
    while True:
        batch = list(requests.order_by().values_list("pk", flat=True)[:DELETE_BATCH])
        if not batch:
            return deleted
        SavedRequest.objects.filter(pk__in=batch).delete()
        deleted += len(batch)


# ---------------------------------------------------------------- copies


def copied_fields(obj: Model) -> dict[str, Any]:
    return {
        field.attname: getattr(obj, field.attname)
        for field in obj._meta.concrete_fields
        if field.name not in _NOT_COPIED
    }


def copy_subtree(
    *,
    source: Collection,
    target: Collection,
    root: Folder | None,
    root_parent: Folder | None = None,
    root_name: str | None = None,
    root_position: int | None = None,
    user: Any = None,
) -> Folder | None:
    """Copy folders and requests of `source` into `target`, keeping every position.

    With `root`, copy that folder and everything below it, the copy placed under
    `root_parent` as `root_name` at `root_position`, and return the copy. Without it, copy all
    of the collection's folders and requests (a collection duplicate). Costs two queries to
    read, one INSERT per folder depth level and the request batches, then one query to read the
    requests' saved examples (and their INSERT when there are some).
    """
    loaded = load(source, under=root)
    levels: list[list[Folder]] = [[root] if root is not None else loaded.subfolders(None)]
    while levels[-1]:
        levels.append([child for folder in levels[-1] for child in loaded.subfolders(folder.pk)])
    levels.pop()

    new_by_old: dict[int, Folder] = {}
    for depth, level in enumerate(levels):
        copies = []
        for folder in level:
            copy = Folder(collection=target, **copied_fields(folder))
            if depth == 0 and root is not None:
                copy.parent = root_parent
                copy.name = root_name or folder.name
                copy.position = folder.position if root_position is None else root_position
            else:
                copy.parent = new_by_old[folder.parent_id] if folder.parent_id else None
            copies.append(copy)
        for folder, copy in zip(level, Folder.objects.bulk_create(copies)):
            new_by_old[folder.pk] = copy

    requests = list(loaded.requests_in_order(root.pk if root else None))
    created = SavedRequest.objects.bulk_create(
        SavedRequest(
            collection=target,
            folder=new_by_old[request.folder_id] if request.folder_id else None,
            created_by=user,
            updated_by=user,
            **copied_fields(request),
        )
        for request in requests
    )
    examples_copy([(request.pk, copy) for request, copy in zip(requests, created, strict=True)])
    return new_by_old.get(root.pk) if root is not None else None

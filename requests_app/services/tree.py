"""The collection tree: sibling ordering, subtree walks and deep copies.

Usage::

    from requests_app.services import tree
    tree.next_position(SavedRequest.objects.filter(collection=c, folder=None))   # append at the end
    tree.place(siblings_queryset, obj, position=0)        # renumber siblings 0..n with obj at 0
    tree.descendant_ids(folder)                           # {ids of folder and all subfolders}
    tree.copy_subtree(source=c, target=c2, root=None)     # deep copy a whole collection's content

Folders and requests are ordered separately under a parent (folders first on the page);
positions are 0..n-1 after every move, so "position" is simply the index.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, TypeVar

from django.db.models import F, Max, Model, QuerySet

from requests_app.models import Collection, Folder, SavedRequest
from requests_app.services.examples import examples_copy

M = TypeVar("M", bound=Model)

# Copied as is by duplicates; everything else (ids, parents, version, audit) is set anew.
_NOT_COPIED = {"id", "collection", "folder", "parent", "version", "created_at", "updated_at", "created_by", "updated_by"}


def next_position(siblings: QuerySet[Any]) -> int:
    highest = siblings.aggregate(highest=Max("position"))["highest"]
    return 0 if highest is None else highest + 1


def place(siblings: QuerySet[M], obj: M, position: int | None) -> int:
    """Renumber `siblings` (obj excluded) so that obj sits at `position`; returns obj's position.

    Does not save obj itself: the caller stores its new parent and position.
    """
    others = list(siblings.exclude(pk=obj.pk).order_by("position", "id").only("pk", "position"))
    index = len(others) if position is None else max(0, min(position, len(others)))
    changed = []
    for number, sibling in enumerate(others[:index] + [obj] + others[index:]):
        if sibling is obj:
            continue
        if sibling.position != number:  # type: ignore[attr-defined]
            sibling.position = number  # type: ignore[attr-defined]
            changed.append(sibling)
    if changed:
        type(obj)._default_manager.bulk_update(changed, ["position"])
    return index


def insert(obj: M, siblings: QuerySet[M], position: int | None) -> M:
    """Save a new obj among `siblings`: last, or at `position` with the others renumbered."""
    obj.position = next_position(siblings) if position is None else place(siblings, obj, position)  # type: ignore[attr-defined]
    obj.save()
    return obj


def renumber(siblings: QuerySet[Any]) -> None:
    """Close gaps (after something moved away): positions become 0..n-1 in their order."""
    rows = list(siblings.order_by("position", "id").only("pk", "position"))
    changed = []
    for number, row in enumerate(rows):
        if row.position != number:
            row.position = number
            changed.append(row)
    if changed:
        siblings.model._default_manager.bulk_update(changed, ["position"])


def open_gap_after(siblings: QuerySet[Any], position: int) -> int:
    """Shift siblings after `position` down by one; returns the freed position."""
    siblings.filter(position__gt=position).update(position=F("position") + 1)
    return position + 1


def _children_map(collection_id: int) -> dict[int | None, list[Folder]]:
    children: dict[int | None, list[Folder]] = defaultdict(list)
    for folder in Folder.objects.filter(collection_id=collection_id).order_by("position", "id"):
        children[folder.parent_id].append(folder)
    return children


def descendant_ids(folder: Folder) -> set[int]:
    """The folder's id and those of all folders below it (one query)."""
    children = _children_map(folder.collection_id)
    found: set[int] = set()
    pending = [folder.pk]
    while pending:
        current = pending.pop()
        found.add(current)
        pending.extend(child.pk for child in children.get(current, []))
    return found


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
    """Copy folders and requests of `source` into `target`.

    With `root`, copy that folder and everything below it, the copy placed under
    `root_parent` as `root_name` at `root_position`, and return the copy. Without it, copy all
    of the collection's folders and requests (a collection duplicate). Costs one query per
    folder depth level plus four (five when there are examples to copy).
    """
    children = _children_map(source.pk)
    if root is not None:
        levels: list[list[Folder]] = [[root]]
    else:
        levels = [children.get(None, [])]
    while levels[-1]:
        levels.append([child for folder in levels[-1] for child in children.get(folder.pk, [])])
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

    queryset = SavedRequest.objects.filter(collection=source)
    if root is not None:
        queryset = queryset.filter(folder_id__in=list(new_by_old))
    requests = list(queryset)
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

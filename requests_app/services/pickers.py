"""Pickers that search and page on the server (issue 15): "Save as…"'s and the runner's
collection or folder, the runner's "Select requests" carry a bounded number of choices whatever
the size of the workspace.

Usage::

    from requests_app.services.pickers import location_choices, run_request_choices
    location_choices(user=u, workspace=ws, q="users")            # [("c:3", "Users"), ("f:9", "Users / Admin"), ...]
    page = run_request_choices(user=u, workspace=ws, q="get", cursor="")   # keyset.Page of Choice
    page.next_cursor                                        # "Show more" asks for the next page

Folder labels carry their path ("Collection / Area / Folder"): one query per folder depth level
for the matches' ancestors, never the workspace's whole folder list.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Q

from requests_app import access, keyset
from requests_app.models import Collection, Folder, SavedRequest, Workspace

PICKER_SIZE = 50  # choices per page of a picker
CHOICE_ORDER = ("name", "id")


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


def _folder_paths(folders: list[tuple[int, str, int | None, int]], collection_names: dict[int, str]) -> dict[int, str]:
    """{folder id: "Collection / … / Folder"} for these (id, name, parent id, collection id) rows."""
    known = {pk: (name, parent_id) for pk, name, parent_id, _ in folders}
    missing = {parent_id for _, _, parent_id, _ in folders if parent_id is not None} - set(known)
    for _ in range(64):  # one query per depth level; a cycle stops here
        if not missing:
            break
        rows = Folder.objects.filter(pk__in=missing).values_list("id", "name", "parent_id")
        known.update({pk: (name, parent_id) for pk, name, parent_id in rows})
        missing = {parent_id for _, parent_id in known.values() if parent_id is not None} - set(known)
    paths = {}
    for pk, _, _, collection_id in folders:
        names, step, seen = [], pk, set()
        while step is not None and step in known and step not in seen:
            seen.add(step)
            names.append(known[step][0])
            step = known[step][1]
        paths[pk] = " / ".join([collection_names.get(collection_id, ""), *reversed(names)])
    return paths


def location_choices(*, user: AbstractBaseUser, workspace: Workspace, q: str = "", chosen: str = "",
                     collections_only: bool = False) -> list[Choice]:
    """Collections and folders whose name holds `q` (at most PICKER_SIZE of each, by name),
    plus `chosen` ("c:<id>" / "f:<id>") first when it is not among them; `collections_only`
    for a picker of collections (Import's "Into")."""
    access.ensure_role(user, workspace, "read")
    q = q.strip()[:200]
    collections = Collection.objects.filter(workspace=workspace, deleting=False)
    folders = Folder.objects.filter(collection__workspace=workspace, collection__deleting=False, deleting=False)
    if collections_only:
        folders = folders.none()
    kind, _, chosen_id = chosen.partition(":")
    if q:
        collections = collections.filter(name__icontains=q)
        folders = folders.filter(name__icontains=q)
    found_collections = list(collections.order_by(*CHOICE_ORDER).values_list("id", "name")[:PICKER_SIZE])
    found_folders = list(folders.order_by(*CHOICE_ORDER).values_list("id", "name", "parent_id", "collection_id")
                         [:PICKER_SIZE])
    if kind == "c" and chosen_id.isdigit() and int(chosen_id) not in {pk for pk, _ in found_collections}:
        found_collections[:0] = Collection.objects.filter(workspace=workspace, pk=int(chosen_id)).values_list(
            "id", "name")
    if kind == "f" and chosen_id.isdigit() and int(chosen_id) not in {row[0] for row in found_folders}:
        found_folders[:0] = Folder.objects.filter(collection__workspace=workspace, pk=int(chosen_id)).values_list(
            "id", "name", "parent_id", "collection_id")
    names = dict(found_collections)
    wanted = {row[3] for row in found_folders} - set(names)
    if wanted:
        names.update(Collection.objects.filter(pk__in=wanted).values_list("id", "name"))
    paths = _folder_paths(found_folders, names)
    return ([Choice(f"c:{pk}", name) for pk, name in found_collections]
            + [Choice(f"f:{row[0]}", paths[row[0]]) for row in found_folders])


def editable_location_choices(*, user: AbstractBaseUser, q: str = "", chosen: str = "") -> list[tuple[Workspace, list[Choice]]]:
    """Per workspace the user can edit, its collections and folders matching `q` (a page of
    each, as `location_choices`), for "Move or copy…"."""
    return [
        (workspace, location_choices(user=user, workspace=workspace, q=q, chosen=chosen))
        for workspace in access.workspaces_for_user(user)
        if access.can_edit(workspace.user_role)  # type: ignore[attr-defined]
    ]


def run_request_choices(
    *, user: AbstractBaseUser, workspace: Workspace, q: str = "", cursor: str = "", chosen: list[str] | None = None
) -> tuple[keyset.Page, list[Choice]]:
    """A keyset page of the workspace's requests whose name or URL holds `q`, by name (labels
    "GET Name — Collection"), and the `chosen` ids' choices (a refused form shows them again).
    Raises ValidationFailed for a cursor that is not this list's."""
    access.ensure_role(user, workspace, "read")
    q = q.strip()[:200]
    requests = SavedRequest.objects.filter(collection__workspace=workspace, collection__deleting=False)
    rows = ("id", "name", "method", "collection__name")
    matching = requests.filter(Q(name__icontains=q) | Q(url__icontains=q)) if q else requests
    found = keyset.page(matching.values(*rows), order=CHOICE_ORDER, cursor=cursor, limit=PICKER_SIZE)
    found.items = [_request_choice(row) for row in found.items]
    ids = [int(pk) for pk in (chosen or [])[:PICKER_SIZE] if str(pk).isdigit()]
    picked = [_request_choice(row) for row in requests.filter(pk__in=ids).order_by(*CHOICE_ORDER).values(*rows)] \
        if ids else []
    return found, picked


def _request_choice(row: dict[str, object]) -> Choice:
    return Choice(str(row["id"]), f"{row['method']} {row['name']} — {row['collection__name']}")

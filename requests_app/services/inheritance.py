"""What a request inherits from its folders and collection: auth and variables, one walk for all.

Usage::

    from requests_app.services.inheritance import folder_chain, inherited_auth, spec_with_inherited_auth
    chain = folder_chain(saved.folder)               # innermost first; one query
    source = inherited_auth(saved.auth, chain, saved.collection)
    source.auth, source.owner                        # {"type": "bearer", …} or None; the folder or collection
    spec = spec_with_inherited_auth(parts, collection=saved.collection, chain=chain)
    variables = inherited_values(saved.collection, chain)   # collection, then folders outside in

Auth, as Postman and Bruno resolve it: a request whose auth is "inherit" (or not stored) takes
the nearest folder above it whose auth is not "inherit", else the collection's. Any explicit
auth ends the walk, "none" included: a folder that says "No auth" sends none below it, even
under a collection with a token.

Variables: collection variables, then each folder's from the outside in (an inner folder's
value of a name wins), then the environment and everything after it (docs/variables.md).

The runner loads a collection's folders once (services.tree.load) and hands each request its
chain (`chain_of`), so resolving costs no query per request or per level.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection

from requests_app.engine.spec import RequestSpec, SpecFormatError, spec_from_dict
from requests_app.models import Collection, Folder
from requests_app.services.errors import ValidationFailed

INHERIT = "inherit"


def inherits(auth: Any) -> bool:
    """True for an auth that defers to its parent: "inherit", or nothing stored ({} / None)."""
    return not auth or (isinstance(auth, Mapping) and auth.get("type", INHERIT) == INHERIT)


@dataclass(frozen=True)
class InheritedAuth:
    """The auth a request that inherits sends, and where it comes from."""

    auth: dict[str, Any] | None  # engine auth dict; None: no auth
    owner: Folder | Collection | None  # the folder or collection that decided; None: nothing above

    @property
    def where(self) -> str:
        """“folder “Admin”” / “collection “Shop””, for the editor and dialogs."""
        if isinstance(self.owner, Folder):
            return f"folder “{self.owner.name}”"
        if isinstance(self.owner, Collection):
            return f"collection “{self.owner.name}”"
        return "no parent"


def chain_of(folder_id: int | None, folders: Mapping[int, Folder]) -> list[Folder]:
    """The folders above a request, innermost first, from folders already in memory."""
    chain: list[Folder] = []
    seen: set[int] = set()
    while folder_id is not None and folder_id in folders and folder_id not in seen:
        seen.add(folder_id)
        folder = folders[folder_id]
        chain.append(folder)
        folder_id = folder.parent_id
    return chain


# A folder's ancestors, nearest first, in one query on SQLite and PostgreSQL alike; the depth bound
# stops a cycle (folder_move refuses them, but a hand-edited database should not hang a send).
_ANCESTORS_SQL = """
WITH RECURSIVE chain(id, parent_id, depth) AS (
    SELECT id, parent_id, 0 FROM {table} WHERE id = %s
    UNION ALL
    SELECT f.id, f.parent_id, chain.depth + 1 FROM {table} f JOIN chain ON f.id = chain.parent_id
    WHERE chain.depth < %s
)
SELECT f.* FROM {table} f JOIN chain ON f.id = chain.id ORDER BY chain.depth
"""
MAX_DEPTH = 256


def folder_chain(folder: Folder | None) -> list[Folder]:
    """`folder` and the folders above it, innermost first: one query, whatever the depth or the
    collection's size (a recursive CTE up the parent links)."""
    if folder is None:
        return []
    if folder.parent_id is None:
        return [folder]
    sql = _ANCESTORS_SQL.format(table=connection.ops.quote_name(Folder._meta.db_table))
    above = list(Folder.objects.raw(sql, [folder.parent_id, MAX_DEPTH]))
    seen = {folder.pk}
    chain = [folder]
    for ancestor in above:
        if ancestor.pk in seen:
            break
        seen.add(ancestor.pk)
        chain.append(ancestor)
    return chain


def inherited_auth(auth: Any, chain: Sequence[Folder], collection: Collection | None) -> InheritedAuth:
    """What `auth` stands for: itself when explicit, else the nearest explicit folder or the collection."""
    if not inherits(auth):
        return InheritedAuth(_sendable(auth), None)
    for folder in chain:
        if not inherits(folder.auth):
            return InheritedAuth(_sendable(folder.auth), folder)
    if collection is None:
        return InheritedAuth(None, None)
    return InheritedAuth(_sendable(collection.auth), collection)


def _sendable(auth: Any) -> dict[str, Any] | None:
    if not isinstance(auth, Mapping) or auth.get("type") in (None, "", "none", INHERIT):
        return None
    return dict(auth)


def spec_with_inherited_auth(
    data: Mapping[str, Any], *, collection: Collection | None, chain: Sequence[Folder] = ()
) -> RequestSpec:
    """Read request parts into a spec, auth "inherit" (or none stored) resolved through `chain`.

    An explicit {"type": "none"} on the request means no auth, whatever is above it.
    """
    parts = dict(data)
    if inherits(parts.get("auth")):
        parts["auth"] = inherited_auth(None, chain, collection).auth
    try:
        return spec_from_dict(parts)
    except SpecFormatError as error:
        raise ValidationFailed.for_field(error.field or "request", error.message) from None


def stored_spec(data: Mapping[str, Any]) -> RequestSpec:
    """Request parts read into a spec as stored: auth "inherit" (or none stored) stays "inherit",
    for the editor to name what it inherits and for callers that resolve it later."""
    parts = dict(data)
    if inherits(parts.get("auth")):
        parts["auth"] = {"type": INHERIT}
    try:
        return spec_from_dict(parts)
    except SpecFormatError as error:
        raise ValidationFailed.for_field(error.field or "request", error.message) from None


def enabled_values(rows: Any) -> dict[str, str]:
    """Enabled {key, value} rows as {name: value}; later rows of a key win."""
    if not isinstance(rows, list):
        return {}
    return {
        row["key"]: str(row.get("value", ""))
        for row in rows
        if isinstance(row, dict) and row.get("enabled", True) and row.get("key")
    }


def folder_values(chain: Sequence[Folder]) -> dict[str, str]:
    """The chain's variables, outermost folder first, so the innermost folder's value wins."""
    values: dict[str, str] = {}
    for folder in reversed(chain):
        values.update(enabled_values(folder.variables))
    return values


def inherited_values(collection: Collection | None, chain: Sequence[Folder]) -> dict[str, str]:
    """The collection's variables overlaid by the folders' (one scope below the environment)."""
    return {**enabled_values(collection.variables if collection is not None else []), **folder_values(chain)}

"""A run plan straight from an imported file (Postman collection, .http file), nothing stored.

Usage::

    from requests_app.interop.detect import import_content
    result = import_content(text, name="api.postman_collection.json")
    plan = plan_from_import(result.collections[0], max_response_bytes=10 * 2**20)
    plan.items            # PlanItems in the file's order, folder or collection auth applied where inherited
    plan.variables        # the collection's enabled variables
    plan.items[0].scripts # {"prerequest": (collection, folders…, request), "test": (…)}: ScriptSources
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from requests_app.interop.model import ImportedCollection, ImportedFolder, ImportedItem, ImportedRequest
from requests_app.runner.loop import PlanItem, make_plan_item
from requests_app.scripting.sources import EVENTS, ScriptSource


@dataclass
class ImportedPlan:
    items: list[PlanItem] = field(default_factory=list)
    variables: dict[str, str] = field(default_factory=dict)


Chain = tuple[tuple[str, dict[str, str]], ...]  # (owner, scripts) from the collection down


def _walk(items: list[ImportedItem], path: list[str], chain: Chain) -> list[tuple[ImportedRequest, str, Chain]]:
    found: list[tuple[ImportedRequest, str, Chain]] = []
    for item in items:
        if isinstance(item, ImportedFolder):
            found.extend(_walk(item.items, [*path, item.name], (*chain, (f"folder {item.name!r}", item.scripts))))
        else:
            found.append((item, " / ".join(path), chain))
    return found


def script_chain(chain: Chain) -> dict[str, tuple[ScriptSource, ...]]:
    """Postman's order for both events: collection, then folders from the outside in, then the request."""
    out = {}
    for event in EVENTS:
        sources = tuple(ScriptSource(owner, scripts[event]) for owner, scripts in chain if (scripts or {}).get(event, "").strip())
        if sources:
            out[event] = sources
    return out


def plan_from_import(collection: ImportedCollection, *, max_response_bytes: int | None = None) -> ImportedPlan:
    """`max_response_bytes`: the server's cap, which a file's own setting may lower but not raise.

    Folder variables apply to the requests below them as in a stored run (newman leaves a
    folder's `variable` unresolved; docs/variables.md)."""
    plan = ImportedPlan(variables={v.key: v.value for v in collection.variables if v.enabled and v.key})
    root: Chain = (("collection", collection.scripts),)
    walked = zip(_walk(collection.items, [], root), collection.requests_with_folders(), strict=True)
    for number, ((request, path, chain), (_, folders)) in enumerate(walked):
        spec = request.spec
        auth = collection.sent_auth(request, folders)
        if auth is not spec.auth:
            spec = replace(spec, auth=auth)
        if max_response_bytes is not None and spec.options.max_response_bytes > max_response_bytes:
            spec = replace(spec, options=replace(spec.options, max_response_bytes=max_response_bytes))
        scripts = script_chain((*chain, ("request", request.scripts)))
        plan.items.append(make_plan_item(name=request.name, spec=spec, key=number, path=path, scripts=scripts,
                                         variables=collection.folder_values(folders)))
    return plan

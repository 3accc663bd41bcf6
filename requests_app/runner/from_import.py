"""A run plan straight from an imported file (Postman collection, .http file), nothing stored.

Usage::

    from requests_app.interop.detect import import_content
    result = import_content(text, name="api.postman_collection.json")
    plan = plan_from_import(result.collections[0], max_response_bytes=10 * 2**20)
    plan.items            # PlanItems in the file's order, collection auth applied where inherited
    plan.variables        # the collection's enabled variables
    plan.notes            # test scripts that could not be translated (see postman_tests.py)
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from requests_app.interop.model import ImportedCollection, ImportedFolder, ImportedItem, ImportedRequest
from requests_app.runner.loop import PlanItem, make_plan_item
from requests_app.runner.postman_tests import translate_test_script


@dataclass
class ImportedPlan:
    items: list[PlanItem] = field(default_factory=list)
    variables: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _walk(items: list[ImportedItem], path: list[str]) -> list[tuple[ImportedRequest, str]]:
    found: list[tuple[ImportedRequest, str]] = []
    for item in items:
        if isinstance(item, ImportedFolder):
            found.extend(_walk(item.items, [*path, item.name]))
        else:
            found.append((item, " / ".join(path)))
    return found


def plan_from_import(collection: ImportedCollection, *, max_response_bytes: int | None = None) -> ImportedPlan:
    """`max_response_bytes`: the server's cap, which a file's own setting may lower but not raise."""
    plan = ImportedPlan(variables={v.key: v.value for v in collection.variables if v.enabled and v.key})
    translated: dict[str, tuple[list[dict[str, Any]], list[str]]] = {}
    for number, (request, path) in enumerate(_walk(collection.items, [])):
        spec = request.spec
        if request.inherits_auth and collection.auth is not None:
            spec = replace(spec, auth=collection.auth)
        if max_response_bytes is not None and spec.options.max_response_bytes > max_response_bytes:
            spec = replace(spec, options=replace(spec.options, max_response_bytes=max_response_bytes))
        script = request.scripts.get("test", "")
        if script not in translated:  # collections repeat the same test on many requests
            translated[script] = translate_test_script(script)
        assertions, notes = translated[script]
        plan.notes.extend(f"{request.name}: {note}" for note in notes)
        plan.items.append(make_plan_item(name=request.name, spec=spec, assertions=assertions, key=number, path=path))
    return plan

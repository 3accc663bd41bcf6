"""Postman environments (and globals) read and written."""

from __future__ import annotations

import json
from typing import Any

from requests_app.engine.spec import VERSION
from requests_app.interop.limits import as_text, load_json
from requests_app.interop.model import EnvironmentVariable, ImportedEnvironment, ImportResult, Report
from requests_app.interop.postman.common import (
    ENVIRONMENT_FORMAT,
    MAX_NAME_LENGTH,
    _fail,
    _join,
    _list,
    _new_id,
    _obj,
    _text,
)

# ---------------------------------------------------------------- environment import


def parse_postman_environment(content: str | bytes) -> ImportResult:
    text = as_text(content, ENVIRONMENT_FORMAT)
    return parse_postman_environment_data(load_json(text, ENVIRONMENT_FORMAT))


def parse_postman_environment_data(data: Any) -> ImportResult:
    root = _obj(data, "", ENVIRONMENT_FORMAT)
    if "values" not in root:
        raise _fail("values", "missing (a Postman environment has name and values)", ENVIRONMENT_FORMAT)
    report = Report()
    variables = []
    for index, raw in enumerate(_list(root["values"], "values", ENVIRONMENT_FORMAT)):
        where = f"values[{index}]"
        entry = _obj(raw, where, ENVIRONMENT_FORMAT)
        value = entry.get("value")
        if isinstance(value, (dict, list)):
            value = json.dumps(value)
        variables.append(
            EnvironmentVariable(
                key=_text(entry.get("key"), _join(where, "key"), ENVIRONMENT_FORMAT),
                value=_text(value, _join(where, "value"), ENVIRONMENT_FORMAT),
                secret=entry.get("type") == "secret",
                enabled=entry.get("enabled", True) is not False,
            )
        )
    name = _text(root.get("name"), "name", ENVIRONMENT_FORMAT).strip()[:MAX_NAME_LENGTH] or "Imported environment"
    if root.get("_postman_variable_scope") == "globals":
        report.note("_postman_variable_scope", "Postman globals are imported as an environment")
    return ImportResult(format="postman_environment", environments=[ImportedEnvironment(name, variables)], report=report.items)


def export_postman_environment(environment: ImportedEnvironment, *, environment_id: str | None = None) -> dict[str, Any]:
    return {
        "id": environment_id or _new_id(),
        "name": environment.name,
        "values": [
            {"key": v.key, "value": v.value, "type": "secret" if v.secret else "default", "enabled": v.enabled}
            for v in environment.variables
        ],
        "_postman_variable_scope": "environment",
        "_postman_exported_using": f"webclient/{VERSION}",
    }

"""What the Postman readers and writers share: format names, the webclient option keys, and the
reading helpers that name the JSON path of anything malformed (private to this package)."""

from __future__ import annotations

import json
import re
from typing import Any

from requests_app.engine.spec import RAW_CONTENT_TYPES
from requests_app.interop.model import ImportFormatError

FORMAT = "Postman collection"
ENVIRONMENT_FORMAT = "Postman environment"
SCHEMA_V21 = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
SCHEMA_V20 = "https://schema.getpostman.com/json/collection/v2.0.0/collection.json"
MAX_NAME_LENGTH = 200

_LANGUAGE_OF = {content_type: language for language, content_type in RAW_CONTENT_TYPES.items()}
_PATH_VARIABLE = re.compile(r"(?<=/):([A-Za-z_][A-Za-z0-9_.-]*)")
_DYNAMIC_REFERENCE = re.compile(r"\{\{\s*(\$[A-Za-z0-9_.]+)\s*\}\}")
_WEBCLIENT_TIMEOUT = "webclientTimeoutMs"
_WEBCLIENT_MAX_BYTES = "webclientMaxResponseBytes"


# ---------------------------------------------------------------- reading helpers



def _new_id() -> str:
    import uuid  # exports only: a run of a file (run_collection --file) does not pay for it at start-up

    return str(uuid.uuid4())

def _fail(path: str, message: str, format_name: str = FORMAT) -> ImportFormatError:
    return ImportFormatError(format_name, path, message)


def _obj(value: Any, path: str, format_name: str = FORMAT) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _fail(path, f"expected an object, found {_kind(value)}", format_name)
    return value


def _list(value: Any, path: str, format_name: str = FORMAT) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _fail(path, f"expected a list, found {_kind(value)}", format_name)
    return value


def _text(value: Any, path: str, format_name: str = FORMAT) -> str:
    """Strings as they are; numbers and booleans as Postman would show them; null as ""."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    raise _fail(path, f"expected a string, found {_kind(value)}", format_name)


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    return {dict: "an object", list: "a list", str: "a string", bool: "true/false"}.get(type(value), "a number")


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _description(value: Any, path: str) -> str:
    if isinstance(value, dict):
        return _text(value.get("content"), _join(path, "content"))
    return _text(value, path)

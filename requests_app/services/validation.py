"""Input cleaning shared by the services: each function returns clean data or raises
ValidationFailed naming the field.

Usage::

    from requests_app.services.validation import clean_name, clean_request_parts
    name = clean_name(" Users ")                       # "Users"
    parts = clean_request_parts({"method": "get", "url": "http://…", "body": {"mode": "json", "text": "{}"}})
    parts["method"], parts["body"]                     # "GET", {"mode": "json", "text": "{}"}
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from requests_app.engine.spec import SpecFormatError, spec_from_dict, spec_to_dict
from requests_app.engine.validation import RequestRejected, check_header_value, is_token
from requests_app.services.errors import NAME_REQUIRED, ValidationFailed

NAME_MAX = 200
KEY_MAX = 1000
# RFC 9110 token: what http.client would otherwise accept blindly ("GET X").

MAX_METHOD_LENGTH = 32
REQUEST_PARTS = ("method", "url", "params", "headers", "body", "auth", "options")
# Saved requests may say "use the collection's auth"; the engine never sees this type.
INHERIT_AUTH = {"type": "inherit"}


NUL_MESSAGE = "must not contain NUL characters (use a binary body for binary data)"
SURROGATE_MESSAGE = "must not contain a lone surrogate (such as the JSON escape \\ud800): it is not a character"
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def reject_nul(value: Any, *, field: str) -> Any:
    """Refuse NUL characters and lone surrogates anywhere in nested data: PostgreSQL can't store
    either, and a surrogate has no UTF-8 form to send."""
    if isinstance(value, str):
        if "\x00" in value:
            raise ValidationFailed.for_field(field, NUL_MESSAGE, code="nul_character")
        if _SURROGATE.search(value):
            raise ValidationFailed.for_field(field, SURROGATE_MESSAGE, code="lone_surrogate")
    elif isinstance(value, Mapping):
        for key, item in value.items():
            reject_nul(key, field=field)
            reject_nul(item, field=f"{field}.{key}")
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            reject_nul(item, field=f"{field}[{index}]")
    return value


def clean_name(value: Any, *, field: str = "name") -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationFailed.for_field(field, NAME_REQUIRED, code="name_required")
    value = reject_nul(value.strip(), field=field)
    if len(value) > NAME_MAX:
        raise ValidationFailed.for_field(field, f"must be at most {NAME_MAX} characters")
    return value


def clean_email(value: Any, *, field: str = "email") -> str:
    """An e-mail address, or "" for none; ValidationFailed with Django's message when malformed."""
    email = (value or "").strip() if isinstance(value, str) or value is None else None
    if email is None:
        raise ValidationFailed.for_field(field, "must be a string")
    if email:
        try:
            validate_email(email)
        except ValidationError as error:
            raise ValidationFailed.for_field(field, " ".join(error.messages)) from None
    return email


def clean_text(value: Any, *, field: str, max_length: int = 100_000) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationFailed.for_field(field, "must be a string")
    if len(value) > max_length:
        raise ValidationFailed.for_field(field, f"must be at most {max_length} characters")
    return reject_nul(value, field=field)


def clean_kv_list(value: Any, *, field: str, allow_secret: bool = False) -> list[dict[str, Any]]:
    """An ordered list of {key, value, enabled} (plus `secret` when allowed); duplicates kept."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValidationFailed.for_field(field, "must be a list of {key, value, enabled}")
    out: list[dict[str, Any]] = []
    for index, item in enumerate(value):
        where = f"{field}[{index}]"
        if not isinstance(item, Mapping):
            raise ValidationFailed.for_field(where, "must be an object with key, value and enabled")
        key = item.get("key", "")
        if not isinstance(key, str) or len(key) > KEY_MAX:
            raise ValidationFailed.for_field(f"{where}.key", f"must be a string of at most {KEY_MAX} characters")
        raw_value = item.get("value", "")
        if raw_value is None:
            raw_value = ""
        if not isinstance(raw_value, str):
            raise ValidationFailed.for_field(f"{where}.value", "must be a string")
        enabled = item.get("enabled", True)
        if not isinstance(enabled, bool):
            raise ValidationFailed.for_field(f"{where}.enabled", "must be true or false")
        row: dict[str, Any] = {"key": key, "value": raw_value, "enabled": enabled}
        if allow_secret:
            secret = item.get("secret", False)
            if not isinstance(secret, bool):
                raise ValidationFailed.for_field(f"{where}.secret", "must be true or false")
            row["secret"] = secret
        out.append(reject_nul(row, field=where))
    return out


def clean_variables(value: Any, *, field: str = "variables") -> list[dict[str, Any]]:
    """Collection variables: {key, value, enabled}; keys must be non-empty."""
    rows = clean_kv_list(value, field=field)
    for index, row in enumerate(rows):
        if not row["key"].strip():
            raise ValidationFailed.for_field(f"{field}[{index}].key", "a variable needs a name")
    return rows


def clean_auth(value: Any, *, field: str = "auth", allow_inherit: bool = True) -> dict[str, Any]:
    if value is None or value == {}:
        return dict(INHERIT_AUTH) if allow_inherit else {"type": "none"}
    if allow_inherit and isinstance(value, Mapping) and value.get("type") == "inherit":
        return dict(INHERIT_AUTH)
    try:
        return reject_nul(spec_to_dict(spec_from_dict({"auth": value}))["auth"], field=field)  # type: ignore[no-any-return]
    except SpecFormatError as error:
        raise ValidationFailed.for_field(_rename(error.field, "auth", field), error.message) from None


def _rename(path: str, prefix: str, new_prefix: str) -> str:
    return new_prefix + path[len(prefix) :] if path.startswith(prefix) else path


def clean_request_parts(data: Mapping[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """Validate request parts through the engine's own reader and return them normalised.

    With `partial`, only the parts present in `data` are returned (for updates).
    """
    present = [part for part in REQUEST_PARTS if part in data]
    if not partial:
        present = list(REQUEST_PARTS)
    method = data.get("method", "GET")
    if "method" in present:
        if not isinstance(method, str) or not _is_method(method.strip() or "GET"):
            raise ValidationFailed.for_field(
                "method", "must be an HTTP method: letters, digits and !#$%&'*+-.^_`|~, at most 32", code="bad_method"
            )
    if "url" in present:
        url = data.get("url", "")
        if url is not None and not isinstance(url, str):
            raise ValidationFailed.for_field("url", "must be a string")
        if isinstance(url, str) and len(url) > 64 * 1024:
            raise ValidationFailed.for_field("url", "must be at most 65536 characters")
    auth = data.get("auth")
    inherit = auth is None or auth == {} or (isinstance(auth, Mapping) and auth.get("type") == "inherit")
    candidate = {part: data.get(part) for part in REQUEST_PARTS if part != "auth"}
    candidate["auth"] = None if inherit else auth
    try:
        cleaned = spec_to_dict(spec_from_dict(candidate))
    except SpecFormatError as error:
        raise ValidationFailed.for_field(error.field or "request", error.message) from None
    cleaned["method"] = cleaned["method"].strip().upper() or "GET"
    if inherit:
        cleaned["auth"] = dict(INHERIT_AUTH)
    out = {part: reject_nul(cleaned[part], field=part) for part in present}
    _check_header_texts(out)
    return out


def _check_header_texts(parts: Mapping[str, Any]) -> None:
    """Texts that become header values as typed (the raw/binary Content-Type, a Digest username)
    are refused now, not when a run meets them (http.client raises on line breaks)."""
    body, auth = parts.get("body") or {}, parts.get("auth") or {}
    checks = []
    if body.get("mode") in ("raw", "binary") and body.get("content_type"):
        checks.append((body["content_type"], "body.content_type", "Content-Type"))
    if auth.get("type") == "digest":
        checks.append((auth.get("username", ""), "auth.username", "Authorization"))
    for value, field, name in checks:
        try:
            check_header_value(value, field=field, name=name)
        except RequestRejected as error:
            raise ValidationFailed.for_field(field, error.error.message, code=error.error.code) from None


def clean_json_list(value: Any, *, field: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValidationFailed.for_field(field, "must be a list")
    return reject_nul(value, field=field)  # type: ignore[no-any-return]


def clean_json_object(value: Any, *, field: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValidationFailed.for_field(field, "must be an object")
    return reject_nul(value, field=field)  # type: ignore[no-any-return]


def clean_position(value: Any, *, field: str = "position") -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0 or value > 1_000_000:
        raise ValidationFailed.for_field(field, "must be a whole number from 0")
    return value


def _is_method(text: str) -> bool:
    return len(text) <= MAX_METHOD_LENGTH and is_token(text)

"""What a person asks to send: plain data, no Django.

Usage::

    from requests_app.engine.spec import RequestSpec, KeyValue, Body, Auth, Options
    spec = RequestSpec(method="POST", url="http://127.0.0.1:8000/echo/anything",
                       headers=[KeyValue("Accept", "application/json")],
                       body=Body(mode="json", text='{"a": 1}'))
    spec_to_dict(spec)            # JSON-safe dict, the shape the API and storage use
    spec_from_dict(data)          # the reverse; raises SpecFormatError naming the field

Lists that are ordered and may repeat (params, headers, form fields) are lists of
KeyValue, never dicts: duplicates and order are part of what gets sent.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field, replace
from typing import Any

BODY_MODES = ("none", "raw", "json", "urlencoded", "multipart", "binary", "graphql")
# How a urlencoded body writes a space: "plus" as HTML forms, browsers and curl do (a+b),
# "percent" as Postman and newman do (a%20b). Every other byte is escaped the same way.
FORM_ENCODINGS = ("plus", "percent")
# "inherit": use the parent's auth (collection); the caller resolves it, and an unresolved
# one reaching the engine sends no credentials, like "none".
AUTH_TYPES = ("none", "inherit", "basic", "bearer", "apikey", "digest", "awsv4", "oauth2")
OAUTH2_GRANTS = ("client_credentials", "authorization_code", "password", "refresh_token")
OAUTH2_CLIENT_AUTH = ("body", "basic")
APIKEY_LOCATIONS = ("header", "query")

# The content types a raw body can be labelled with in the editor; any other
# string is accepted too (people send application/vnd.api+json and friends).
RAW_CONTENT_TYPES = {
    "json": "application/json",
    "xml": "application/xml",
    "html": "text/html",
    "text": "text/plain",
    "javascript": "application/javascript",
}

VERSION = "0.1.0"
DEFAULT_USER_AGENT = f"webclient/{VERSION}"

DEFAULT_TIMEOUT_MS = 30_000
DEFAULT_MAX_REDIRECTS = 10
DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024


class SpecFormatError(ValueError):
    """A dict could not be read as a RequestSpec; `field` names the bad part."""

    def __init__(self, field_path: str, message: str) -> None:
        super().__init__(f"{field_path}: {message}")
        self.field = field_path
        self.message = message


@dataclass
class KeyValue:
    key: str
    value: str = ""
    enabled: bool = True


@dataclass
class FilePart:
    filename: str
    content: bytes = b""
    content_type: str = "application/octet-stream"


@dataclass
class FormField:
    """A urlencoded or multipart field; multipart fields may carry a file instead of a value."""

    key: str
    value: str = ""
    enabled: bool = True
    file: FilePart | None = None


@dataclass
class Body:
    mode: str = "none"
    text: str = ""  # raw, json
    content_type: str = ""  # raw, binary; overrides the mode's default
    fields: list[FormField] = field(default_factory=list)  # urlencoded, multipart
    data: bytes = b""  # binary
    query: str = ""  # graphql
    variables: str = ""  # graphql, JSON text
    form_encoding: str = "plus"  # urlencoded: FORM_ENCODINGS


@dataclass
class Auth:
    type: str = "none"
    username: str = ""  # basic, digest
    password: str = ""  # basic, digest
    token: str = ""  # bearer
    key: str = ""  # apikey: header or query parameter name
    value: str = ""  # apikey
    location: str = "header"  # apikey: "header" or "query"
    access_key: str = ""  # awsv4
    secret_key: str = ""  # awsv4
    session_token: str = ""  # awsv4, optional
    region: str = ""  # awsv4, e.g. "eu-west-1"
    service: str = ""  # awsv4, e.g. "execute-api", "s3"
    unsigned_payload: bool = False  # awsv4: send X-Amz-Content-SHA256: UNSIGNED-PAYLOAD
    # oauth2: how to get a token. The token itself (`token`) is per user and workspace, stored
    # apart (services/oauth.py) and set just before sending; it is never part of the request.
    grant_type: str = "client_credentials"
    token_url: str = ""
    auth_url: str = ""  # authorization_code
    client_id: str = ""
    client_secret: str = ""
    scope: str = ""
    audience: str = ""
    resource: str = ""
    client_auth: str = "body"  # "body": client_id/secret as form fields; "basic": HTTP Basic
    extra_params: list[KeyValue] = field(default_factory=list)  # more token request fields
    header_prefix: str = "Bearer"  # oauth2 with location "header": "<prefix> <token>"
    query_param: str = "access_token"  # oauth2 with location "query"


@dataclass
class Options:
    follow_redirects: bool = True
    max_redirects: int = DEFAULT_MAX_REDIRECTS
    timeout_ms: int = DEFAULT_TIMEOUT_MS
    verify_tls: bool = True
    use_cookies: bool = True
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES


@dataclass
class RequestSpec:
    method: str = "GET"
    url: str = ""
    params: list[KeyValue] = field(default_factory=list)
    headers: list[KeyValue] = field(default_factory=list)
    body: Body = field(default_factory=Body)
    auth: Auth = field(default_factory=Auth)
    options: Options = field(default_factory=Options)

    def copy(self, **changes: Any) -> RequestSpec:
        return replace(self, **changes)


# ---------------------------------------------------------------- dict shapes
# These are the JSON shapes of the REST API (docs/api.md) and of stored requests.


def _kv_to_dict(kv: KeyValue) -> dict[str, Any]:
    return {"key": kv.key, "value": kv.value, "enabled": kv.enabled}


def _field_to_dict(f: FormField) -> dict[str, Any]:
    out: dict[str, Any] = {"key": f.key, "value": f.value, "enabled": f.enabled}
    if f.file is not None:
        out["file"] = {
            "name": f.file.filename,
            "content_type": f.file.content_type,
            "base64": base64.b64encode(f.file.content).decode("ascii"),
        }
    return out


def body_to_dict(body: Body) -> dict[str, Any]:
    mode = body.mode
    if mode == "raw":
        return {"mode": "raw", "text": body.text, "content_type": body.content_type}
    if mode == "json":
        return {"mode": "json", "text": body.text}
    if mode in ("urlencoded", "multipart"):
        out: dict[str, Any] = {"mode": mode, "fields": [_field_to_dict(f) for f in body.fields]}
        if mode == "urlencoded" and body.form_encoding != "plus":
            out["encoding"] = body.form_encoding  # only when not the default, so stored shapes stay
        return out
    if mode == "binary":
        return {
            "mode": "binary",
            "base64": base64.b64encode(body.data).decode("ascii"),
            "content_type": body.content_type,
        }
    if mode == "graphql":
        return {"mode": "graphql", "query": body.query, "variables": body.variables}
    return {"mode": "none"}


def auth_to_dict(auth: Auth) -> dict[str, Any]:
    t = auth.type
    if t in ("basic", "digest"):
        return {"type": t, "username": auth.username, "password": auth.password}
    if t == "bearer":
        return {"type": "bearer", "token": auth.token}
    if t == "apikey":
        return {"type": "apikey", "key": auth.key, "value": auth.value, "in": auth.location}
    if t == "awsv4":
        return {
            "type": "awsv4",
            "access_key": auth.access_key,
            "secret_key": auth.secret_key,
            "session_token": auth.session_token,
            "region": auth.region,
            "service": auth.service,
            "unsigned_payload": auth.unsigned_payload,
        }
    if t == "oauth2":
        return {
            "type": "oauth2",
            "grant_type": auth.grant_type,
            "token_url": auth.token_url,
            "auth_url": auth.auth_url,
            "client_id": auth.client_id,
            "client_secret": auth.client_secret,
            "scope": auth.scope,
            "audience": auth.audience,
            "resource": auth.resource,
            "client_auth": auth.client_auth,
            "username": auth.username,
            "password": auth.password,
            "extra_params": [_kv_to_dict(p) for p in auth.extra_params],
            "in": auth.location,
            "header_prefix": auth.header_prefix,
            "query_param": auth.query_param,
        }
    if t == "inherit":
        return {"type": "inherit"}
    return {"type": "none"}


def options_to_dict(options: Options) -> dict[str, Any]:
    return {
        "follow_redirects": options.follow_redirects,
        "max_redirects": options.max_redirects,
        "timeout_ms": options.timeout_ms,
        "verify_tls": options.verify_tls,
        "use_cookies": options.use_cookies,
        "max_response_bytes": options.max_response_bytes,
    }


def spec_to_dict(spec: RequestSpec) -> dict[str, Any]:
    return {
        "method": spec.method,
        "url": spec.url,
        "params": [_kv_to_dict(p) for p in spec.params],
        "headers": [_kv_to_dict(h) for h in spec.headers],
        "body": body_to_dict(spec.body),
        "auth": auth_to_dict(spec.auth),
        "options": options_to_dict(spec.options),
    }


def _expect(value: Any, kind: type | tuple[type, ...], path: str, what: str) -> Any:
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise SpecFormatError(path, f"must be {what}")
    return value


def _str(data: dict[str, Any], key: str, path: str, default: str = "") -> str:
    value = data.get(key, default)
    if value is None:
        return default
    return _expect(value, str, f"{path}.{key}" if path else key, "a string")


def _bool(data: dict[str, Any], key: str, path: str, default: bool) -> bool:
    value = data.get(key, default)
    return _expect(value, bool, f"{path}.{key}" if path else key, "true or false")


def _int(data: dict[str, Any], key: str, path: str, default: int, low: int, high: int) -> int:
    value = data.get(key, default)
    where = f"{path}.{key}" if path else key
    _expect(value, int, where, "a whole number")
    if not low <= value <= high:
        raise SpecFormatError(where, f"must be between {low} and {high}")
    return value


def _b64(value: Any, path: str) -> bytes:
    _expect(value, str, path, "base64 text")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise SpecFormatError(path, "is not valid base64") from None


def _kv_list(value: Any, path: str) -> list[KeyValue]:
    if value is None:
        return []
    _expect(value, list, path, "a list of {key, value, enabled}")
    out = []
    for i, item in enumerate(value):
        where = f"{path}[{i}]"
        # [key, value] pairs are accepted too: that is how people paste headers.
        if isinstance(item, list) and len(item) == 2 and all(isinstance(x, str) for x in item):
            out.append(KeyValue(item[0], item[1]))
            continue
        _expect(item, dict, where, "an object with key, value and enabled")
        out.append(KeyValue(_str(item, "key", where), _str(item, "value", where), _bool(item, "enabled", where, True)))
    return out


def _fields(value: Any, path: str, allow_files: bool) -> list[FormField]:
    if value is None:
        return []
    _expect(value, list, path, "a list of fields")
    out = []
    for i, item in enumerate(value):
        where = f"{path}[{i}]"
        _expect(item, dict, where, "an object with key, value and enabled")
        file_part = None
        if item.get("file") is not None:
            if not allow_files:
                raise SpecFormatError(f"{where}.file", "files are only allowed in multipart bodies")
            f = _expect(item["file"], dict, f"{where}.file", "an object with name, content_type and base64")
            file_part = FilePart(
                filename=_str(f, "name", f"{where}.file", "file"),
                content=_b64(f.get("base64", ""), f"{where}.file.base64"),
                content_type=_str(f, "content_type", f"{where}.file") or "application/octet-stream",
            )
        out.append(
            FormField(
                key=_str(item, "key", where),
                value=_str(item, "value", where),
                enabled=_bool(item, "enabled", where, True),
                file=file_part,
            )
        )
    return out


def body_from_dict(data: Any, path: str = "body") -> Body:
    if data is None:
        return Body()
    _expect(data, dict, path, "an object with a mode")
    mode = data.get("mode", "none")
    if mode not in BODY_MODES:
        raise SpecFormatError(f"{path}.mode", f"must be one of {', '.join(BODY_MODES)}")
    if mode == "raw":
        return Body(mode="raw", text=_str(data, "text", path), content_type=_str(data, "content_type", path))
    if mode == "json":
        return Body(mode="json", text=_str(data, "text", path))
    if mode in ("urlencoded", "multipart"):
        fields = _fields(data.get("fields"), f"{path}.fields", mode == "multipart")
        encoding = data.get("encoding", "plus") if mode == "urlencoded" else "plus"
        if encoding not in FORM_ENCODINGS:
            raise SpecFormatError(f"{path}.encoding", f"must be one of {', '.join(FORM_ENCODINGS)}")
        return Body(mode=mode, fields=fields, form_encoding=encoding)
    if mode == "binary":
        return Body(
            mode="binary",
            data=_b64(data.get("base64", ""), f"{path}.base64"),
            content_type=_str(data, "content_type", path),
        )
    if mode == "graphql":
        return Body(mode="graphql", query=_str(data, "query", path), variables=_str(data, "variables", path))
    return Body()


def auth_from_dict(data: Any, path: str = "auth") -> Auth:
    if data is None:
        return Auth()
    _expect(data, dict, path, "an object with a type")
    t = data.get("type", "none")
    if t not in AUTH_TYPES:
        raise SpecFormatError(f"{path}.type", f"must be one of {', '.join(AUTH_TYPES)}")
    if t in ("basic", "digest"):
        return Auth(type=t, username=_str(data, "username", path), password=_str(data, "password", path))
    if t == "bearer":
        return Auth(type="bearer", token=_str(data, "token", path))
    if t == "apikey":
        location = data.get("in", "header")
        if location not in APIKEY_LOCATIONS:
            raise SpecFormatError(f"{path}.in", "must be header or query")
        return Auth(type="apikey", key=_str(data, "key", path), value=_str(data, "value", path), location=location)
    if t == "awsv4":
        return Auth(
            type="awsv4",
            access_key=_str(data, "access_key", path),
            secret_key=_str(data, "secret_key", path),
            session_token=_str(data, "session_token", path),
            region=_str(data, "region", path),
            service=_str(data, "service", path),
            unsigned_payload=_bool(data, "unsigned_payload", path, False),
        )
    if t == "oauth2":
        return _oauth2_from_dict(data, path)
    if t == "inherit":
        return Auth(type="inherit")
    return Auth()


def _oauth2_from_dict(data: dict[str, Any], path: str) -> Auth:
    def choice(key: str, allowed: tuple[str, ...], default: str) -> str:
        value = data.get(key, default)
        if value not in allowed:
            raise SpecFormatError(f"{path}.{key}", f"must be one of {', '.join(allowed)}")
        return str(value)

    return Auth(
        type="oauth2",
        grant_type=choice("grant_type", OAUTH2_GRANTS, "client_credentials"),
        token_url=_str(data, "token_url", path),
        auth_url=_str(data, "auth_url", path),
        client_id=_str(data, "client_id", path),
        client_secret=_str(data, "client_secret", path),
        scope=_str(data, "scope", path),
        audience=_str(data, "audience", path),
        resource=_str(data, "resource", path),
        client_auth=choice("client_auth", OAUTH2_CLIENT_AUTH, "body"),
        username=_str(data, "username", path),
        password=_str(data, "password", path),
        extra_params=_kv_list(data.get("extra_params"), f"{path}.extra_params"),
        location=choice("in", APIKEY_LOCATIONS, "header"),
        header_prefix=_str(data, "header_prefix", path, "Bearer"),
        query_param=_str(data, "query_param", path, "access_token") or "access_token",
    )


def options_from_dict(data: Any, path: str = "options") -> Options:
    if data is None:
        return Options()
    _expect(data, dict, path, "an object")
    return Options(
        follow_redirects=_bool(data, "follow_redirects", path, True),
        max_redirects=_int(data, "max_redirects", path, DEFAULT_MAX_REDIRECTS, 0, 50),
        timeout_ms=_int(data, "timeout_ms", path, DEFAULT_TIMEOUT_MS, 1, 600_000),
        verify_tls=_bool(data, "verify_tls", path, True),
        use_cookies=_bool(data, "use_cookies", path, True),
        max_response_bytes=_int(
            data, "max_response_bytes", path, DEFAULT_MAX_RESPONSE_BYTES, 1, 100 * 1024 * 1024
        ),
    )


def spec_from_dict(data: Any) -> RequestSpec:
    """Read the API/storage shape; raises SpecFormatError naming the first bad field."""
    _expect(data, dict, "request", "an object")
    return RequestSpec(
        method=_str(data, "method", "", "GET") or "GET",
        url=_str(data, "url", ""),
        params=_kv_list(data.get("params"), "params"),
        headers=_kv_list(data.get("headers"), "headers"),
        body=body_from_dict(data.get("body")),
        auth=auth_from_dict(data.get("auth")),
        options=options_from_dict(data.get("options")),
    )

"""Writing the interop tree as a Postman v2.1 collection (valid against the v2.1 JSON schema)."""

from __future__ import annotations

import json
import re
from http import HTTPStatus
from typing import Any

from requests_app.engine.spec import (
    DEFAULT_MAX_REDIRECTS,
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_TIMEOUT_MS,
    Body,
    FormField,
    KeyValue,
    Options,
    RequestSpec,
)
from requests_app.interop.model import (
    ImportedCollection,
    ImportedExample,
    ImportedFolder,
    ImportedItem,
    ImportedRequest,
)
from requests_app.interop.postman.auth import auth_to_postman
from requests_app.interop.postman.common import (
    _LANGUAGE_OF,
    _WEBCLIENT_MAX_BYTES,
    _WEBCLIENT_TIMEOUT,
    SCHEMA_V21,
    _new_id,
)
from requests_app.interop.saved_tests import with_saved_tests
from requests_app.interop.wire import FORM_CONTENT_TYPE, add_query, encode_form, find_header

# ---------------------------------------------------------------- export


def dumps_postman(collection: ImportedCollection) -> str:
    return json.dumps(export_postman(collection), indent=2, ensure_ascii=False)


def export_postman(collection: ImportedCollection, *, postman_id: str | None = None) -> dict[str, Any]:
    info: dict[str, Any] = {"_postman_id": postman_id or _new_id(), "name": collection.name, "schema": SCHEMA_V21}
    if collection.description:
        info["description"] = collection.description
    out: dict[str, Any] = {"info": info, "item": [_export_item(item) for item in collection.items]}
    if collection.scripts:
        out["event"] = _export_events(collection.scripts)
    if collection.variables:
        out["variable"] = [_export_variable(v) for v in collection.variables]
    if collection.auth is not None:
        out["auth"] = auth_to_postman(collection.auth)
    return out


def _export_variable(variable: KeyValue) -> dict[str, Any]:
    out: dict[str, Any] = {"key": variable.key, "value": variable.value, "type": "string"}
    if not variable.enabled:
        out["disabled"] = True
    return out


def _export_item(item: ImportedItem) -> dict[str, Any]:
    if isinstance(item, ImportedFolder):
        folder: dict[str, Any] = {"name": item.name, "item": [_export_item(child) for child in item.items]}
        if item.description:
            folder["description"] = item.description
        if item.scripts:
            folder["event"] = _export_events(item.scripts)
        if item.auth is not None:
            folder["auth"] = auth_to_postman(item.auth)
        if item.variables:
            folder["variable"] = [_export_variable(v) for v in item.variables]
        return folder
    spec = item.spec
    request = _export_request(spec)
    if not item.inherits_auth:
        request["auth"] = auth_to_postman(spec.auth)
    if item.description:
        request["description"] = item.description
    out: dict[str, Any] = {"name": item.name, "request": request, "response": [_export_example(e) for e in item.examples]}
    scripts = _scripts_with_saved_tests(item, "postman")
    if scripts:
        out["event"] = _export_events(scripts)
    profile = _export_protocol_profile(spec.options)
    if profile:
        out["protocolProfileBehavior"] = profile
    return out


def _scripts_with_saved_tests(item: ImportedRequest, dialect: str) -> dict[str, str]:
    """The request's scripts, its saved assertions and captures written into the test script."""
    if not item.assertions and not item.captures:
        return item.scripts
    return {**item.scripts, "test": with_saved_tests(item.scripts.get("test", ""), item.assertions, item.captures,
                                                     dialect=dialect)}
def _export_request(spec: RequestSpec) -> dict[str, Any]:
    request: dict[str, Any] = {"method": spec.method, "header": _export_headers(spec), "url": _export_url(spec)}
    body = _export_body(spec)
    if body is not None:
        request["body"] = body
    return request


def _export_example(example: ImportedExample) -> dict[str, Any]:
    try:
        reason = HTTPStatus(example.status).phrase
    except ValueError:
        reason = ""
    out: dict[str, Any] = {"name": example.name}
    if example.request is not None:
        out["originalRequest"] = _export_request(example.request)
    out.update(
        status=reason,
        code=example.status,
        header=[_export_pair(h.key, h.value, h.enabled) for h in example.headers],
        cookie=[],
        body=example.body,
    )
    return out


def _export_events(scripts: dict[str, str]) -> list[dict[str, Any]]:
    return [
        {"listen": listen, "script": {"type": "text/javascript", "exec": text.split("\n")}}
        for listen, text in scripts.items()
    ]


def _export_headers(spec: RequestSpec) -> list[dict[str, Any]]:
    headers = [_export_pair(h.key, h.value, h.enabled) for h in spec.headers]
    body = spec.body
    # Postman labels raw bodies by language only; any other media type needs the header.
    if (
        body.mode == "raw"
        and body.content_type
        and body.content_type not in _LANGUAGE_OF
        and find_header(spec.headers, "Content-Type") is None
    ):
        headers.append(_export_pair("Content-Type", body.content_type, True))
    if body.mode == "binary" and body.content_type and find_header(spec.headers, "Content-Type") is None:
        headers.append(_export_pair("Content-Type", body.content_type, True))
    if _form_as_text(body) is not None and find_header(spec.headers, "Content-Type") is None:
        headers.append(_export_pair("Content-Type", FORM_CONTENT_TYPE, True))
    return headers


def _form_as_text(body: Body) -> str | None:
    """A form newman would send other bytes for (a space: + here, %20 there) as its encoded
    text, unless that loses something (a disabled field, a {{variable}} resolved later)."""
    if body.mode != "urlencoded" or body.form_encoding == "percent":
        return None
    text = encode_form(body.fields, body.form_encoding)
    if text == encode_form(body.fields, "percent"):
        return None
    if any(not f.enabled or "{{" in f.key + f.value for f in body.fields):
        return None
    return text


def _export_pair(key: str, value: str, enabled: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"key": key, "value": value, "type": "text"}
    if not enabled:
        out["disabled"] = True
    return out


_URL_PARTS = re.compile(r"^(?:(?P<protocol>[A-Za-z][A-Za-z0-9+.-]*)://)?(?P<authority>[^/?#]*)(?P<path>[^?#]*)")


def _export_url(spec: RequestSpec) -> dict[str, Any]:
    raw = add_query(spec.url, [(p.key, p.value) for p in spec.params if p.enabled])
    address, _, fragment = raw.partition("#")
    address, has_query, query_text = address.partition("?")
    match = _URL_PARTS.match(address)
    assert match is not None  # the pattern matches any string
    out: dict[str, Any] = {"raw": raw}
    if match.group("protocol"):
        out["protocol"] = match.group("protocol")
    authority = match.group("authority")
    host, port = authority, ""
    port_match = re.search(r":(\d+|\{\{[^{}]+\}\})$", authority)
    if port_match:
        host, port = authority[: port_match.start()], port_match.group(1)
    if host:
        out["host"] = host.split(".") if not host.startswith("{{") else [host]
    if port:
        out["port"] = port
    segments = match.group("path").split("/")[1:]
    if segments:
        out["path"] = segments
    query: list[dict[str, Any]] = []
    if has_query and query_text:
        for pair in query_text.split("&"):
            key, eq, value = pair.partition("=")
            query.append({"key": key, "value": value if eq else None})
    query += [{"key": p.key, "value": p.value, "disabled": True} for p in spec.params if not p.enabled]
    if query:
        out["query"] = query
    if fragment:
        out["hash"] = fragment
    return out


def _export_body(spec: RequestSpec) -> dict[str, Any] | None:
    body = spec.body
    if body.mode == "json":
        return {"mode": "raw", "raw": body.text, "options": {"raw": {"language": "json"}}}
    if body.mode == "raw":
        language = _LANGUAGE_OF.get(body.content_type, "text")
        return {"mode": "raw", "raw": body.text, "options": {"raw": {"language": language}}}
    if body.mode in ("urlencoded", "multipart") and not body.fields:
        return None  # an empty form is no body, as when it is read
    form_text = _form_as_text(body)
    if form_text is not None:
        return {"mode": "raw", "raw": form_text, "options": {"raw": {"language": "text"}}}
    if body.mode == "urlencoded":
        return {"mode": "urlencoded", "urlencoded": [_export_pair(f.key, f.value, f.enabled) for f in body.fields]}
    if body.mode == "multipart":
        return {"mode": "formdata", "formdata": [_export_form_field(f) for f in body.fields]}
    if body.mode == "binary":
        try:
            return {"mode": "file", "file": {"content": body.data.decode("utf-8")}}
        except UnicodeDecodeError:
            return {"mode": "file", "file": {"src": None}}
    if body.mode == "graphql":
        return {"mode": "graphql", "graphql": {"query": body.query, "variables": body.variables}}
    return None


def _export_form_field(form_field: FormField) -> dict[str, Any]:
    out: dict[str, Any]
    if form_field.file is not None:
        out = {"key": form_field.key, "type": "file", "src": form_field.file.filename or None}
        if form_field.file.content_type:
            out["contentType"] = form_field.file.content_type
    else:
        out = {"key": form_field.key, "value": form_field.value, "type": "text"}
    if not form_field.enabled:
        out["disabled"] = True
    return out


def _export_protocol_profile(options: Options) -> dict[str, Any]:
    profile: dict[str, Any] = {}
    if not options.follow_redirects:
        profile["followRedirects"] = False
    if options.max_redirects != DEFAULT_MAX_REDIRECTS:
        profile["maxRedirects"] = options.max_redirects
    if not options.verify_tls:
        profile["strictSSL"] = False
    if not options.use_cookies:
        profile["disableCookies"] = True
    if options.timeout_ms != DEFAULT_TIMEOUT_MS:
        profile[_WEBCLIENT_TIMEOUT] = options.timeout_ms
    if options.max_response_bytes != DEFAULT_MAX_RESPONSE_BYTES:
        profile[_WEBCLIENT_MAX_BYTES] = options.max_response_bytes
    return profile

"""Postman Collection v2.1 / v2.0 and Postman environments ↔ the interop tree.

Usage::

    from requests_app.interop.postman import (
        parse_postman, parse_postman_environment, export_postman, dumps_postman, export_postman_environment,
    )
    result = parse_postman(text)              # ImportResult: one collection, its report
    result.report                             # "item[3].item[0].event[1]: request test script disabled in the source; not imported"
    data = export_postman(collection)         # a dict valid against the v2.1 JSON schema
    text = dumps_postman(collection)          # the same, as indented JSON

Read: nested folders; requests as a string or an object; `url` as a string or an object
(raw, host, path, query with disabled entries, `:path` variables); headers as a list or
a string; body modes raw (with options.raw.language), urlencoded, formdata (text and
file), file, graphql; disabled entries; auth basic, bearer, apikey, digest, awsv4, oauth2 (others are
reported); collection variables; descriptions (string or {content}); pre-request and
test scripts (run by webclient as newman runs them; disabled ones are left out and reported); protocolProfileBehavior's redirect,
TLS and cookie switches. Files are not part of a collection: file fields and bodies are
created empty and reported as files to attach. Item `response` arrays (saved examples:
name, code, header, body, originalRequest) are read and written back.

Write: the same shapes in v2.1. Options Postman has no place for (timeout, response
size cap) travel in protocolProfileBehavior under `webclient…` names, which Postman
ignores and this module reads back.
"""

from __future__ import annotations

import json
import posixpath
import re
from http import HTTPStatus
from typing import Any

from requests_app.engine.spec import (
    DEFAULT_MAX_REDIRECTS,
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_TIMEOUT_MS,
    RAW_CONTENT_TYPES,
    VERSION,
    Auth,
    Body,
    FilePart,
    FormField,
    KeyValue,
    Options,
    RequestSpec,
)
from requests_app.engine.variables import DYNAMIC
from requests_app.interop.limits import as_text, load_json
from requests_app.interop.model import (
    EnvironmentVariable,
    ImportedCollection,
    ImportedEnvironment,
    ImportedExample,
    ImportedFolder,
    ImportedItem,
    ImportedRequest,
    ImportFormatError,
    ImportResult,
    Report,
)
from requests_app.interop.saved_tests import with_saved_tests
from requests_app.interop.wire import FORM_CONTENT_TYPE, add_query, encode_form, find_header

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


# ---------------------------------------------------------------- collection import


def parse_postman(content: str | bytes) -> ImportResult:
    text = as_text(content, FORMAT)
    return parse_postman_data(load_json(text, FORMAT))


def parse_postman_data(data: Any) -> ImportResult:
    """Read an already parsed collection (detect.py parses once and hands it over)."""
    if not isinstance(data, dict):
        raise _fail("", f"expected a JSON object at the top level, found {_kind(data)}")
    root = data
    report = Report()
    if "info" not in root:
        if "requests" in root and ("order" in root or "folders" in root):
            raise _fail("", "this is a Postman v1 collection; export it again from Postman as Collection v2.1")
        raise _fail("info", "missing (a Postman collection has info and item)")
    info = _obj(root["info"], "info")
    if "item" not in root:
        raise _fail("item", "missing (a Postman collection has info and item)")
    collection = ImportedCollection(
        name=_text(info.get("name"), "info.name").strip()[:MAX_NAME_LENGTH] or "Imported collection",
        description=_description(info.get("description"), "info.description"),
        variables=_variables(root.get("variable"), "variable", report),
        auth=_auth(root.get("auth"), "auth", report),
        scripts=_scripts(root.get("event"), "event", report, "collection"),
    )
    collection.items = _items(root["item"], "item", report, collection, folder_auth=None)
    return ImportResult(format="postman", collections=[collection], report=report.items)


def _items(
    value: Any, path: str, report: Report, collection: ImportedCollection, folder_auth: Auth | None
) -> list[ImportedItem]:
    items: list[ImportedItem] = []
    for index, raw in enumerate(_list(value, path)):
        where = f"{path}[{index}]"
        entry = _obj(raw, where)
        if "item" in entry:
            items.append(_folder(entry, where, report, collection, folder_auth))
        elif "request" in entry:
            items.append(_request_item(entry, where, report, folder_auth))
        else:
            raise _fail(where, "is neither a request (no request) nor a folder (no item)")
    return items


def _folder(
    entry: dict[str, Any], path: str, report: Report, collection: ImportedCollection, folder_auth: Auth | None
) -> ImportedFolder:
    own_auth = _auth(entry.get("auth"), _join(path, "auth"), report)
    folder = ImportedFolder(
        name=_text(entry.get("name"), _join(path, "name")).strip()[:MAX_NAME_LENGTH] or "Folder",
        description=_description(entry.get("description"), _join(path, "description")),
        scripts=_scripts(entry.get("event"), _join(path, "event"), report, "folder"),
        source_path=path,
    )
    folder_variables = _variables(entry.get("variable"), _join(path, "variable"), report)
    if folder_variables:
        known = {v.key for v in collection.variables}
        collection.variables.extend(v for v in folder_variables if v.key not in known)
        report.downgraded(_join(path, "variable"), "folder variables were moved to the collection's variables")
    folder.items = _items(
        entry["item"], _join(path, "item"), report, collection, own_auth if own_auth is not None else folder_auth
    )
    return folder


def _request_item(entry: dict[str, Any], path: str, report: Report, folder_auth: Auth | None) -> ImportedRequest:
    request_path = _join(path, "request")
    spec, own_auth, description = _request(entry["request"], request_path, report)
    inherits_auth = False
    if own_auth is not None:
        spec.auth = own_auth
    elif folder_auth is not None:
        spec.auth = folder_auth
    else:
        inherits_auth = True
    _protocol_profile(entry.get("protocolProfileBehavior"), _join(path, "protocolProfileBehavior"), spec, report)
    examples = _examples(entry.get("response"), _join(path, "response"), report)
    if entry.get("variable"):
        report.dropped(_join(path, "variable"), "request-level variables are not supported; not imported")
    _note_unknown_dynamic_variables(spec, path, report)
    name = _text(entry.get("name"), _join(path, "name")).strip() or f"{spec.method} {spec.url}"
    item_description = _description(entry.get("description"), _join(path, "description"))
    return ImportedRequest(
        name=name[:MAX_NAME_LENGTH],
        spec=spec,
        description=item_description or description,
        scripts=_scripts(entry.get("event"), _join(path, "event"), report, "request"),
        source_path=path,
        inherits_auth=inherits_auth,
        examples=examples,
    )


def _examples(value: Any, path: str, report: Report) -> list[ImportedExample]:
    """Item `response` entries: name, code, header, body, originalRequest."""
    out = []
    for index, raw in enumerate(_list(value, path)):
        where = f"{path}[{index}]"
        entry = _obj(raw, where)
        code = entry.get("code", 200)
        if isinstance(code, bool) or not isinstance(code, int) or not 100 <= code <= 599:
            report.dropped(where, f"an example with status {code!r} (not 100-599) is not imported")
            continue
        body = entry.get("body")
        original = entry.get("originalRequest")
        request = _request(original, _join(where, "originalRequest"), report)[0] if original is not None else None
        header = entry.get("header")
        out.append(
            ImportedExample(
                name=(_text(entry.get("name"), _join(where, "name")).strip() or f"Example {index + 1}")[:MAX_NAME_LENGTH],
                status=code,
                headers=_headers(header if isinstance(header, (list, str)) else None, _join(where, "header")),
                body="" if body is None else _text(body, _join(where, "body")),
                request=request,
            )
        )
    return out


def _request(value: Any, path: str, report: Report) -> tuple[RequestSpec, Auth | None, str]:
    if isinstance(value, str):
        return RequestSpec(method="GET", url=value), None, ""
    request = _obj(value, path)
    method = _text(request.get("method"), _join(path, "method")).strip() or "GET"
    url, disabled_params = _url(request.get("url"), _join(path, "url"), report)
    headers = _headers(request.get("header"), _join(path, "header"))
    body = _body(request.get("body"), _join(path, "body"), headers, report)
    auth = _auth(request.get("auth"), _join(path, "auth"), report)
    for key in ("proxy", "certificate"):
        if request.get(key):
            report.dropped(_join(path, key), f"{key} settings are not supported; not imported")
    spec = RequestSpec(method=method, url=url, params=disabled_params, headers=headers, body=body)
    return spec, auth, _description(request.get("description"), _join(path, "description"))


def _url(value: Any, path: str, report: Report) -> tuple[str, list[KeyValue]]:
    """The URL newman sends and the disabled query parameters (kept, not sent).

    As in Postman, an object's parts are authoritative over its `raw` text: `host`/`path`
    (with protocol, port) build the address when present, `query` replaces raw's query and
    `hash` its fragment. The report says when that changes what `raw` alone would send."""
    if value is None:
        return "", []
    if isinstance(value, str):
        return value, []
    if not isinstance(value, dict):
        raise _fail(path, f"expected a string or an object, found {_kind(value)}")
    query = _list(value.get("query"), _join(path, "query"))
    enabled_pairs: list[str] = []
    disabled: list[KeyValue] = []
    for index, raw in enumerate(query):
        where = f"{path}.query[{index}]"
        entry = _obj(raw, where)
        key = _text(entry.get("key"), _join(where, "key"))
        val = entry.get("value")
        if entry.get("disabled"):
            disabled.append(KeyValue(key, _text(val, _join(where, "value")), enabled=False))
        else:
            enabled_pairs.append(key if val is None else f"{key}={_text(val, _join(where, 'value'))}")
    raw_url = _text(value.get("raw"), _join(path, "raw")) if value.get("raw") is not None else None
    raw_address, raw_fragment = (raw_url or "").partition("#")[::2]
    raw_address, raw_has_query, raw_query = raw_address.partition("?")
    address = raw_address
    if value.get("host") or value.get("path"):
        from_parts = _url_from_parts(value, path)
        if _without_scheme(from_parts).rstrip("/") != _without_scheme(raw_address).rstrip("/"):
            address = from_parts
    query_text = "&".join(enabled_pairs) if "query" in value else raw_query
    fragment = _text(value.get("hash"), _join(path, "hash")) if "hash" in value else raw_fragment
    url = address + ("?" + query_text if query_text or ("query" not in value and raw_has_query) else "")
    url += f"#{fragment}" if fragment else ""
    if raw_url is not None and url != raw_url:
        report.note(
            _join(path, "raw"),
            f"the URL is built from its parts (host, path, query) as Postman does: {url!r}, not raw {raw_url!r}",
        )
    return _fill_path_variables(url, value.get("variable"), path, report), disabled


def _without_scheme(url: str) -> str:
    return url.split("://", 1)[1] if "://" in url else url


def _url_from_parts(value: dict[str, Any], path: str) -> str:
    protocol = _text(value.get("protocol"), _join(path, "protocol"))
    host = value.get("host")
    host_text = ".".join(_text(h, f"{path}.host") for h in host) if isinstance(host, list) else _text(host, f"{path}.host")
    port = _text(value.get("port"), _join(path, "port"))
    segments = value.get("path")
    if isinstance(segments, list):
        parts = [_text(s.get("value") if isinstance(s, dict) else s, f"{path}.path") for s in segments]
        path_text = "/".join(parts)
    else:
        path_text = _text(segments, _join(path, "path")).lstrip("/")
    url = (f"{protocol}://" if protocol else "") + host_text + (f":{port}" if port else "")
    return url + ("/" + path_text if path_text else "")


def _fill_path_variables(url: str, variables: Any, path: str, report: Report) -> str:
    values: dict[str, str] = {}
    for index, raw in enumerate(_list(variables, _join(path, "variable"))):
        where = f"{path}.variable[{index}]"
        entry = _obj(raw, where)
        name = _text(entry.get("key", entry.get("id")), _join(where, "key"))
        values[name] = _text(entry.get("value"), _join(where, "value"))
    address, mark, rest = url.partition("?")
    replaced: list[str] = []

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        replaced.append(name)
        return values.get(name) or "{{" + name + "}}"

    address = _PATH_VARIABLE.sub(substitute, address)
    for name in replaced:
        shown = values.get(name, "")
        report.downgraded(
            _join(path, "variable"),
            f":{name} became its value {shown!r}" if shown else f":{name} became the variable {{{{{name}}}}}",
        )
    return address + mark + rest


def _headers(value: Any, path: str) -> list[KeyValue]:
    if value is None:
        return []
    if isinstance(value, str):
        headers = []
        for line in value.splitlines():
            enabled = not line.lstrip().startswith("//")
            name, colon, val = line.lstrip().removeprefix("//").partition(":")
            if colon and name.strip():
                headers.append(KeyValue(name.strip(), val.strip(), enabled))
        return headers
    headers = []
    for index, raw in enumerate(_list(value, path)):
        where = f"{path}[{index}]"
        if isinstance(raw, str):  # the schema allows "Name: value" entries too
            name, _, val = raw.partition(":")
            headers.append(KeyValue(name.strip(), val.strip()))
            continue
        entry = _obj(raw, where)
        headers.append(
            KeyValue(
                _text(entry.get("key"), _join(where, "key")),
                _text(entry.get("value"), _join(where, "value")),
                enabled=not entry.get("disabled", False),
            )
        )
    return headers


def _body(value: Any, path: str, headers: list[KeyValue], report: Report) -> Body:
    if value is None:
        return Body()
    body = _obj(value, path)
    mode = body.get("mode")
    if mode is None:
        return Body()
    if body.get("disabled"):
        report.dropped(path, "the body is disabled in the source; not imported")
        return Body()
    if mode == "raw":
        text = body.get("raw")
        text = json.dumps(text) if isinstance(text, (dict, list)) else _text(text, _join(path, "raw"))
        options = found if isinstance(found := body.get("options"), dict) else {}
        raw_options = found if isinstance(found := options.get("raw"), dict) else {}
        language = found if isinstance(found := raw_options.get("language"), str) else ""
        if language == "json":
            return Body(mode="json", text=text)
        has_header = find_header(headers, "Content-Type") is not None
        content_type = "" if has_header else RAW_CONTENT_TYPES.get(language or "text", "text/plain")
        return Body(mode="raw", text=text, content_type=content_type)
    if mode in ("urlencoded", "formdata") and not body.get(mode):
        return Body()  # an empty form sends no body
    if mode == "urlencoded":
        entries = _form_entries(body.get("urlencoded"), _join(path, "urlencoded"))
        fields = [FormField(key, value, on) for key, value, on, _ in entries]
        return Body(mode="urlencoded", fields=fields, form_encoding="percent")  # a space as %20, as newman sends it
    if mode == "formdata":
        return Body(mode="multipart", fields=_formdata(body.get("formdata"), _join(path, "formdata"), report))
    if mode == "file":
        file_entry = _obj(body.get("file") or {}, _join(path, "file"))
        if file_entry.get("content") is not None:
            return Body(mode="binary", data=_text(file_entry["content"], _join(path, "file.content")).encode("utf-8"))
        source = _text(file_entry.get("src"), _join(path, "file.src"))
        if source:
            report.downgraded(_join(path, "file"), f"attach the file {source} as the body before sending")
        else:
            report.note(_join(path, "file"), "no file was selected for the body")
        return Body(mode="binary", data=b"")
    if mode == "graphql":
        graphql = _obj(body.get("graphql") or {}, _join(path, "graphql"))
        variables = graphql.get("variables")
        if isinstance(variables, (dict, list)):
            variables = json.dumps(variables, indent=2)
        return Body(
            mode="graphql",
            query=_text(graphql.get("query"), _join(path, "graphql.query")),
            variables=_text(variables, _join(path, "graphql.variables")),
        )
    report.dropped(_join(path, "mode"), f"body mode {mode!r} is not supported; the body is not imported")
    return Body()


def _form_entries(value: Any, path: str) -> list[tuple[str, str, bool, dict[str, Any]]]:
    entries = []
    for index, raw in enumerate(_list(value, path)):
        where = f"{path}[{index}]"
        entry = _obj(raw, where)
        entries.append(
            (
                _text(entry.get("key"), _join(where, "key")),
                _text(entry.get("value"), _join(where, "value")),
                not entry.get("disabled", False),
                entry,
            )
        )
    return entries


def _formdata(value: Any, path: str, report: Report) -> list[FormField]:
    fields: list[FormField] = []
    for index, (key, val, enabled, entry) in enumerate(_form_entries(value, path)):
        where = f"{path}[{index}]"
        content_type = _text(entry.get("contentType"), _join(where, "contentType"))
        if entry.get("type") != "file":
            if content_type:
                report.note(where, f"the part's own Content-Type ({content_type}) is not kept")
            fields.append(FormField(key, val, enabled))
            continue
        sources = entry.get("src")
        paths = [_text(s, _join(where, "src")) for s in sources] if isinstance(sources, list) else [_text(sources, _join(where, "src"))]
        for source in paths or [""]:
            file_name = posixpath.basename(source.replace("\\", "/")) if source else ""
            part = FilePart(filename=file_name, content=b"", content_type=content_type or "application/octet-stream")
            fields.append(FormField(key, "", enabled, file=part))
            if source:
                report.downgraded(where, f"file field {key!r}: attach the file {source} before sending")
            else:
                report.note(where, f"file field {key!r}: no file was selected")
    return fields


def _auth(value: Any, path: str, report: Report) -> Auth | None:
    """None when the source says nothing (inherit from the parent); Auth() for noauth."""
    if value is None:
        return None
    auth = _obj(value, path)
    kind = _text(auth.get("type"), _join(path, "type"))
    if kind in ("", "noauth"):
        return Auth()
    if kind == "inherit":
        return None
    attributes = _auth_attributes(auth.get(kind), _join(path, kind))
    if kind in ("basic", "digest"):
        return Auth(type=kind, username=attributes.get("username", ""), password=attributes.get("password", ""))
    if kind == "bearer":
        return Auth(type="bearer", token=attributes.get("token", ""))
    if kind == "apikey":
        location = "query" if attributes.get("in", "header") == "query" else "header"
        return Auth(type="apikey", key=attributes.get("key", ""), value=attributes.get("value", ""), location=location)
    if kind == "awsv4":
        return Auth(
            type="awsv4",
            access_key=attributes.get("accessKey", ""),
            secret_key=attributes.get("secretKey", ""),
            session_token=attributes.get("sessionToken", ""),
            region=attributes.get("region", ""),
            service=attributes.get("service", ""),
        )
    if kind == "oauth2" and attributes.get("accessTokenUrl"):
        return _oauth2(attributes, auth.get(kind), path, report)
    if kind == "oauth2" and attributes.get("accessToken"):
        report.downgraded(path, "OAuth 2.0: the saved access token is sent as a bearer token; it is not refreshed")
        return Auth(type="bearer", token=attributes["accessToken"])
    report.dropped(path, f"auth type {kind!r} is not supported; the request is imported without auth")
    return Auth()


# Postman's grant names ↔ ours; PKCE is always used for authorization code here.
_POSTMAN_GRANTS = {
    "client_credentials": "client_credentials",
    "authorization_code": "authorization_code",
    "authorization_code_with_pkce": "authorization_code",
    "password_credentials": "password",
}


def _oauth2(attributes: dict[str, str], raw: Any, path: str, report: Report) -> Auth:
    grant = _POSTMAN_GRANTS.get(attributes.get("grant_type", "authorization_code"))
    if grant is None:
        report.dropped(path, f"OAuth 2.0 grant {attributes.get('grant_type')!r} is not supported; imported as client credentials")
        grant = "client_credentials"
    if attributes.get("accessToken"):
        report.note(path, "OAuth 2.0: the saved access token is not imported (tokens are per person): use Get new token")
    extra: list[KeyValue] = []
    audience = resource = ""
    entries = raw if isinstance(raw, list) else []
    for entry in entries:  # tokenRequestParams: [{key, value, enabled, send_as}]
        if isinstance(entry, dict) and entry.get("key") == "tokenRequestParams" and isinstance(entry.get("value"), list):
            for param in entry["value"]:
                if not isinstance(param, dict) or not isinstance(param.get("key"), str):
                    continue
                key, value = param["key"], str(param.get("value", ""))
                if key == "audience":
                    audience = value
                elif key == "resource":
                    resource = value
                else:
                    extra.append(KeyValue(key, value, param.get("enabled", True) is not False))
    return Auth(
        type="oauth2",
        grant_type=grant,
        token_url=attributes.get("accessTokenUrl", ""),
        auth_url=attributes.get("authUrl", ""),
        client_id=attributes.get("clientId", ""),
        client_secret=attributes.get("clientSecret", ""),
        scope=attributes.get("scope", ""),
        audience=audience,
        resource=resource,
        client_auth="basic" if attributes.get("client_authentication") == "header" else "body",
        username=attributes.get("username", ""),
        password=attributes.get("password", ""),
        extra_params=extra,
        location="query" if attributes.get("addTokenTo") == "queryParams" else "header",
        header_prefix=attributes.get("headerPrefix", "Bearer"),
    )


def _export_oauth2(auth: Auth) -> list[dict[str, Any]]:
    grant = {"authorization_code": "authorization_code_with_pkce", "password": "password_credentials"}.get(
        auth.grant_type, auth.grant_type
    )
    values: dict[str, Any] = {
        "grant_type": grant, "accessTokenUrl": auth.token_url, "authUrl": auth.auth_url, "clientId": auth.client_id,
        "clientSecret": auth.client_secret, "scope": auth.scope, "username": auth.username, "password": auth.password,
        "client_authentication": "header" if auth.client_auth == "basic" else "body",
        "addTokenTo": "queryParams" if auth.location == "query" else "header", "headerPrefix": auth.header_prefix,
        "challengeAlgorithm": "S256",
    }
    params = [{"key": p.key, "value": p.value, "enabled": p.enabled, "send_as": "request_body"} for p in auth.extra_params]
    params += [{"key": k, "value": v, "enabled": True, "send_as": "request_body"}
               for k, v in (("audience", auth.audience), ("resource", auth.resource)) if v]
    out: list[dict[str, Any]] = [{"key": k, "value": v, "type": "string"} for k, v in values.items()]
    if params:
        out.append({"key": "tokenRequestParams", "value": params, "type": "any"})
    return out


def _auth_attributes(value: Any, path: str) -> dict[str, str]:
    if value is None:
        return {}
    if isinstance(value, dict):  # v2.0: {"username": "...", "password": "..."}
        return {str(k): _text(v, _join(path, str(k))) for k, v in value.items() if not isinstance(v, (dict, list))}
    attributes = {}
    for index, raw in enumerate(_list(value, path)):  # v2.1: [{"key": ..., "value": ...}]
        entry = _obj(raw, f"{path}[{index}]")
        val = entry.get("value")
        if isinstance(val, (dict, list)):
            continue
        attributes[_text(entry.get("key"), f"{path}[{index}].key")] = _text(val, f"{path}[{index}].value")
    return attributes


def _variables(value: Any, path: str, report: Report) -> list[KeyValue]:
    variables = []
    for index, raw in enumerate(_list(value, path)):
        where = f"{path}[{index}]"
        entry = _obj(raw, where)
        key = _text(entry.get("key", entry.get("id")), _join(where, "key"))
        val = entry.get("value")
        if isinstance(val, (dict, list)):
            val = json.dumps(val)
        variables.append(KeyValue(key, _text(val, _join(where, "value")), enabled=not entry.get("disabled", False)))
    return variables


def _scripts(value: Any, path: str, report: Report, owner: str) -> dict[str, str]:
    scripts: dict[str, str] = {}
    for index, raw in enumerate(_list(value, path)):
        where = f"{path}[{index}]"
        event = _obj(raw, where)
        listen = _text(event.get("listen"), _join(where, "listen")) or "test"
        script = event.get("script")
        if script is None:
            continue
        script = _obj(script, _join(where, "script"))
        source = script.get("exec")
        if isinstance(source, list):
            text = "\n".join(_text(line, f"{where}.script.exec") for line in source)
        else:
            text = _text(source, f"{where}.script.exec")
        if script.get("src"):
            report.dropped(_join(where, "script.src"), "scripts loaded from a URL are not fetched")
        if not text.strip():
            continue
        label = "pre-request" if listen == "prerequest" else listen
        if event.get("disabled"):  # Postman does not run it; webclient has no switch to keep it off
            report.dropped(where, f"{owner} {label} script disabled in the source; not imported")
            continue
        if listen not in ("prerequest", "test"):
            report.dropped(where, f"{owner} script for the event {listen!r}; only pre-request and test scripts run")
            continue
        scripts[listen] = f"{scripts[listen]}\n\n{text}" if listen in scripts else text
    return scripts


def _protocol_profile(value: Any, path: str, spec: RequestSpec, report: Report) -> None:
    if value is None:
        return
    profile = _obj(value, path)
    options = spec.options
    for key, setting in profile.items():
        if key == "followRedirects" and isinstance(setting, bool):
            options.follow_redirects = setting
        elif key == "maxRedirects" and isinstance(setting, int) and not isinstance(setting, bool):
            options.max_redirects = min(max(setting, 0), 50)
        elif key == "strictSSL" and isinstance(setting, bool):
            options.verify_tls = setting
        elif key == "disableCookies" and isinstance(setting, bool):
            options.use_cookies = not setting
        elif key == _WEBCLIENT_TIMEOUT and isinstance(setting, int) and 1 <= setting <= 600_000:
            options.timeout_ms = setting
        elif key == _WEBCLIENT_MAX_BYTES and isinstance(setting, int) and 1 <= setting <= 100 * 1024 * 1024:
            options.max_response_bytes = setting
        elif key == "disableBodyPruning":
            continue  # webclient always sends the body it is given
        else:
            report.note(_join(path, key), "this request setting is not supported; ignored")


def _note_unknown_dynamic_variables(spec: RequestSpec, path: str, report: Report) -> None:
    texts = [spec.url, spec.body.text, spec.body.query, spec.body.variables]
    texts += [f"{h.key} {h.value}" for h in spec.headers]
    texts += [f"{f.key} {f.value}" for f in spec.body.fields]
    unknown = sorted({m for t in texts for m in _DYNAMIC_REFERENCE.findall(t) if m not in DYNAMIC})
    for name in unknown:
        report.note(path, f"{{{{{name}}}}} is not a dynamic variable webclient knows; it is sent as written")


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
        out["auth"] = _export_auth(collection.auth)
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
        return folder
    spec = item.spec
    request = _export_request(spec)
    if not item.inherits_auth:
        request["auth"] = _export_auth(spec.auth)
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


def _export_auth(auth: Auth) -> dict[str, Any]:
    def attrs(**values: str) -> list[dict[str, str]]:
        return [{"key": k, "value": v, "type": "string"} for k, v in values.items()]

    if auth.type in ("basic", "digest"):
        return {"type": auth.type, auth.type: attrs(username=auth.username, password=auth.password)}
    if auth.type == "bearer":
        return {"type": "bearer", "bearer": attrs(token=auth.token)}
    if auth.type == "apikey":
        return {"type": "apikey", "apikey": attrs(key=auth.key, value=auth.value, **{"in": auth.location})}
    if auth.type == "awsv4":
        values = attrs(
            accessKey=auth.access_key,
            secretKey=auth.secret_key,
            region=auth.region,
            service=auth.service,
            sessionToken=auth.session_token,
        )
        return {"type": "awsv4", "awsv4": values}
    if auth.type == "oauth2":
        return {"type": "oauth2", "oauth2": _export_oauth2(auth)}
    return {"type": "noauth"}


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

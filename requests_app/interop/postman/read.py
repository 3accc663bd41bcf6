"""Reading a Postman collection (v2.1 / v2.0) into the interop tree, with a report of what was left out."""

from __future__ import annotations

import json
import posixpath
import re
from typing import Any

from requests_app.engine.spec import RAW_CONTENT_TYPES, Auth, Body, FilePart, FormField, KeyValue, RequestSpec
from requests_app.engine.variables import DYNAMIC
from requests_app.interop.limits import as_text, load_json
from requests_app.interop.model import (
    ImportedCollection,
    ImportedExample,
    ImportedFolder,
    ImportedItem,
    ImportedRequest,
    ImportResult,
    Report,
)
from requests_app.interop.postman.auth import auth_from_postman
from requests_app.interop.postman.common import (
    _DYNAMIC_REFERENCE,
    _PATH_VARIABLE,
    _WEBCLIENT_MAX_BYTES,
    _WEBCLIENT_TIMEOUT,
    FORMAT,
    MAX_NAME_LENGTH,
    _description,
    _fail,
    _join,
    _kind,
    _list,
    _obj,
    _text,
)
from requests_app.interop.wire import find_header

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
        auth=auth_from_postman(root.get("auth"), "auth", report),
        scripts=_scripts(root.get("event"), "event", report, "collection"),
    )
    collection.items = _items(root["item"], "item", report)
    return ImportResult(format="postman", collections=[collection], report=report.items)


def _items(value: Any, path: str, report: Report) -> list[ImportedItem]:
    items: list[ImportedItem] = []
    for index, raw in enumerate(_list(value, path)):
        where = f"{path}[{index}]"
        entry = _obj(raw, where)
        if "item" in entry:
            items.append(_folder(entry, where, report))
        elif "request" in entry:
            items.append(_request_item(entry, where, report))
        else:
            raise _fail(where, "is neither a request (no request) nor a folder (no item)")
    return items


def _folder(entry: dict[str, Any], path: str, report: Report) -> ImportedFolder:
    """An item-group: its auth (None: inherit) and variables stay on the folder (Folder.auth, .variables)."""
    return ImportedFolder(
        name=_text(entry.get("name"), _join(path, "name")).strip()[:MAX_NAME_LENGTH] or "Folder",
        description=_description(entry.get("description"), _join(path, "description")),
        scripts=_scripts(entry.get("event"), _join(path, "event"), report, "folder"),
        source_path=path,
        auth=auth_from_postman(entry.get("auth"), _join(path, "auth"), report),
        variables=_variables(entry.get("variable"), _join(path, "variable"), report),
        items=_items(entry["item"], _join(path, "item"), report),
    )


def _request_item(entry: dict[str, Any], path: str, report: Report) -> ImportedRequest:
    request_path = _join(path, "request")
    spec, own_auth, description = _request(entry["request"], request_path, report)
    inherits_auth = own_auth is None  # the nearest folder's auth, else the collection's
    if own_auth is not None:
        spec.auth = own_auth
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
    auth = auth_from_postman(request.get("auth"), _join(path, "auth"), report)
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

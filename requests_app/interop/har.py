"""HAR 1.2: export exchanges (history entries, a selection, a run); import entries as requests.

Usage::

    from requests_app.interop.har import HarSource, export_har, dumps_har, parse_har

    source = HarSource(spec=spec, exchange=exchange_to_dict(exchange), started_at=when)
    # or HarSource.from_exchange(spec, exchange, started_at=when)
    har = export_har([source, ...])          # {"log": {"version": "1.2", "entries": [...]}}
    text = dumps_har([source, ...])

    result = parse_har(text)                  # ImportResult: one collection, a folder per host

Export takes the exchange in its stored dict shape (engine.exchange.exchange_to_dict),
which is what history keeps, secrets already masked. Each redirect hop the engine
followed becomes an entry of its own (status and Location; its headers were not kept),
then the final exchange with request and response headers, cookies, bodies (text, or
base64 for binary) and timings. Every entry after the first of a chain is marked
`"_webclientFollowedRedirect": true`: import skips those (and, in any HAR, an entry whose URL
is where the entry before it redirected to), so a replay sends each request once. An exchange that failed has status 0 and the error in
`_error` and the entry's comment, as browsers write failed requests.

Import keeps method, URL, headers (minus HTTP/2 pseudo-headers and transport headers)
and the posted body; responses are not imported (the report says so once).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urljoin, urlsplit

from requests_app.engine.exchange import Exchange, exchange_to_dict
from requests_app.engine.spec import VERSION, Body, FilePart, FormField, KeyValue, RequestSpec
from requests_app.interop.limits import as_text, load_json
from requests_app.interop.model import (
    ImportedCollection,
    ImportedFolder,
    ImportedItem,
    ImportedRequest,
    ImportFormatError,
    ImportResult,
    Report,
)
from requests_app.interop.wire import body_content_type, body_for_media_type

FORMAT = "HAR file"
MAX_NAME_LENGTH = 200
# Never imported: HTTP/2 pseudo-headers, and what the client computes for each connection.
_TRANSPORT_HEADERS = {"host", "content-length", "connection", "keep-alive", "transfer-encoding", "te", "upgrade"}


@dataclass
class HarSource:
    spec: RequestSpec
    exchange: dict[str, Any]  # engine.exchange.exchange_to_dict output
    started_at: datetime
    comment: str = ""
    # Custom fields for the entry (HAR 1.2 allows names starting with "_"), e.g. a run's assertions.
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_exchange(cls, spec: RequestSpec, exchange: Exchange, *, started_at: datetime, comment: str = "") -> HarSource:
        return cls(spec=spec, exchange=exchange_to_dict(exchange), started_at=started_at, comment=comment)


# ---------------------------------------------------------------- export


def dumps_har(sources: list[HarSource], *, comment: str = "") -> str:
    return json.dumps(export_har(sources, comment=comment), indent=2, ensure_ascii=False)


def export_har(sources: list[HarSource], *, comment: str = "") -> dict[str, Any]:
    """`comment`: the log's own comment (e.g. what a run's HAR could not keep)."""
    entries: list[dict[str, Any]] = []
    for source in sources:
        entries += _entries(source)
    log: dict[str, Any] = {
        "version": "1.2",
        "creator": {"name": "webclient", "version": VERSION},
        "pages": [],
        "entries": entries,
    }
    if comment:
        log["comment"] = comment
    return {"log": log}


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.isoformat(timespec="milliseconds")


def _pairs(pairs: list[list[str]] | list[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"name": name, "value": value} for name, value in pairs]


def _query(url: str) -> list[dict[str, str]]:
    return _pairs(parse_qsl(urlsplit(url).query, keep_blank_values=True))


def _request_cookies(headers: list[list[str]]) -> list[dict[str, str]]:
    cookies = []
    for name, value in headers:
        if name.lower() != "cookie":
            continue
        for part in value.split(";"):
            key, eq, val = part.strip().partition("=")
            if eq:
                cookies.append({"name": key, "value": val})
    return cookies


def _entries(source: HarSource) -> list[dict[str, Any]]:
    exchange = source.exchange
    sent = exchange.get("request") or {}
    timings = exchange.get("timings") or {}
    started = source.started_at
    entries: list[dict[str, Any]] = []
    for hop in exchange.get("redirects") or []:
        entries.append(
            {
                "startedDateTime": _iso(started),
                "time": 0,
                "request": {
                    "method": source.spec.method,
                    "url": hop["url"],
                    "httpVersion": "HTTP/1.1",
                    "cookies": [],
                    "headers": [],
                    "queryString": _query(hop["url"]),
                    "headersSize": -1,
                    "bodySize": -1,
                },
                "response": {
                    "status": hop["status"],
                    "statusText": "",
                    "httpVersion": "HTTP/1.1",
                    "cookies": [],
                    "headers": [{"name": "Location", "value": hop["location"]}],
                    "content": {"size": 0, "mimeType": ""},
                    "redirectURL": hop["location"],
                    "headersSize": -1,
                    "bodySize": -1,
                },
                "cache": {},
                "timings": {"send": 0, "wait": 0, "receive": 0},
                "comment": "redirect hop followed by webclient; its headers were not kept",
            }
        )
    for followed in entries[1:]:
        followed["_webclientFollowedRedirect"] = True
    url = sent.get("url") or source.spec.url
    headers = sent.get("headers") or []
    request: dict[str, Any] = {
        "method": sent.get("method") or source.spec.method,
        "url": url,
        "httpVersion": "HTTP/1.1",
        "cookies": _request_cookies(headers),
        "headers": _pairs(headers),
        "queryString": _query(url),
        "headersSize": -1,
        "bodySize": sent.get("body_size", 0) if sent else -1,
    }
    post_data = _post_data(source.spec, sent)
    if post_data is not None:
        request["postData"] = post_data
    wire = sent.get("wire", "")
    if wire and "\r\n\r\n" in wire:
        request["headersSize"] = len(wire.split("\r\n\r\n", 1)[0]) + 4
    entry: dict[str, Any] = {
        "startedDateTime": _iso(started),
        "time": round(timings.get("total_ms") or 0, 3),
        "request": request,
        "response": _response(exchange),
        "cache": {},
        "timings": _timings(timings),
    }
    error = exchange.get("error")
    if error:
        entry["_error"] = f"{error['kind']}: {error['message']}"
        entry["comment"] = entry["_error"]
    if source.comment:
        entry["comment"] = f"{source.comment}; {entry['comment']}" if "comment" in entry else source.comment
    if exchange.get("warnings"):
        entry["_warnings"] = list(exchange["warnings"])
    entry.update({key: value for key, value in source.extra.items() if key.startswith("_")})
    if entries:
        # Reached by following the hops before it: import and replay send the first one only.
        entry["_webclientFollowedRedirect"] = True
    return [*entries, entry]


def _post_data(spec: RequestSpec, sent: dict[str, Any]) -> dict[str, Any] | None:
    body = spec.body
    if body.mode == "none":
        return None
    mime_type = next((v for k, v in sent.get("headers", []) if k.lower() == "content-type"), body_content_type(spec))
    if body.mode == "multipart":
        params = []
        for form_field in body.fields:
            if not form_field.enabled:
                continue
            if form_field.file is not None:
                params.append(
                    {"name": form_field.key, "fileName": form_field.file.filename, "contentType": form_field.file.content_type}
                )
            else:
                params.append({"name": form_field.key, "value": form_field.value})
        return {"mimeType": mime_type, "params": params, "text": ""}
    wire = sent.get("wire", "")
    text = wire.split("\r\n\r\n", 1)[1] if "\r\n\r\n" in wire else ""
    out: dict[str, Any] = {"mimeType": mime_type, "text": _latin1_to_text(text)}
    if body.mode == "urlencoded":
        out["params"] = [{"name": f.key, "value": f.value} for f in body.fields if f.enabled]
    return out


def _latin1_to_text(wire_text: str) -> str:
    # The stored wire is bytes read as latin-1; show UTF-8 bodies as the text they are.
    raw = wire_text.encode("latin-1", errors="replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return wire_text


def _response(exchange: dict[str, Any]) -> dict[str, Any]:
    response = exchange.get("response")
    if not response:
        return {
            "status": 0,
            "statusText": "",
            "httpVersion": "",
            "cookies": [],
            "headers": [],
            "content": {"size": 0, "mimeType": "x-unknown"},
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": -1,
        }
    headers = response.get("headers", [])
    content: dict[str, Any] = {
        "size": response["size"]["body"],
        "mimeType": next((v for k, v in headers if k.lower() == "content-type"), response.get("content_type", "")),
    }
    if "body_text" in response:
        content["text"] = response["body_text"]
    elif "body_base64" in response:
        content["text"] = response["body_base64"]
        content["encoding"] = "base64"
    wire_size = response["size"].get("wire_body", content["size"])
    if wire_size != content["size"]:
        content["compression"] = content["size"] - wire_size
    if response.get("truncated"):
        content["comment"] = "body truncated at the response size limit"
    location = next((v for k, v in headers if k.lower() == "location"), "")
    return {
        "status": response["status"],
        "statusText": response.get("reason", ""),
        "httpVersion": response.get("http_version", "HTTP/1.1"),
        "cookies": [_response_cookie(c) for c in response.get("cookies", [])],
        "headers": _pairs(headers),
        "content": content,
        "redirectURL": location,
        "headersSize": response["size"].get("headers", -1),
        "bodySize": wire_size,
    }


def _response_cookie(cookie: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"name": cookie["name"], "value": cookie["value"]}
    for key, har_key in (("path", "path"), ("domain", "domain"), ("expires", "expires")):
        if cookie.get(key):
            out[har_key] = cookie[key]
    out["httpOnly"] = bool(cookie.get("http_only"))
    out["secure"] = bool(cookie.get("secure"))
    return out


def _timings(timings: dict[str, Any]) -> dict[str, float]:
    def value(key: str) -> float:
        number = timings.get(key)
        return -1 if number is None else round(number, 3)

    dns, tls = value("dns_ms"), value("tls_ms")
    connect = value("connect_ms")
    if connect >= 0 and tls >= 0:
        connect = round(connect + tls, 3)  # HAR counts TLS inside connect
    return {
        "blocked": -1,
        "dns": dns,
        "connect": connect,
        "ssl": tls,
        "send": 0,
        "wait": max(value("ttfb_ms"), 0),
        "receive": max(value("download_ms"), 0),
    }


# ---------------------------------------------------------------- import


def parse_har(content: str | bytes) -> ImportResult:
    text = as_text(content, FORMAT)
    return parse_har_data(load_json(text, FORMAT))


def _fail(path: str, message: str) -> ImportFormatError:
    return ImportFormatError(FORMAT, path, message)


def _obj(value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _fail(path, "expected an object")
    return value


def _str(value: Any, path: str, default: str = "") -> str:
    if value is None:
        return default
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise _fail(path, "expected a string")
    return value


def _pair_list(value: Any, path: str) -> list[tuple[str, str]]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _fail(path, "expected a list")
    pairs = []
    for index, raw in enumerate(value):
        entry = _obj(raw, f"{path}[{index}]")
        pairs.append((_str(entry.get("name"), f"{path}[{index}].name"), _str(entry.get("value"), f"{path}[{index}].value")))
    return pairs


def parse_har_data(data: Any) -> ImportResult:
    root = _obj(data, "")
    log = _obj(root.get("log"), "log") if "log" in root else None
    if log is None:
        raise _fail("log", "missing (a HAR file has log.entries)")
    entries = log.get("entries")
    if not isinstance(entries, list):
        raise _fail("log.entries", "expected a list")
    report = Report()
    by_host: dict[str, list[ImportedRequest]] = {}
    redirected_to = ""
    for index, raw in enumerate(entries):
        path = f"log.entries[{index}]"
        entry = _obj(raw, path)
        followed, redirected_to = _reached_by_redirect(entry, redirected_to), _redirect_target(entry)
        if followed:
            # Sending the first request of the chain follows the redirect again: one request each.
            report.note(path, "reached by following the previous entry's redirect; not imported, so it is sent once")
            continue
        request = _import_entry(entry, path, report)
        if request is not None:
            by_host.setdefault(urlsplit(request.spec.url).netloc, []).append(request)
    if entries:
        report.note("log.entries", "responses are not imported; each entry becomes a request to send again")
    pages = found if isinstance(found := log.get("pages"), list) else []
    title = next((p.get("title") for p in pages if isinstance(p, dict) and isinstance(p.get("title"), str)), "")
    collection = ImportedCollection(name=(title or "HAR import")[:MAX_NAME_LENGTH])
    items: list[ImportedItem]
    if len(by_host) > 1:
        items = [ImportedFolder(name=host or "(no host)", items=list(reqs)) for host, reqs in by_host.items()]
    else:
        items = [r for reqs in by_host.values() for r in reqs]
    collection.items = items
    return ImportResult(format="har", collections=[collection], report=report.items)


def _redirect_target(entry: dict[str, Any]) -> str:
    """The absolute URL a 3xx entry redirected to ("" for any other entry)."""
    request: dict[str, Any] = entry["request"] if isinstance(entry.get("request"), dict) else {}
    response: dict[str, Any] = entry["response"] if isinstance(entry.get("response"), dict) else {}
    status = response.get("status")
    if not isinstance(status, int) or status not in (301, 302, 303, 307, 308):
        return ""
    location: str = response["redirectURL"] if isinstance(response.get("redirectURL"), str) else ""
    if not location:
        headers: list[Any] = response["headers"] if isinstance(response.get("headers"), list) else []
        found = next((h.get("value") for h in headers if isinstance(h, dict) and str(h.get("name", "")).lower() == "location"), "")
        location = found if isinstance(found, str) else ""
    url: str = request["url"] if isinstance(request.get("url"), str) else ""
    return urljoin(url, location) if location else ""


def _reached_by_redirect(entry: dict[str, Any], redirected_to: str) -> bool:
    """Marked so by webclient's export, or the URL the previous entry redirected to."""
    if entry.get("_webclientFollowedRedirect") is True:
        return True
    request: dict[str, Any] = entry["request"] if isinstance(entry.get("request"), dict) else {}
    return bool(redirected_to) and request.get("url") == redirected_to


def _import_entry(entry: dict[str, Any], path: str, report: Report) -> ImportedRequest | None:
    request = _obj(entry.get("request"), f"{path}.request")
    url = _str(request.get("url"), f"{path}.request.url")
    scheme = urlsplit(url).scheme.lower()
    if scheme not in ("http", "https"):
        report.dropped(f"{path}.request.url", f"{scheme or 'this'}: URLs cannot be sent; entry skipped")
        return None
    method = _str(request.get("method"), f"{path}.request.method", "GET") or "GET"
    headers = []
    for name, value in _pair_list(request.get("headers"), f"{path}.request.headers"):
        if name.startswith(":") or name.lower() in _TRANSPORT_HEADERS:
            continue
        headers.append(KeyValue(name, value))
    body = _post_body(request.get("postData"), f"{path}.request.postData", headers, report)
    parts = urlsplit(url)
    name = f"{method} {parts.path or '/'}"
    return ImportedRequest(
        name=name[:MAX_NAME_LENGTH],
        spec=RequestSpec(method=method, url=url, headers=headers, body=body),
        description=_str(entry.get("comment"), f"{path}.comment"),
        source_path=path,
    )


def _post_body(value: Any, path: str, headers: list[KeyValue], report: Report) -> Body:
    if value is None:
        return Body()
    post = _obj(value, path)
    mime_type = _str(post.get("mimeType"), f"{path}.mimeType")
    media_type = mime_type.split(";")[0].strip().lower()
    text = _str(post.get("text"), f"{path}.text")
    has_header = any(h.key.lower() == "content-type" for h in headers)
    params = post.get("params")
    if media_type.startswith("multipart/form-data") and isinstance(params, list) and params:
        fields = []
        for index, raw in enumerate(params):
            param = _obj(raw, f"{path}.params[{index}]")
            key = _str(param.get("name"), f"{path}.params[{index}].name")
            if param.get("fileName") is not None:
                file_name = _str(param.get("fileName"), f"{path}.params[{index}].fileName")
                content_type = _str(param.get("contentType"), f"{path}.params[{index}].contentType") or "application/octet-stream"
                content = _str(param.get("value"), f"{path}.params[{index}].value").encode("utf-8")
                fields.append(FormField(key, file=FilePart(file_name, content, content_type)))
                if not content:
                    report.downgraded(f"{path}.params[{index}]", f"file field {key!r}: attach the file {file_name} before sending")
            else:
                fields.append(FormField(key, _str(param.get("value"), f"{path}.params[{index}].value")))
        for header in [h for h in headers if h.key.lower() == "content-type"]:
            headers.remove(header)  # its boundary belongs to the recorded body, not to ours
        return Body(mode="multipart", fields=fields)
    if not text and media_type.startswith("multipart/"):
        report.dropped(path, "the multipart body was not recorded in the HAR file")
        return Body()
    return body_for_media_type(text, mime_type, labelled_by_header=has_header)

"""Reading cURL commands (POSIX or Windows cmd quoting, several per paste) into requests, with a report
of every option that was ignored or dropped."""

from __future__ import annotations

import posixpath
from urllib.parse import quote_plus, unquote

from requests_app.engine.spec import (
    DEFAULT_MAX_REDIRECTS,
    DEFAULT_TIMEOUT_MS,
    Auth,
    Body,
    FilePart,
    FormField,
    KeyValue,
    Options,
    RequestSpec,
)
from requests_app.interop.curl.options import (
    CONNECTION_OPTIONS,
    CURL_DEFAULT_MAX_REDIRECTS,
    DROPPED_OPTIONS,
    FORM_PART_META,
    FORMAT,
    IGNORED_GROUPS,
    IMPORTED_COLLECTION_NAME,
    MAX_NAME_LENGTH,
    OUTPUT_ONLY_OPTIONS,
    SHORT_OPTIONS,
    TLS_OPTIONS,
    URL_CREDENTIALS,
    VALUED_OPTIONS,
    CurlState,
    DataPiece,
)
from requests_app.interop.limits import as_text
from requests_app.interop.model import ImportedCollection, ImportedRequest, ImportFormatError, ImportResult, Report
from requests_app.interop.shell import Command, split_commands
from requests_app.interop.wire import FORM_CONTENT_TYPE, body_for_media_type, find_header

# ---------------------------------------------------------------- import


def parse_curl(content: str | bytes) -> ImportResult:
    """Every curl command in the text, as requests of one collection named "Imported"."""
    text = as_text(content, FORMAT)
    commands = split_commands(text, format_name=FORMAT)
    report = Report()
    curl_commands = []
    for command in commands:
        if _is_curl(command.words[0].text):
            curl_commands.append(command)
        else:
            report.note(f"line {command.line}", f"not a curl command, ignored: {command.words[0].text}")
    if not curl_commands:
        raise ImportFormatError(FORMAT, "", "no curl command found (the text should start with `curl`)")
    requests = []
    for index, command in enumerate(curl_commands):
        prefix = f"command {index + 1}, " if len(curl_commands) > 1 else ""
        requests.append(_parse_command(command, report, prefix, source_path=f"{prefix}line {command.line}".strip()))
    collection = ImportedCollection(name=IMPORTED_COLLECTION_NAME, items=list(requests))
    return ImportResult(format="curl", collections=[collection], report=report.items)


def parse_curl_command(content: str | bytes) -> ImportedRequest:
    """The first curl command only; for pasting a command into the request editor."""
    return parse_curl(content).collections[0].requests()[0]


def _is_curl(word: str) -> bool:
    name = word.replace("\\", "/").rsplit("/", 1)[-1].lower()
    return name in ("curl", "curl.exe")


def _parse_command(command: Command, report: Report, prefix: str, source_path: str) -> ImportedRequest:
    state = CurlState(report=report, path_prefix=prefix)
    for line, note in command.notes:
        report.note(state.where(line), note)
    words = command.words[1:]
    i = 0
    end_of_options = False
    while i < len(words):
        word = words[i]
        token = word.text
        i += 1
        if end_of_options or not token.startswith("-") or token == "-":
            _set_url(state, token, word.line)
            continue
        if token == "--":
            end_of_options = True
            continue
        if token.startswith("--"):
            name, has_inline, inline_value = token[2:].partition("=")
            value: str | None = inline_value if has_inline else None
            if name not in VALUED_OPTIONS and name.startswith("no-") and name[3:] not in VALUED_OPTIONS:
                _apply_negated(state, name[3:], token, word.line)
                continue
            if name in VALUED_OPTIONS and value is None:
                if i >= len(words):
                    report.dropped(state.where(word.line), f"{token}: needs a value; ignored")
                    continue
                value = words[i].text
                i += 1
            _apply(state, name, value, token, word.line)
            continue
        # Short options may be bundled (-sSL) and a value may be attached (-XPOST, -H'A: b').
        j = 1
        while j < len(token):
            letter = token[j]
            name = SHORT_OPTIONS.get(letter, "")
            j += 1
            if not name:
                report.dropped(state.where(word.line), f"-{letter}: unknown curl option, ignored")
                continue
            if name in VALUED_OPTIONS:
                if j < len(token):
                    value = token[j:]
                elif i < len(words):
                    value = words[i].text
                    i += 1
                else:
                    report.dropped(state.where(word.line), f"-{letter}: needs a value; ignored")
                    break
                _apply(state, name, value, f"-{letter}", word.line)
                break
            _apply(state, name, None, f"-{letter}", word.line)
    if not state.url:
        raise ImportFormatError(FORMAT, f"{prefix}line {command.line}", "the curl command has no URL")
    spec = _build_spec(state)
    return ImportedRequest(name=_request_name(spec), spec=spec, source_path=source_path)


def _set_url(state: CurlState, url: str, line: int) -> None:
    if state.url:
        state.report.dropped(state.where(line), f"another URL, not imported (one request per command): {url}")
        return
    state.url = url
    state.url_line = line


def _apply_negated(state: CurlState, name: str, token: str, line: int) -> None:
    if name in ("location", "location-trusted"):
        state.follow = False
    elif name == "insecure":
        state.insecure = False
    elif name in ("get", "head", "compressed", "basic", "digest") or name in OUTPUT_ONLY_OPTIONS | CONNECTION_OPTIONS | TLS_OPTIONS:
        if name == "get":
            state.use_get = False
        elif name == "head":
            state.head = False
        state.report.note(state.where(line), f"{token}: ignored")
    else:
        state.report.dropped(state.where(line), f"{token}: unknown curl option, ignored")


def _apply(state: CurlState, name: str, value: str | None, token: str, line: int) -> None:
    report = state.report
    where = state.where(line)
    v = value or ""
    if name == "url":
        _set_url(state, v, line)
    elif name == "request":
        state.method = v
    elif name == "header":
        _add_header(state, v, token, line)
    elif name in ("data", "data-ascii", "data-binary", "data-raw", "json"):
        kind = {"data-ascii": "data", "data-binary": "binary", "data-raw": "raw"}.get(name, name)
        if kind != "raw" and v.startswith("@"):
            state.data.append(DataPiece(kind, "", file=v[1:], line=line, option=token))
        else:
            state.data.append(DataPiece(kind, v, line=line, option=token))
    elif name == "data-urlencode":
        state.data.append(_urlencode_piece(v, line, token))
    elif name == "url-query":
        piece = _urlencode_piece(v[1:], line, token) if v.startswith("+") else _urlencode_piece(v, line, token)
        if v.startswith("+"):
            piece.text = v[1:]
        if piece.file:
            report.dropped(where, f"{token} {v}: reads the file {piece.file}, which cannot be read here; skipped")
        else:
            state.url_query.append(piece.text)
    elif name in ("form", "form-string"):
        _add_form_field(state, v, literal=name == "form-string", token=token, line=line)
    elif name == "get":
        state.use_get = True
    elif name == "head":
        state.head = True
    elif name == "user":
        state.user = v
    elif name in ("basic", "digest"):
        state.auth_scheme = name
    elif name == "anyauth":
        state.auth_scheme = "basic"
        report.downgraded(where, f"{token}: basic auth is used (webclient does not negotiate the method)")
    elif name == "oauth2-bearer":
        state.bearer = v
    elif name == "cookie":
        if "=" in v:
            state.cookies.append(v.strip().rstrip(";"))
        else:
            report.dropped(where, f"{token} {v}: a cookie file cannot be read here; its cookies are missing")
    elif name == "user-agent":
        state.headers.append(KeyValue("User-Agent", v))
    elif name == "referer":
        referer = v.removesuffix(";auto")
        if referer:
            state.headers.append(KeyValue("Referer", referer))
        if v.endswith(";auto"):
            report.note(where, f"{token}: ;auto ignored (redirects are followed without setting Referer)")
    elif name == "range":
        state.headers.append(KeyValue("Range", f"bytes={v}"))
    elif name in ("location", "location-trusted"):
        state.follow = True
        if name == "location-trusted":
            report.downgraded(where, f"{token}: credentials are not re-sent to other hosts on redirects")
    elif name == "max-redirs":
        _set_max_redirects(state, v, token, where)
    elif name == "insecure":
        state.insecure = True
    elif name == "max-time":
        _set_timeout(state, v, token, where)
    elif name == "compressed":
        report.note(where, f"{token}: compressed responses are always accepted and decoded")
    elif name == "upload-file":
        if v in ("-", "."):
            report.dropped(where, f"{token} {v}: uploading from standard input is not possible here")
        else:
            state.upload_file = v
    elif name in DROPPED_OPTIONS:
        report.dropped(where, f"{token}: {DROPPED_OPTIONS[name]}")
    elif any(name in group for group, _ in IGNORED_GROUPS):
        report.note(where, f"{token}: " + next(why for group, why in IGNORED_GROUPS if name in group))
    else:
        report.dropped(where, f"{token}: unknown curl option, ignored")


def _add_header(state: CurlState, raw: str, token: str, line: int) -> None:
    where = state.where(line)
    if raw.startswith("@"):
        state.report.dropped(where, f"{token} {raw}: headers from a file cannot be read here; they are missing")
        return
    name, colon, value = raw.partition(":")
    if not colon:
        if raw.rstrip().endswith(";") and raw.strip(" ;"):
            state.headers.append(KeyValue(raw.strip().rstrip(";").strip(), ""))  # `-H "X-Empty;"`
            return
        state.report.dropped(where, f"{token} {raw!r}: not a header (expected Name: value); ignored")
        return
    name = name.strip()
    # curl sends the value as typed: the spaces after the colon are the separator (servers
    # drop them), trailing ones are sent and kept.
    value = value.lstrip(" \t")
    if not value and not raw.rstrip().endswith(";"):
        # `-H "Accept:"` removes a header curl would add; there is nothing to remove here.
        state.report.note(where, f"{token} {raw!r}: removes curl's own {name} header; nothing to import")
        return
    state.headers.append(KeyValue(name, value))


def _urlencode_piece(spec: str, line: int, token: str) -> DataPiece:
    """curl's --data-urlencode forms: content, =content, name=content, @file, name@file."""
    if spec.startswith("@"):
        return DataPiece("urlencode", "", file=spec[1:], line=line, option=token)
    name, eq, content = spec.partition("=")
    if eq:
        encoded = _curl_escape(content)
        return DataPiece("urlencode", f"{name}={encoded}" if name else encoded, line=line, option=token)
    name, at, file_name = spec.partition("@")
    if at and name and "=" not in name:
        return DataPiece("urlencode", "", file=file_name, line=line, option=token)
    return DataPiece("urlencode", _curl_escape(spec), line=line, option=token)


def _curl_escape(text: str) -> str:
    """What --data-urlencode sends: every byte but A-Z a-z 0-9 - . _ ~ escaped, and a space
    as + (curl 7.88 on Debian, checked against the echo target)."""
    return quote_plus(text, safe="")


def _add_form_field(state: CurlState, raw: str, *, literal: bool, token: str, line: int) -> None:
    where = state.where(line)
    name, eq, value = raw.partition("=")
    if not eq:
        state.report.dropped(where, f"{token} {raw!r}: not a form field (expected name=value); ignored")
        return
    if literal:
        state.form.append(FormField(name, value))
        return
    meta: dict[str, str] = {}
    if value.startswith('"'):
        end = value.find('"', 1)
        if end != -1:
            meta = _form_meta(value[end + 1 :])
            value = value[1:end]
    else:
        match = FORM_PART_META.search(value)
        if match:
            meta = _form_meta(value[match.start() :])
            value = value[: match.start()]
    if value.startswith("@"):
        path = value[1:]
        file_name = meta.get("filename") or posixpath.basename(path.replace("\\", "/")) or path
        content_type = meta.get("type", "application/octet-stream")
        state.form.append(FormField(name, file=FilePart(filename=file_name, content=b"", content_type=content_type)))
        state.report.downgraded(where, f"{token} {name}: file field — attach the file {path} before sending")
        return
    if value.startswith("<"):
        state.form.append(FormField(name, ""))
        state.report.downgraded(where, f"{token} {name}: its text comes from the file {value[1:]}; fill it in")
        return
    if meta.get("type"):
        state.report.note(where, f"{token} {name}: the part's own Content-Type ({meta['type']}) is not kept")
    state.form.append(FormField(name, value))


def _form_meta(text: str) -> dict[str, str]:
    meta = {}
    for part in text.split(";"):
        key, eq, val = part.partition("=")
        if eq:
            meta[key.strip().lower()] = val.strip().strip('"')
    return meta


def _set_max_redirects(state: CurlState, value: str, token: str, where: str) -> None:
    try:
        number = int(value)
    except ValueError:
        state.report.dropped(where, f"{token} {value!r}: not a number; ignored")
        return
    if number < 0 or number > CURL_DEFAULT_MAX_REDIRECTS:
        state.report.downgraded(where, f"{token} {value}: limited to {CURL_DEFAULT_MAX_REDIRECTS} redirects")
        number = CURL_DEFAULT_MAX_REDIRECTS
    state.max_redirects = number


def _set_timeout(state: CurlState, value: str, token: str, where: str) -> None:
    try:
        seconds = float(value)
    except ValueError:
        state.report.dropped(where, f"{token} {value!r}: not a number of seconds; ignored")
        return
    milliseconds = round(seconds * 1000)
    if not 1 <= milliseconds <= 600_000:
        milliseconds = min(max(milliseconds, 1), 600_000)
        state.report.downgraded(where, f"{token} {value}: timeout limited to {milliseconds / 1000:g} s")
    state.timeout_ms = milliseconds


def _build_spec(state: CurlState) -> RequestSpec:
    report = state.report
    url, auth = _normalise_url(state)
    headers = list(state.headers)
    if state.cookies:
        headers.append(KeyValue("Cookie", "; ".join(state.cookies)))
    if state.user is not None:
        user, colon, password = state.user.partition(":")
        if not colon:
            report.note(state.where(state.url_line), "-u without a password: curl would ask for it; it is left empty")
        auth = Auth(type=state.auth_scheme, username=user, password=password)
    elif state.bearer:
        auth = Auth(type="bearer", token=state.bearer)
    elif state.auth_scheme == "digest":
        report.note(state.where(state.url_line), "--digest without -u: no credentials to use")

    body = Body()
    method = state.method
    data_text = _join_data(state)
    if state.use_get:
        query = [p.text for p in state.data if p.text] + state.url_query
        url = _append_query(url, query)
        data_text = None
        default_method = "HEAD" if state.head else "GET"
    else:
        url = _append_query(url, state.url_query)
        default_method = "HEAD" if state.head else "GET"
        if state.form:
            body = Body(mode="multipart", fields=state.form)
            default_method = "POST"
            if data_text is not None:
                report.dropped(state.where(state.data[0].line), "-d and -F cannot be combined; the -d data is dropped")
        elif data_text is not None:
            body = _data_body(state, data_text, headers)
            default_method = "POST"
        elif state.upload_file:
            body = Body(mode="binary", data=b"")
            default_method = "PUT"
            report.downgraded(
                state.where(state.url_line), f"-T: attach the file {state.upload_file} as the body before sending"
            )
    if state.data and any(p.kind == "json" for p in state.data):
        if find_header(headers, "Accept") is None:
            headers.append(KeyValue("Accept", "application/json"))
    options = Options(
        follow_redirects=state.follow,
        max_redirects=state.max_redirects if state.max_redirects is not None else DEFAULT_MAX_REDIRECTS,
        timeout_ms=state.timeout_ms or DEFAULT_TIMEOUT_MS,
        verify_tls=not state.insecure,
    )
    return RequestSpec(method=method or default_method, url=url, headers=headers, body=body, auth=auth, options=options)


def _normalise_url(state: CurlState) -> tuple[str, Auth]:
    url = state.url.strip()
    if "://" not in url and not url.startswith("{{"):
        state.report.note(state.where(state.url_line), f"{url}: no scheme, so http:// is assumed (as curl does)")
        url = "http://" + url
    auth = Auth()
    match = URL_CREDENTIALS.match(url)
    if match:
        user, _, password = match.group(2).partition(":")
        auth = Auth(type="basic", username=unquote(user), password=unquote(password))
        url = match.group(1) + url[match.end() :]
        state.report.note(state.where(state.url_line), "credentials in the URL moved to basic auth")
    return url, auth


def _append_query(url: str, parts: list[str]) -> str:
    if not parts:
        return url
    base, hash_mark, fragment = url.partition("#")
    separator = "" if base.endswith(("?", "&")) else ("&" if "?" in base else "?")
    return base + separator + "&".join(parts) + hash_mark + fragment


def _join_data(state: CurlState) -> str | None:
    if not state.data:
        return None
    for piece in state.data:
        if piece.file:
            state.report.downgraded(
                state.where(piece.line), f"{piece.option} @{piece.file}: attach or paste the file's content as the body"
            )
    texts = [p.text for p in state.data if not p.file]
    if all(p.kind == "json" for p in state.data):
        return "".join(texts)
    return "&".join(texts)


def _data_body(state: CurlState, text: str, headers: list[KeyValue]) -> Body:
    declared = find_header(headers, "Content-Type")
    only_files = all(p.file for p in state.data)
    is_json = any(p.kind == "json" for p in state.data)
    content_type = declared.value if declared else ("application/json" if is_json else FORM_CONTENT_TYPE)
    if only_files:
        return Body(mode="binary", data=b"", content_type="" if declared else content_type)
    return body_for_media_type(text, content_type, labelled_by_header=declared is not None)


def _request_name(spec: RequestSpec) -> str:
    url = spec.url.split("?", 1)[0].split("#", 1)[0]
    return f"{spec.method} {url}"[:MAX_NAME_LENGTH]

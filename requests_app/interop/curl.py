"""cURL commands ↔ RequestSpec.

Usage::

    from requests_app.interop.curl import parse_curl, to_curl

    result = parse_curl("curl -sS -X POST https://api.example.com/items -H 'Accept: application/json' -d 'a=1'")
    request = result.collections[0].items[0]          # ImportedRequest; the collection is "Imported"
    [str(r) for r in result.report]                   # ["line 1: -sS: ignored (affects only curl's own output)"]
    to_curl(request.spec)                              # a command the real curl sends identically

The command is read as a POSIX shell would (quotes, $'…', backslash-newline), or as
cmd.exe would when it is written in the Windows `^` form. Several commands in one paste
(`;`, `&&`, new lines) become several requests. Every option is either mapped, or
listed in the report as ignored or dropped; unknown options are reported, never fatal.
Files named with `@file` cannot be read here: the field or body is created empty and
the report says which file to attach.
"""

from __future__ import annotations

import base64
import posixpath
import re
from dataclasses import dataclass, field
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
from requests_app.interop.limits import as_text
from requests_app.interop.model import (
    ImportedCollection,
    ImportedRequest,
    ImportFormatError,
    ImportResult,
    Report,
)
from requests_app.interop.shell import Command, quote_posix_filling, split_commands
from requests_app.interop.wire import (
    DEFAULT_CONTENT_TYPES,
    FORM_CONTENT_TYPE,
    body_bytes,
    body_for_media_type,
    effective_url,
    find_header,
    graphql_payload,
)

FORMAT = "cURL command"
IMPORTED_COLLECTION_NAME = "Imported"
MAX_NAME_LENGTH = 200

# ---------------------------------------------------------------- the option table

_SHORT = {
    "X": "request", "H": "header", "d": "data", "F": "form", "G": "get", "u": "user", "b": "cookie",
    "A": "user-agent", "e": "referer", "L": "location", "k": "insecure", "m": "max-time", "I": "head",
    "x": "proxy", "s": "silent", "S": "show-error", "v": "verbose", "i": "include", "o": "output",
    "O": "remote-name", "T": "upload-file", "c": "cookie-jar", "w": "write-out", "D": "dump-header",
    "E": "cert", "f": "fail", "#": "progress-bar", "N": "no-buffer", "4": "ipv4", "6": "ipv6", "r": "range",
    "K": "config", "U": "proxy-user", "j": "junk-session-cookies", "C": "continue-at", "0": "http1.0",
    "n": "netrc", "q": "disable", "R": "remote-time", "g": "globoff", "J": "remote-header-name",
    "l": "list-only", "a": "append", "B": "use-ascii", "M": "manual", "h": "help", "V": "version",
    "Y": "speed-limit", "y": "speed-time", "z": "time-cond", "t": "telnet-option", "P": "ftp-port",
    "Q": "quote", "Z": "parallel", ":": "next", "p": "proxytunnel", "1": "tlsv1", "2": "sslv2", "3": "sslv3",
}  # fmt: skip

# Options that take a value, beyond the ones handled below.
_VALUED = frozenset(
    """
    url request header data data-raw data-binary data-ascii data-urlencode json form form-string user cookie
    user-agent referer max-redirs max-time proxy output upload-file cookie-jar write-out dump-header cert key
    cacert capath range config proxy-user continue-at oauth2-bearer url-query connect-timeout retry retry-delay
    retry-max-time resolve connect-to interface limit-rate max-filesize speed-limit speed-time time-cond
    telnet-option ftp-port quote cert-type key-type pass ciphers engine dns-servers dns-interface dns-ipv4-addr
    dns-ipv6-addr noproxy proxy-header unix-socket abstract-unix-socket aws-sigv4 request-target variable
    stderr trace trace-ascii trace-config keepalive-time local-port tls-max preproxy socks4 socks4a socks5
    socks5-hostname hostpubmd5 hostpubsha256 pinnedpubkey output-dir etag-save etag-compare
    happy-eyeballs-timeout-ms mail-from mail-rcpt mail-auth sasl-authzid service-name proxy-cacert proxy-capath
    proxy-cert proxy-cert-type proxy-key proxy-key-type proxy-pass proxy-ciphers proxy-tls13-ciphers
    proxy-pinnedpubkey proxy-service-name proxy-crlfile proxy-tlsuser proxy-tlspassword proxy-tlsauthtype
    login-options delegation crlfile random-file egd-file doh-url alt-svc hsts parallel-max rate
    create-file-mode ip-tos vlan-priority netrc-file ftp-method ftp-account ftp-alternative-to-user
    ftp-ssl-ccc-mode krb tftp-blksize socks5-gssapi-service ssl-sessions expect100-timeout curves tls13-ciphers
    tlsuser tlspassword tlsauthtype max-time connect-timeout upload-flags ech ipfs-gateway
    """.split()
)

_OUTPUT_ONLY = frozenset(
    """
    silent show-error verbose include output remote-name remote-name-all remote-header-name write-out
    dump-header progress-bar no-progress-meter no-buffer styled-output no-styled-output trace trace-ascii
    trace-time trace-config stderr output-dir create-dirs fail fail-with-body fail-early show-headers xattr
    remote-time clobber no-clobber remove-on-error skip-existing etag-save etag-compare create-file-mode
    help manual version
    """.split()
)
_PROXY = frozenset(
    """
    proxy proxy-user noproxy preproxy socks4 socks4a socks5 socks5-hostname proxytunnel proxy-header
    proxy-insecure proxy-cacert proxy-capath proxy-cert proxy-cert-type proxy-key proxy-key-type proxy-pass
    proxy-ciphers proxy-tls13-ciphers proxy-pinnedpubkey proxy-service-name proxy-crlfile proxy-tlsuser
    proxy-tlspassword proxy-tlsauthtype proxy-basic proxy-digest proxy-ntlm proxy-negotiate proxy-anyauth
    socks5-gssapi-service socks5-gssapi-nec haproxy-protocol suppress-connect-headers proxy-ca-native
    """.split()
)
_CONNECTION = frozenset(
    """
    http1.0 http1.1 http2 http2-prior-knowledge http3 http3-only http0.9 ipv4 ipv6 no-keepalive keepalive-time
    tcp-nodelay tcp-fastopen local-port interface connect-timeout retry retry-delay retry-max-time
    retry-connrefused retry-all-errors limit-rate speed-limit speed-time max-filesize parallel parallel-max
    parallel-immediate rate path-as-is raw globoff happy-eyeballs-timeout-ms expect100-timeout mptcp
    no-alpn no-npn no-sessionid false-start tr-encoding ignore-content-length crlf disable netrc
    netrc-optional netrc-file ip-tos vlan-priority dns-servers dns-interface dns-ipv4-addr dns-ipv6-addr
    doh-url doh-insecure alt-svc hsts junk-session-cookies cookie-jar post301 post302 post303
    disallow-username-in-url ssl-sessions ca-native
    """.split()
)
_TLS = frozenset(
    """
    cert key cacert capath cert-type key-type pass ciphers engine pinnedpubkey crlfile cert-status tlsv1
    tlsv1.0 tlsv1.1 tlsv1.2 tlsv1.3 tls-max sslv2 sslv3 ssl ssl-reqd ssl-no-revoke ssl-allow-beast
    ssl-revoke-best-effort ssl-auto-client-cert curves tls13-ciphers tlsuser tlspassword tlsauthtype
    random-file egd-file ech
    """.split()
)
_DROPPED = {
    "ntlm": "NTLM authentication is not supported; no auth is set",
    "ntlm-wb": "NTLM authentication is not supported; no auth is set",
    "negotiate": "Negotiate (SPNEGO) authentication is not supported; no auth is set",
    "delegation": "Kerberos delegation is not supported",
    "krb": "Kerberos is not supported",
    "aws-sigv4": "AWS Signature v4 is not supported; the request is imported unsigned",
    "resolve": "custom name resolution is not supported; the request goes to the URL's host",
    "connect-to": "custom connection targets are not supported; the request goes to the URL's host",
    "unix-socket": "Unix sockets are not supported; the request goes to the URL's host over TCP",
    "abstract-unix-socket": "Unix sockets are not supported; the request goes to the URL's host over TCP",
    "config": "a curl config file cannot be read here; its options are missing",
    "variable": "curl variables are not supported; use {{variables}} instead",
    "request-target": "a custom request target is not supported; the URL's path is used",
    "time-cond": "conditional requests by file time are not supported",
    "continue-at": "resuming transfers is not supported",
    "next": "only the first request of a --next chain is imported",
    "upload-flags": "upload flags are not supported",
}
# Options that change nothing about the request, and why; checked in this order.
_IGNORED_GROUPS = (
    (_PROXY, "proxy settings ignored; webclient connects directly"),
    (_OUTPUT_ONLY, "ignored (affects only curl's own output)"),
    (_TLS, "TLS setting ignored (certificates are verified unless -k is given)"),
    (_CONNECTION, "ignored (connection tuning)"),
    (_VALUED, "ignored"),
)
_CURL_DEFAULT_MAX_REDIRECTS = 50
_URL_CREDENTIALS = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://)([^/?#@]*)@")
_FORM_PART_META = re.compile(r";\s*(type|filename|headers|encoder)=", re.IGNORECASE)


@dataclass
class _DataPiece:
    kind: str  # data, raw, binary, urlencode, json
    text: str  # the encoded text that goes on the wire ("" for a file)
    file: str = ""  # a file curl would read
    line: int = 0
    option: str = ""


@dataclass
class _CurlState:
    report: Report
    path_prefix: str
    url: str = ""
    url_line: int = 0
    method: str = ""
    headers: list[KeyValue] = field(default_factory=list)
    cookies: list[str] = field(default_factory=list)
    data: list[_DataPiece] = field(default_factory=list)
    form: list[FormField] = field(default_factory=list)
    url_query: list[str] = field(default_factory=list)
    upload_file: str = ""
    use_get: bool = False
    head: bool = False
    user: str | None = None
    auth_scheme: str = "basic"
    bearer: str = ""
    follow: bool = False
    max_redirects: int | None = None
    insecure: bool = False
    timeout_ms: int | None = None

    def where(self, line: int) -> str:
        return f"{self.path_prefix}line {line}"


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
    state = _CurlState(report=report, path_prefix=prefix)
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
            if name not in _VALUED and name.startswith("no-") and name[3:] not in _VALUED:
                _apply_negated(state, name[3:], token, word.line)
                continue
            if name in _VALUED and value is None:
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
            name = _SHORT.get(letter, "")
            j += 1
            if not name:
                report.dropped(state.where(word.line), f"-{letter}: unknown curl option, ignored")
                continue
            if name in _VALUED:
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


def _set_url(state: _CurlState, url: str, line: int) -> None:
    if state.url:
        state.report.dropped(state.where(line), f"another URL, not imported (one request per command): {url}")
        return
    state.url = url
    state.url_line = line


def _apply_negated(state: _CurlState, name: str, token: str, line: int) -> None:
    if name in ("location", "location-trusted"):
        state.follow = False
    elif name == "insecure":
        state.insecure = False
    elif name in ("get", "head", "compressed", "basic", "digest") or name in _OUTPUT_ONLY | _CONNECTION | _TLS:
        if name == "get":
            state.use_get = False
        elif name == "head":
            state.head = False
        state.report.note(state.where(line), f"{token}: ignored")
    else:
        state.report.dropped(state.where(line), f"{token}: unknown curl option, ignored")


def _apply(state: _CurlState, name: str, value: str | None, token: str, line: int) -> None:
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
            state.data.append(_DataPiece(kind, "", file=v[1:], line=line, option=token))
        else:
            state.data.append(_DataPiece(kind, v, line=line, option=token))
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
    elif name in _DROPPED:
        report.dropped(where, f"{token}: {_DROPPED[name]}")
    elif any(name in group for group, _ in _IGNORED_GROUPS):
        report.note(where, f"{token}: " + next(why for group, why in _IGNORED_GROUPS if name in group))
    else:
        report.dropped(where, f"{token}: unknown curl option, ignored")


def _add_header(state: _CurlState, raw: str, token: str, line: int) -> None:
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


def _urlencode_piece(spec: str, line: int, token: str) -> _DataPiece:
    """curl's --data-urlencode forms: content, =content, name=content, @file, name@file."""
    if spec.startswith("@"):
        return _DataPiece("urlencode", "", file=spec[1:], line=line, option=token)
    name, eq, content = spec.partition("=")
    if eq:
        encoded = _curl_escape(content)
        return _DataPiece("urlencode", f"{name}={encoded}" if name else encoded, line=line, option=token)
    name, at, file_name = spec.partition("@")
    if at and name and "=" not in name:
        return _DataPiece("urlencode", "", file=file_name, line=line, option=token)
    return _DataPiece("urlencode", _curl_escape(spec), line=line, option=token)


def _curl_escape(text: str) -> str:
    """What --data-urlencode sends: every byte but A-Z a-z 0-9 - . _ ~ escaped, and a space
    as + (curl 7.88 on Debian, checked against the echo target)."""
    return quote_plus(text, safe="")


def _add_form_field(state: _CurlState, raw: str, *, literal: bool, token: str, line: int) -> None:
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
        match = _FORM_PART_META.search(value)
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


def _set_max_redirects(state: _CurlState, value: str, token: str, where: str) -> None:
    try:
        number = int(value)
    except ValueError:
        state.report.dropped(where, f"{token} {value!r}: not a number; ignored")
        return
    if number < 0 or number > _CURL_DEFAULT_MAX_REDIRECTS:
        state.report.downgraded(where, f"{token} {value}: limited to {_CURL_DEFAULT_MAX_REDIRECTS} redirects")
        number = _CURL_DEFAULT_MAX_REDIRECTS
    state.max_redirects = number


def _set_timeout(state: _CurlState, value: str, token: str, where: str) -> None:
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


def _build_spec(state: _CurlState) -> RequestSpec:
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


def _normalise_url(state: _CurlState) -> tuple[str, Auth]:
    url = state.url.strip()
    if "://" not in url and not url.startswith("{{"):
        state.report.note(state.where(state.url_line), f"{url}: no scheme, so http:// is assumed (as curl does)")
        url = "http://" + url
    auth = Auth()
    match = _URL_CREDENTIALS.match(url)
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


def _join_data(state: _CurlState) -> str | None:
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


def _data_body(state: _CurlState, text: str, headers: list[KeyValue]) -> Body:
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


# ---------------------------------------------------------------- export


def to_curl(spec: RequestSpec, *, multiline: bool = True) -> str:
    """A curl command that sends what the engine sends for `spec` (bash/zsh quoting).

    Multipart files are referenced by their file name (`-F 'f=@photo.png'`): the file must
    exist next to the command. A binary body that is not text is referenced as `@body.bin`.
    """
    args: list[str] = ["curl"]
    wire_url = effective_url(spec)
    method = (spec.method or "GET").upper()
    body = spec.body
    has_body = body.mode != "none"
    if method == "HEAD" and not has_body:
        args.append("--head")
    elif not (method == "GET" and not has_body) and not (method == "POST" and has_body):
        args += ["-X", spec.method]
    args.append(wire_url)
    for header in spec.headers:
        if not header.enabled:
            continue
        args += ["-H", f"{header.key}: {header.value}" if header.value else f"{header.key};"]
    args += _auth_args(spec)
    args += _body_args(spec)
    if _asks_for_compression(spec):
        args.append("--compressed")  # the engine asks for compressed responses and decodes them
    options = spec.options
    if options.follow_redirects:
        args.append("-L")
        if options.max_redirects != DEFAULT_MAX_REDIRECTS:
            args += ["--max-redirs", str(options.max_redirects)]
    if not options.verify_tls:
        args.append("-k")
    if options.timeout_ms != DEFAULT_TIMEOUT_MS:
        args += ["-m", f"{options.timeout_ms / 1000:g}"]
    return _join_args(args, multiline)


def _asks_for_compression(spec: RequestSpec) -> bool:
    """True unless the request turned compression off (Accept-Encoding: identity): the engine
    sends Accept-Encoding gzip, deflate, br on its own and decodes the answer, as --compressed does."""
    header = find_header(spec.headers, "Accept-Encoding")
    return header is None or header.value.strip().lower() not in ("", "identity")


def _join_args(args: list[str], multiline: bool) -> str:
    quoted = [quote_posix_filling(a) for a in args]
    if not multiline:
        return " ".join(quoted)
    lines = [" ".join(quoted[:2])]
    i = 2
    while i < len(quoted):
        # an option and its value stay on one line
        if quoted[i].startswith("-") and i + 1 < len(quoted) and not quoted[i + 1].startswith("-"):
            lines.append(f"{quoted[i]} {quoted[i + 1]}")
            i += 2
        else:
            lines.append(quoted[i])
            i += 1
    return " \\\n  ".join(lines)


def _auth_args(spec: RequestSpec) -> list[str]:
    auth = spec.auth
    if auth.type in ("basic", "digest") and find_header(spec.headers, "Authorization") is None:
        if ":" in auth.username:  # -u cannot say it; send the header curl would have built
            header = f"Authorization: Basic {_b64(f'{auth.username}:{auth.password}')}"
            return ["-H", header] if auth.type == "basic" else ["--digest", "-u", f"{auth.username}:{auth.password}"]
        args = ["-u", f"{auth.username}:{auth.password}"]
        return ["--digest", *args] if auth.type == "digest" else args
    if auth.type == "bearer" and find_header(spec.headers, "Authorization") is None:
        return ["-H", f"Authorization: Bearer {auth.token}"]
    if auth.type == "apikey" and auth.location == "header" and auth.key and find_header(spec.headers, auth.key) is None:
        return ["-H", f"{auth.key}: {auth.value}" if auth.value else f"{auth.key};"]
    if auth.type == "awsv4" and find_header(spec.headers, "Authorization") is None:
        args = ["--aws-sigv4", f"aws:amz:{auth.region}:{auth.service}", "-u", f"{auth.access_key}:{auth.secret_key}"]
        if auth.session_token:
            args += ["-H", f"X-Amz-Security-Token: {auth.session_token}"]
        return args
    return []


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode("ascii")


def _body_args(spec: RequestSpec) -> list[str]:
    body = spec.body
    declared = find_header(spec.headers, "Content-Type")
    args: list[str] = []
    if body.mode == "multipart":
        for form_field in body.fields:
            if not form_field.enabled:
                continue
            if form_field.file is not None:
                part = f"{form_field.key}=@{form_field.file.filename}"
                if form_field.file.content_type:
                    part += f";type={form_field.file.content_type}"
                args += ["-F", part]
            else:
                args += ["--form-string", f"{form_field.key}={form_field.value}"]
        return args
    if body.mode == "none":
        return args
    content_type = DEFAULT_CONTENT_TYPES[body.mode]
    if body.mode in ("raw", "binary") and body.content_type:
        content_type = body.content_type
    if declared is None and content_type != FORM_CONTENT_TYPE:
        args += ["-H", f"Content-Type: {content_type}"]
    if body.mode == "graphql":
        return [*args, "--data-raw", graphql_payload(body)]
    data = body_bytes(body)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return [*args, "--data-binary", "@body.bin"]
    if "\x00" in text:
        return [*args, "--data-binary", "@body.bin"]
    return [*args, "--data-raw", text]

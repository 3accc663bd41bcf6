""".http files (VS Code REST Client, JetBrains HTTP Client) ↔ the interop tree.

Usage::

    from requests_app.interop.httpfile import parse_http, to_http, to_http_files

    result = parse_http(text, name="api.http")     # ImportResult: one collection
    text = to_http(collection)                      # the whole collection as one file
    files = to_http_files(collection)               # {"Shop API.http": ..., "Catalog/Admin.http": ...}

Read: `###` separators (the text after them names the request), `# @name`,
`# @no-redirect`, `# @no-cookie-jar`, `# @timeout`, request lines with or without a
method and HTTP version, indented continuation lines (`?page=2`, `&limit=5`), headers,
bodies, `@var = value` file variables (they become collection variables), `{{var}}`,
comments with `#` and `//` (those right above a request become its description; a
commented-out header is a disabled header), `< ./file` bodies (reported as files to
attach), multipart bodies written out by hand (read back into form fields), REST
Client GraphQL requests (`X-Request-Type: GraphQL`), JetBrains `< {% … %}` and
`> {% … %}` scripts (kept as text, not run). `Authorization: Basic user password` and
friends become the request's auth. REST Client and JetBrains dynamic variables are
mapped to webclient's where one exists, and reported otherwise.

Write: what httpyac (the command-line runner of .http files) runs and sends as webclient
does: `# @no-reject-unauthorized`, `# @timeout N ms` (httpyac reads a bare number as
milliseconds), an empty variable as `@name = {{""}}` (a bare `@name =` is read as a request),
GraphQL as the JSON document webclient sends, form bodies on one line, a multipart body
closed by `<--->` so its final CRLF is kept, and Postman scripts as `#|` comment lines
(httpyac would run `{% %}` blocks and fail on `pm`), which this module reads back.
`# @max-redirects N` is webclient's own; the tools ignore it.
"""

# One module past 500 lines: one format's reader and writer, kept together because both follow the same grammar tables (request lines, variables, handler blocks); a split would separate each rule from its inverse.
from __future__ import annotations

import base64
import binascii
import re
import textwrap
from dataclasses import dataclass, field

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
from requests_app.engine.validation import TCHAR
from requests_app.interop.limits import as_text
from requests_app.interop.model import (
    ImportedCollection,
    ImportedRequest,
    ImportFormatError,
    ImportResult,
    Report,
)
from requests_app.interop.saved_tests import with_saved_tests
from requests_app.interop.wire import (
    DEFAULT_CONTENT_TYPES,
    FORM_CONTENT_TYPE,
    auth_header,
    body_for_media_type,
    effective_url,
    encode_form,
    find_header,
    graphql_payload,
)

FORMAT = ".http file"
MAX_NAME_LENGTH = 200
MULTIPART_BOUNDARY = "WebClientFormBoundary"

_SEPARATOR = re.compile(r"^###(.*)$")
_COMMENT = re.compile(r"^\s*(#|//)(.*)$")
_DIRECTIVE = re.compile(r"^\s*(?:#|//)\s*@([A-Za-z][\w-]*)\s*(.*?)\s*$")
_FILE_VARIABLE = re.compile(r"^\s*@([A-Za-z_][\w.-]*)\s*=\s?(.*?)\s*$")
_METHOD_LINE = re.compile(r"^([A-Z][A-Z0-9_-]*)\s+(\S.*?)(?:\s+(HTTP/[0-9.]+))?\s*$")
_LOWER_METHOD_LINE = re.compile(
    r"^(get|post|put|patch|delete|head|options|trace|connect)\s+(\S.*?)(?:\s+(HTTP/[0-9.]+))?\s*$", re.IGNORECASE
)
_URL_LINE = re.compile(r"^((?:https?://|/|\{\{)\S*?)(?:\s+(HTTP/[0-9.]+))?\s*$", re.IGNORECASE)
_HEADER = re.compile(rf"^({TCHAR}+)\s*:\s?(.*)$")
_FILE_REFERENCE = re.compile(r"^<@?(?:\w+)?\s+(\S.*)$")
_SCRIPT_START = re.compile(r"^([<>])\s*\{%(.*)$")
_HANDLER_FILE = re.compile(r"^>\s+(\S.*)$")
_OUTPUT_REDIRECT = re.compile(r"^>>!?\s+(\S.*)$")
_DYNAMIC = re.compile(r"\{\{\s*(\$[A-Za-z.]+)((?:\s+[^{}]*?)?)\s*\}\}|\{\{\s*(\$[A-Za-z.]+\([^{}]*\))\s*\}\}")
_SCRIPT_COMMENT = re.compile(r"^#\s*webclient (pre-request|test) script\b")
_SCRIPT_COMMENT_LINE = "#|"
_BODY_END = "<--->"  # httpyac: the body ends here; the blank line above it is kept
_EMPTY_VALUE = '{{""}}'
_REQUEST_REFERENCE = re.compile(r"\{\{\s*([A-Za-z_][\w-]*)\.(?:request|response)\.[^{}]*\}\}")

# REST Client and JetBrains dynamic variables → webclient's (engine/variables.py DYNAMIC).
_DYNAMIC_NAMES = {
    "$guid": "$guid",
    "$uuid": "$uuid",
    "$random.uuid": "$uuid",
    "$timestamp": "$timestamp",
    "$isoTimestamp": "$isoTimestamp",
    "$datetime": "$isoTimestamp",
    "$localDatetime": "$isoTimestamp",
    "$randomInt": "$randomInt",
    "$random.integer": "$randomInt",
    "$random.email": "$randomEmail",
    "$random.alphanumeric": "$randomAlphaNumeric",
    "$random.hexadecimal": "$randomHexadecimal",
}

# JetBrains HTTP Client handler scripts (client.*, response.*) are another language than Postman's
# pm scripts: kept under their own keys, exported back to .http, never run.
HTTP_CLIENT_PREREQUEST = "http_client_prerequest"
HTTP_CLIENT_TEST = "http_client_test"


@dataclass
class _Block:
    title: str
    line: int
    lines: list[tuple[int, str]] = field(default_factory=list)


# ---------------------------------------------------------------- import


def parse_http(content: str | bytes, *, name: str = "") -> ImportResult:
    text = as_text(content, FORMAT)
    report = Report()
    collection = ImportedCollection(name=_collection_name(name))
    for block in _blocks(text):
        request = _parse_block(block, collection, report)
        if request is not None:
            collection.items.append(request)
    if not collection.items:
        raise ImportFormatError(FORMAT, "", "no request found (a request line looks like: GET https://example.com/)")
    return ImportResult(format="http", collections=[collection], report=report.items)


def _collection_name(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    for suffix in (".http", ".rest"):
        base = base.removesuffix(suffix)
    return base.strip()[:MAX_NAME_LENGTH] or "Imported .http file"


def _blocks(text: str) -> list[_Block]:
    blocks = [_Block(title="", line=1)]
    for number, line in enumerate(text.replace("\r\n", "\n").split("\n"), start=1):
        match = _SEPARATOR.match(line)
        if match:
            blocks.append(_Block(title=match.group(1).strip(), line=number))
        else:
            blocks[-1].lines.append((number, line))
    return blocks


def _parse_block(block: _Block, collection: ImportedCollection, report: Report) -> ImportedRequest | None:
    lines = block.lines
    i = 0
    name = ""
    options = Options()
    comments: list[str] = []
    scripts: dict[str, str] = {}
    # Before the request line: comments, directives, file variables, a pre-request script.
    while i < len(lines):
        number, line = lines[i]
        stripped = line.strip()
        directive = _DIRECTIVE.match(line)
        variable = _FILE_VARIABLE.match(line)
        script = _SCRIPT_START.match(stripped)
        if not stripped:
            i += 1
        elif directive:
            name = _apply_directive(directive.group(1), directive.group(2), options, name, number, report)
            i += 1
        elif _SCRIPT_COMMENT.match(stripped):
            listen = "prerequest" if _SCRIPT_COMMENT.match(stripped).group(1) == "pre-request" else "test"  # type: ignore[union-attr]
            i += 1
            comment_lines: list[str] = []
            while i < len(lines) and lines[i][1].startswith(_SCRIPT_COMMENT_LINE):
                comment_lines.append(lines[i][1][len(_SCRIPT_COMMENT_LINE) + 1 :])
                i += 1
            scripts[listen] = "\n".join(comment_lines)
            report.note(f"line {number}", f"{'pre-request' if listen == 'prerequest' else 'test'} script kept as text, not run")
        elif _COMMENT.match(line):
            comments.append(_COMMENT.match(line).group(2).strip())  # type: ignore[union-attr]
            i += 1
        elif variable:
            raw_value = variable.group(2)
            value = "" if raw_value == _EMPTY_VALUE else _translate_dynamic(raw_value, f"line {number}", report)
            collection.variables.append(KeyValue(variable.group(1), value))
            i += 1
        elif script and script.group(1) == "<":
            source, i = _read_script(lines, i, script.group(2))
            scripts[HTTP_CLIENT_PREREQUEST] = source
            report.note(f"line {number}", "pre-request script kept as text, not run")
        else:
            break
    if i >= len(lines):
        if block.title:
            report.note(f"line {block.line}", "a section without a request line; skipped")
        return None
    number, line = lines[i]
    where = f"line {number}"
    method, url = _request_line(line, where)
    i += 1
    while i < len(lines) and lines[i][1][:1] in (" ", "\t") and lines[i][1].strip():
        url += lines[i][1].strip()  # REST Client: indented ?query / &query continuation lines
        i += 1
    headers: list[KeyValue] = []
    while i < len(lines) and lines[i][1].strip():
        number, line = lines[i]
        header = _HEADER.match(line)
        comment = _COMMENT.match(line)
        if comment:
            disabled = _HEADER.match(comment.group(2).strip())
            if disabled:
                headers.append(KeyValue(disabled.group(1), disabled.group(2).strip(), enabled=False))
        elif header:
            headers.append(KeyValue(header.group(1), _translate_dynamic(header.group(2).strip(), f"line {number}", report)))
        else:
            report.dropped(f"line {number}", f"not a header (expected Name: value), ignored: {line.strip()[:60]}")
        i += 1
    body_lines: list[tuple[int, str]] = []
    while i < len(lines):
        number, line = lines[i]
        stripped = line.strip()
        script = _SCRIPT_START.match(stripped)
        if script and script.group(1) == ">":
            source, i = _read_script(lines, i, script.group(2))
            # a JetBrains/httpyac handler (never run as a pm script); several blocks are all kept,
            # among them the saved assertions and captures an export writes (read back on import)
            earlier = scripts.get(HTTP_CLIENT_TEST)
            scripts[HTTP_CLIENT_TEST] = f"{earlier}\n\n{source}" if earlier else source
            report.note(f"line {number}", "response handler script kept as text, not run")
            continue
        redirect = _OUTPUT_REDIRECT.match(stripped)
        handler_file = _HANDLER_FILE.match(stripped)
        if redirect:
            report.note(f"line {number}", f"saving the response to {redirect.group(1)} is not supported; ignored")
        elif handler_file:
            report.dropped(f"line {number}", f"the response handler file {handler_file.group(1)} is not loaded")
        else:
            body_lines.append((number, line))
        i += 1
    while body_lines and not body_lines[-1][1].strip():
        body_lines.pop()
    if body_lines and body_lines[-1][1].strip() == _BODY_END:
        body_lines.pop()
    while body_lines and not body_lines[-1][1].strip():
        body_lines.pop()
    while body_lines and not body_lines[0][1].strip():
        body_lines.pop(0)

    url = _translate_dynamic(url, where, report)
    auth = _auth_from_headers(headers, where, report)
    body_lines = [(n, _translate_dynamic(text, f"line {n}", report)) for n, text in body_lines]
    body = _body(body_lines, headers, where, report)
    spec = RequestSpec(method=method, url=url, headers=headers, body=body, auth=auth, options=options)
    title = block.title or name or f"{method} {url.split('?', 1)[0]}"
    return ImportedRequest(
        name=title[:MAX_NAME_LENGTH],
        spec=spec,
        description="\n".join(comments).strip(),
        scripts=scripts,
        source_path=f"line {block.line}" if block.title or block.line > 1 else where,
    )


def _apply_directive(name: str, value: str, options: Options, request_name: str, number: int, report: Report) -> str:
    where = f"line {number}"
    if name == "name":
        return value or request_name
    if name == "no-redirect":
        options.follow_redirects = False
    elif name == "no-cookie-jar":
        options.use_cookies = False
    elif name in ("no-reject-unauthorized", "no-verify-tls"):
        options.verify_tls = False
    elif name == "max-redirects" and value.isdigit():
        options.max_redirects = min(int(value), 50)
    elif name == "timeout":
        milliseconds = _duration_ms(value)
        if milliseconds is None:
            report.dropped(where, f"@timeout {value!r}: not a duration; ignored")
        else:
            options.timeout_ms = min(max(milliseconds, 1), 600_000)
    elif name in ("no-log", "note"):
        report.note(where, f"@{name}: ignored")
    else:
        report.note(where, f"@{name}: this directive is not supported; ignored")
    return request_name


def _duration_ms(value: str) -> int | None:
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(ms|s|m)?", value.strip())
    if not match:
        return None
    factor = {"ms": 1, "s": 1000, "m": 60_000, None: 1000}[match.group(2)]
    return round(float(match.group(1)) * factor)


def _read_script(lines: list[tuple[int, str]], start: int, first: str) -> tuple[str, int]:
    """A `{% ... %}` script starting on lines[start]; returns its text and the next index."""
    parts = [first]
    i = start
    while "%}" not in parts[-1]:
        i += 1
        if i >= len(lines):
            raise ImportFormatError(FORMAT, f"line {lines[start][0]}", "a {% script %} is never closed")
        parts.append(lines[i][1])
    parts[-1] = parts[-1][: parts[-1].index("%}")]
    return textwrap.dedent("\n".join(parts)).strip("\n").rstrip(), i + 1


def _request_line(line: str, where: str) -> tuple[str, str]:
    stripped = line.strip()
    match = _METHOD_LINE.match(stripped)
    if match:
        return match.group(1), match.group(2)
    lower = _LOWER_METHOD_LINE.match(stripped)
    if lower:
        return lower.group(1).upper(), lower.group(2)
    match = _URL_LINE.match(stripped)
    if match:
        return "GET", match.group(1)
    raise ImportFormatError(FORMAT, where, f"expected a request line such as GET https://example.com/, found {stripped[:60]!r}")


def _translate_dynamic(text: str, where: str, report: Report) -> str:
    if "{{" not in text:
        return text

    def replace(match: re.Match[str]) -> str:
        raw = match.group(0)
        name = match.group(1) or match.group(3).split("(", 1)[0]
        arguments = (match.group(2) or "").strip() or ("(" in (match.group(3) or ""))
        if name in ("$processEnv", "$dotenv") and isinstance(arguments, str) and arguments:
            variable = arguments.lstrip("%").split()[0]
            report.downgraded(where, f"{raw} became the variable {{{{{variable}}}}}")
            return "{{" + variable + "}}"
        target = _DYNAMIC_NAMES.get(name)
        if target is None:
            report.note(where, f"{raw} is not a dynamic variable webclient knows; it is sent as written")
            return raw
        replacement = "{{" + target + "}}"
        if replacement != raw:
            detail = " (its arguments are not supported)" if arguments else ""
            report.downgraded(where, f"{raw} became {replacement}{detail}")
        return replacement

    text = _DYNAMIC.sub(replace, text)
    for match in _REQUEST_REFERENCE.finditer(text):
        report.note(where, f"{match.group(0)} refers to another request's exchange; set that variable yourself")
    return text


def _auth_from_headers(headers: list[KeyValue], where: str, report: Report) -> Auth:
    """`Authorization: Basic user password` and friends, as REST Client and JetBrains write them."""
    found = [h for h in headers if h.enabled and h.key.lower() == "authorization"]
    if len(found) != 1:
        return Auth()
    scheme, _, credentials = found[0].value.strip().partition(" ")
    credentials = credentials.strip()
    auth: Auth | None = None
    if scheme.lower() == "bearer" and credentials and " " not in credentials:
        auth = Auth(type="bearer", token=credentials)
    elif scheme.lower() in ("basic", "digest") and credentials:
        kind = scheme.lower()
        user, space, password = credentials.partition(" ")
        if space:
            auth = Auth(type=kind, username=user, password=password.strip())
        elif ":" in credentials and "{{" not in credentials.split(":", 1)[0] + "x":
            user, _, password = credentials.partition(":")
            auth = Auth(type=kind, username=user, password=password)
        elif kind == "basic":
            decoded = _decode_basic(credentials)
            if decoded is not None:
                auth = Auth(type="basic", username=decoded[0], password=decoded[1])
    if auth is None:
        return Auth()
    headers.remove(found[0])
    return auth


def _decode_basic(token: str) -> tuple[str, str] | None:
    try:
        text = base64.b64decode(token, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    user, colon, password = text.partition(":")
    return (user, password) if colon else None


def _body(lines: list[tuple[int, str]], headers: list[KeyValue], where: str, report: Report) -> Body:
    if not lines:
        return Body()
    first_number, first = lines[0]
    file_reference = _FILE_REFERENCE.match(first.strip())
    if len(lines) == 1 and file_reference:
        report.downgraded(f"line {first_number}", f"attach the file {file_reference.group(1)} as the body before sending")
        return Body(mode="binary", data=b"")
    content_type = find_header(headers, "Content-Type")
    media_type = content_type.value.split(";")[0].strip().lower() if content_type else ""
    request_type = find_header(headers, "X-Request-Type")
    if request_type is not None and request_type.value.strip().lower() == "graphql":
        headers.remove(request_type)
        return _graphql_body([line for _, line in lines])
    text = "\n".join(line for _, line in lines)
    if media_type == FORM_CONTENT_TYPE:
        # REST Client lets a form body run over several lines, each starting with &.
        text = "".join(line.strip() for _, line in lines)
    if media_type.startswith("multipart/form-data") and content_type is not None:
        fields = _multipart_fields(text, content_type.value, where, report)
        if fields is not None:
            headers.remove(content_type)
            return Body(mode="multipart", fields=fields)
    for number, line in lines:
        reference = _FILE_REFERENCE.match(line.strip())
        if reference:
            report.downgraded(f"line {number}", f"the body includes the file {reference.group(1)}; paste its content")
    body = body_for_media_type(text, media_type, labelled_by_header=True)
    if body.mode == "graphql" and content_type is not None and content_type.value == "application/json":
        headers.remove(content_type)  # the GraphQL mode sends it (an export writes it for the tools)
    return body


def _graphql_body(lines: list[str]) -> Body:
    """REST Client: the query, a blank line, then the variables as JSON."""
    parts = re.split(r"\n[ \t]*\n", "\n".join(lines), maxsplit=1)
    variables = parts[1] if len(parts) > 1 else ""
    return Body(mode="graphql", query=parts[0].strip(), variables=variables.strip())


def _multipart_fields(text: str, content_type: str, where: str, report: Report) -> list[FormField] | None:
    """Form fields of a hand-written multipart body; None when it does not parse cleanly."""
    boundary_match = re.search(r'boundary="?([^";]+)"?', content_type)
    if not boundary_match:
        return None
    delimiter = "--" + boundary_match.group(1)
    sections = text.split(delimiter)
    if len(sections) < 2 or not sections[-1].strip().startswith("--"):
        return None
    fields: list[FormField] = []
    for section in sections[1:-1]:
        head, blank, content = section.strip("\n").partition("\n\n")
        if not blank and not head:
            return None
        disposition = re.search(r'(?im)^content-disposition:\s*form-data;\s*name="([^"]*)"(?:;\s*filename="([^"]*)")?', head)
        if not disposition:
            return None
        part_type = re.search(r"(?im)^content-type:\s*(.+)$", head)
        content = content.rstrip("\n")
        reference = _FILE_REFERENCE.match(content.strip())
        if disposition.group(2) is not None or reference:
            file_name = disposition.group(2) or (reference.group(1).rsplit("/", 1)[-1] if reference else "")
            data = b"" if reference else content.encode("utf-8")
            if reference:
                report.downgraded(where, f"file field {disposition.group(1)!r}: attach the file {reference.group(1)} before sending")
            part = FilePart(filename=file_name, content=data, content_type=part_type.group(1).strip() if part_type else "application/octet-stream")
            fields.append(FormField(disposition.group(1), file=part))
        else:
            fields.append(FormField(disposition.group(1), content))
    return fields


# ---------------------------------------------------------------- export


def to_http(collection: ImportedCollection, *, warnings: list[str] | None = None) -> str:
    """The whole collection as one .http file; requests in folders are named "Folder / Request"."""
    out = _file_header(collection)
    for request, folders in collection.requests_with_folders():
        path = [folder.name for folder in folders]
        out.append(_request_text(" / ".join([*path, request.name]), request, collection.sent_auth(request, folders), warnings))
    return "\n".join(out).rstrip("\n") + "\n"


def to_http_files(collection: ImportedCollection, *, warnings: list[str] | None = None) -> dict[str, str]:
    """One .http file per folder, named by its path; requests at the top go to "<collection>.http"."""
    files: dict[str, list[str]] = {}
    for request, folders in collection.requests_with_folders():
        file_name = "/".join(_safe_file_name(f.name) for f in folders) if folders else _safe_file_name(collection.name)
        lines = files.setdefault(f"{file_name}.http", _file_header(collection))
        lines.append(_request_text(request.name, request, collection.sent_auth(request, folders), warnings))
    return {name: "\n".join(lines).rstrip("\n") + "\n" for name, lines in files.items()}


def _safe_file_name(name: str) -> str:
    return re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", name).strip(" .") or "requests"


def _file_header(collection: ImportedCollection) -> list[str]:
    lines = [f"# {collection.name}"]
    lines += [f"# {line}".rstrip() for line in collection.description.splitlines()]
    lines.append("")
    for variable in collection.variables:
        if variable.enabled:
            lines.append(f"@{variable.key} = {variable.value or _EMPTY_VALUE}")
    if any(v.enabled for v in collection.variables):
        lines.append("")
    return lines


def _request_text(title: str, request: ImportedRequest, auth: Auth, warnings: list[str] | None) -> str:
    """`auth`: what the request sends (.http cannot say "inherit": folder and collection auth written out)."""
    spec = request.spec
    if auth is not spec.auth:
        spec = spec.copy(auth=auth)
    lines = [f"### {title}".rstrip()]
    lines += [f"# {line}".rstrip() for line in request.description.splitlines()]
    lines += _directives(spec.options)
    if request.scripts.get(HTTP_CLIENT_PREREQUEST):
        lines.append("< {%\n" + request.scripts[HTTP_CLIENT_PREREQUEST] + "\n%}")
    lines += _script_comments(request.scripts)
    lines.append(f"{spec.method} {effective_url(spec)}")
    for header in spec.headers:
        prefix = "" if header.enabled else "# "
        lines.append(f"{prefix}{header.key}: {header.value}")
        if header.enabled and header.value != header.value.strip():
            _warn(warnings, f"{title}: the header {header.key} loses its leading and trailing spaces in .http tools")
    lines += _auth_lines(spec)
    extra_headers, body_lines = _body_parts(spec, title, warnings)
    lines += extra_headers
    if body_lines is not None:
        lines += ["", *body_lines]
    # saved assertions and captures: a JetBrains/httpyac handler (client.test), read back on import
    saved_tests = with_saved_tests("", request.assertions, request.captures, dialect="jetbrains")
    if saved_tests:
        lines += ["", "> {%\n" + saved_tests + "\n%}"]
    if request.scripts.get(HTTP_CLIENT_TEST):
        lines += ["", "> {%\n" + request.scripts[HTTP_CLIENT_TEST] + "\n%}"]
    return "\n".join(lines) + "\n"


def _script_comments(scripts: dict[str, str]) -> list[str]:
    """Postman scripts as comments: .http tools would run a {% %} block and fail on `pm`."""
    lines = []
    for listen, label in (("prerequest", "pre-request"), ("test", "test")):
        if scripts.get(listen):
            lines.append(f"# webclient {label} script (Postman JavaScript, kept as text; .http tools do not run it):")
            lines += [f"{_SCRIPT_COMMENT_LINE} {line}".rstrip() for line in scripts[listen].split("\n")]
    return lines


def _directives(options: Options) -> list[str]:
    lines = []
    if not options.follow_redirects:
        lines.append("# @no-redirect")
    elif options.max_redirects != DEFAULT_MAX_REDIRECTS:
        lines.append(f"# @max-redirects {options.max_redirects}")
    if not options.use_cookies:
        lines.append("# @no-cookie-jar")
    if not options.verify_tls:
        lines.append("# @no-reject-unauthorized")
    if options.timeout_ms != DEFAULT_TIMEOUT_MS:
        lines.append(f"# @timeout {options.timeout_ms} ms")  # httpyac reads the number as ms, JetBrains the unit
    return lines


def _auth_lines(spec: RequestSpec) -> list[str]:
    auth = spec.auth
    if find_header(spec.headers, "Authorization") is not None and auth.type in ("basic", "digest", "bearer"):
        return []
    if auth.type in ("basic", "digest") and _plain_credentials(auth):
        return [f"Authorization: {auth.type.capitalize()} {auth.username} {auth.password}"]
    if auth.type == "digest":
        return [f"Authorization: Digest {auth.username}:{auth.password}"]
    header = auth_header(auth)
    if header is None or find_header(spec.headers, header[0]) is not None:
        return []
    return [f"{header[0]}: {header[1]}"]


def _plain_credentials(auth: Auth) -> bool:
    return bool(auth.username) and not re.search(r"[\s:]", auth.username) and not re.search(r"\s", auth.password) and bool(auth.password)


def _body_parts(spec: RequestSpec, title: str, warnings: list[str] | None) -> tuple[list[str], list[str] | None]:
    """Extra header lines (Content-Type, X-Request-Type) and the body's lines (None: no body)."""
    body = spec.body
    if body.mode == "none":
        return [], None
    has_type = find_header(spec.headers, "Content-Type") is not None
    if body.mode == "graphql":
        # The JSON document webclient sends: httpyac's own GraphQL syntax re-serialises the
        # variables, and REST Client's X-Request-Type header would be sent as a header.
        header = [] if has_type else ["Content-Type: application/json"]
        return header, graphql_payload(body).split("\n")
    if body.mode == "multipart":
        header = [] if has_type else [f"Content-Type: multipart/form-data; boundary={MULTIPART_BOUNDARY}"]
        return header, _multipart_lines(spec, title, warnings)
    content_type = body.content_type if body.mode in ("raw", "binary") else ""
    if body.mode == "raw" and not content_type:
        header = []  # the engine's default for an unlabelled raw body applies on both sides
    else:
        header = [] if has_type else [f"Content-Type: {content_type or DEFAULT_CONTENT_TYPES[body.mode]}"]
    if body.mode in ("raw", "json"):
        text = body.text
    elif body.mode == "urlencoded":
        text = encode_form(body.fields, body.form_encoding)  # one line: no newline, no space
    elif not body.data:
        _warn(warnings, f"{title}: the body is a file still to attach; it is written as < ./body.bin")
        return header, ["< ./body.bin"]
    else:
        try:
            text = body.data.decode("utf-8")
        except UnicodeDecodeError:
            _warn(warnings, f"{title}: the binary body is written as < ./body.bin; save the bytes there")
            return header, ["< ./body.bin"]
    if _is_form(spec):
        text = _one_line_form(text, title, warnings)
    _check_body_text(text, title, warnings)
    return header, text.split("\n")


def _is_form(spec: RequestSpec) -> bool:
    content_type = find_header(spec.headers, "Content-Type")
    declared = content_type.value if content_type else spec.body.content_type
    return spec.body.mode == "urlencoded" or declared.split(";")[0].strip().lower() == FORM_CONTENT_TYPE


def _one_line_form(text: str, title: str, warnings: list[str] | None) -> str:
    """.http tools join a form body's lines and trim spaces around = and &: write line breaks
    and those spaces encoded, which a server decodes to the same fields."""
    one_line = re.sub(r" (?=[=&])|(?<=[=&]) ", "%20", text.replace("\r", "%0D").replace("\n", "%0A"))
    if one_line != text:
        _warn(warnings, f"{title}: the form body's line breaks and spaces next to = or & are written encoded (%0A, %20)")
    return one_line


def _multipart_lines(spec: RequestSpec, title: str, warnings: list[str] | None) -> list[str]:
    lines: list[str] = []
    for form_field in spec.body.fields:
        if not form_field.enabled:
            _warn(warnings, f"{title}: the disabled form field {form_field.key!r} is left out")
            continue
        lines.append(f"--{MULTIPART_BOUNDARY}")
        if form_field.file is not None:
            file_name = form_field.file.filename
            lines.append(f'Content-Disposition: form-data; name="{form_field.key}"; filename="{file_name}"')
            lines.append(f"Content-Type: {form_field.file.content_type or 'application/octet-stream'}")
            lines += ["", f"< ./{file_name}"]
        else:
            lines += [f'Content-Disposition: form-data; name="{form_field.key}"', "", form_field.value]
    # httpyac drops a body's trailing blank lines; <---> ends it after the CRLF webclient sends.
    lines += [f"--{MULTIPART_BOUNDARY}--", "", _BODY_END]
    return lines


def _check_body_text(text: str, title: str, warnings: list[str] | None) -> None:
    for line in text.split("\n"):
        if line.startswith("###") or _FILE_REFERENCE.match(line.strip()) or line.strip().startswith(">"):
            _warn(warnings, f"{title}: a body line starting with {line.strip()[:3]!r} is read as .http syntax")
            return


def _warn(warnings: list[str] | None, message: str) -> None:
    if warnings is not None:
        warnings.append(message)

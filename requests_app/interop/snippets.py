"""Code that sends a request: cURL, Python (urllib.request, requests, httpx), JavaScript fetch,
Node axios, HTTPie, wget, PowerShell, Go net/http and the raw HTTP message.

Usage::

    from requests_app.interop.snippets import SNIPPET_LANGUAGES, generate_snippet

    generate_snippet(spec, "python-urllib")                       # {{variables}} kept as written
    generate_snippet(spec, "javascript-fetch", scopes=[env, collection_vars], resolve_variables=True,
                     secret_names={"token"})                      # secrets stay {{token}}
    generate_snippet(spec, "curl", mask_secrets=False)           # literal credentials shown

Secrets are masked by default: variables named in `secret_names` are never resolved (they
stay `{{name}}`), and credentials typed into the auth settings or an Authorization header
become placeholders (interop/credentials.py): `"$WEBCLIENT_PASSWORD"` in shell commands
(cURL, HTTPie, wget), so the command works once the variable is set, `{{password}}` elsewhere.
Each snippet prints the response body, so it can be run as it is. Files of multipart
bodies are embedded when their content is known, else read from a file of the same name.
Where a tool cannot do what the request asks (duplicate headers in a dict-based API,
digest auth in fetch, skipping TLS checks in a browser), the snippet says so in a comment.
"""

# One module past 500 lines: one short writer per language (twelve) over the same prepared request; a module per language would scatter that shared preparation.
from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence

from requests_app.engine.prepare import encode_multipart
from requests_app.engine.spec import DEFAULT_TIMEOUT_MS, FormField, RequestSpec
from requests_app.engine.variables import VariableCycleError, VariableExpansionError, resolve_spec
from requests_app.interop.credentials import SHELL, TEMPLATE, mask_credentials
from requests_app.interop.curl import to_curl
from requests_app.interop.shell import quote_posix_filling as quote_posix
from requests_app.interop.wire import WireRequest, prepare

# Commands for a shell: masked credentials become variables the shell fills in
# ($WEBCLIENT_PASSWORD…); code in other languages gets the {{password}} placeholders of every export.
SHELL_LANGUAGES = frozenset({"curl", "httpie", "wget"})
SNIPPET_BOUNDARY = "----webclient-snippet-boundary"
# Embedded file contents above this size are read from disk instead.
MAX_EMBEDDED_FILE_BYTES = 64 * 1024
_URLLIB_MAX_REDIRECTIONS = 10  # urllib.request.HTTPRedirectHandler.max_redirections

SNIPPET_LANGUAGES: dict[str, str] = {
    "curl": "cURL",
    "python-urllib": "Python (urllib.request)",
    "python-requests": "Python (requests)",
    "python-httpx": "Python (httpx)",
    "javascript-fetch": "JavaScript (fetch)",
    "node-axios": "Node.js (axios)",
    "httpie": "HTTPie",
    "wget": "wget",
    "powershell": "PowerShell (Invoke-RestMethod)",
    "go": "Go (net/http)",
    "http": "Raw HTTP message",
}


class SnippetError(ValueError):
    """A snippet cannot be made; the message says why, for the person who asked."""


class UnknownLanguage(SnippetError):
    def __init__(self, language: str) -> None:
        super().__init__(f"unknown snippet language {language!r}; one of {', '.join(SNIPPET_LANGUAGES)}")
        self.language = language


def generate_snippet(
    spec: RequestSpec,
    language: str,
    *,
    scopes: Sequence[Mapping[str, str]] = (),
    resolve_variables: bool = False,
    secret_names: Iterable[str] = (),
    mask_secrets: bool = True,
) -> str:
    generator = _GENERATORS.get(language)
    if generator is None:
        raise UnknownLanguage(language)
    if resolve_variables:
        hidden = set(secret_names) if mask_secrets else set()
        visible = [{k: v for k, v in scope.items() if k not in hidden} for scope in scopes]
        try:
            spec, _warnings = resolve_spec(spec, visible)
        except (VariableCycleError, VariableExpansionError) as exc:
            raise SnippetError(f"variables cannot be resolved: {exc}") from None
    if mask_secrets:
        spec = mask_credentials(spec, SHELL if language in SHELL_LANGUAGES else TEMPLATE)
    return generator(spec)


def _has_duplicate_headers(wire: WireRequest) -> bool:
    names = [k.lower() for k, _ in wire.headers]
    return len(names) != len(set(names))


def _file_bytes(form_field: FormField) -> bytes | None:
    """The file's content to embed, or None to read it from a file of that name."""
    if form_field.file is None or not form_field.file.content or len(form_field.file.content) > MAX_EMBEDDED_FILE_BYTES:
        return None
    return form_field.file.content


def _timeout_s(spec: RequestSpec) -> float:
    return spec.options.timeout_ms / 1000


def _js(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


# ---------------------------------------------------------------- cURL, raw HTTP


def _curl(spec: RequestSpec) -> str:
    return to_curl(spec)


def _raw_http(spec: RequestSpec) -> str:
    wire = prepare(spec)
    scheme, _, rest = wire.url.partition("://")
    authority, slash, path = rest.partition("/")
    target = (slash + path).split("#", 1)[0] or "/"
    host = authority.rsplit("@", 1)[-1]
    lines = [f"{wire.method} {target} HTTP/1.1", f"Host: {host}"]
    body = wire.body
    if wire.body_mode == "multipart":
        body = encode_multipart(wire.form_fields, SNIPPET_BOUNDARY)
        if wire.header("Content-Type") is None:
            lines.append(f"Content-Type: multipart/form-data; boundary={SNIPPET_BOUNDARY}")
    lines += [f"{k}: {v}" for k, v in wire.headers]
    if wire.digest is not None:
        lines.insert(0, f"# digest auth for {wire.digest[0]}: answer the server's 401 challenge")
    if body or wire.method in ("POST", "PUT", "PATCH"):
        lines.append(f"Content-Length: {len(body)}")
    text = "\r\n".join(lines) + "\r\n\r\n"
    return text + body.decode("utf-8", errors="replace")


# ---------------------------------------------------------------- Python


def _py_bytes(data: bytes) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return repr(data)
    return f"{text!r}.encode()"


def _py_file_source(form_field: FormField, *, read: bool) -> str:
    """The file's bytes embedded, or code opening (and reading) a file of that name."""
    assert form_field.file is not None
    content = _file_bytes(form_field)
    if content is not None:
        return _py_bytes(content)
    return f"open({form_field.file.filename!r}, 'rb')" + (".read()" if read else "")


def _py_multipart_parts(wire: WireRequest) -> list[str]:
    """Python source for a list of (name, filename-or-None, content-type, bytes) tuples."""
    parts = []
    for form_field in wire.form_fields:
        if form_field.file is None:
            parts.append(f"    ({form_field.key!r}, None, None, {_py_bytes(form_field.value.encode())}),")
            continue
        source = _py_file_source(form_field, read=True)
        parts.append(
            f"    ({form_field.key!r}, {form_field.file.filename!r}, {form_field.file.content_type!r}, {source}),"
        )
    return parts


def _python_urllib(spec: RequestSpec) -> str:
    wire = prepare(spec)
    options = spec.options
    imports = ["import urllib.request"]
    lines: list[str] = []
    if _has_duplicate_headers(wire):
        lines.append("# urllib keeps one value per header name: duplicates were merged by the last one")
    lines.append(f"url = {wire.url!r}")
    if wire.body_mode == "multipart":
        imports.insert(0, "import uuid")
        lines += ["parts = [", *_py_multipart_parts(wire), "]"]
        lines += [
            'boundary = uuid.uuid4().hex',
            "body = b''",
            "for name, filename, content_type, content in parts:",
            "    disposition = f'form-data; name=\"{name}\"' + (f'; filename=\"{filename}\"' if filename else '')",
            "    body += f'--{boundary}\\r\\nContent-Disposition: {disposition}\\r\\n'.encode()",
            "    if content_type:",
            "        body += f'Content-Type: {content_type}\\r\\n'.encode()",
            "    body += b'\\r\\n' + content + b'\\r\\n'",
            "body += f'--{boundary}--\\r\\n'.encode()",
        ]
        data = "body"
    elif wire.body or wire.body_mode != "none":
        lines.append(f"body = {_py_bytes(wire.body)}")
        data = "body"
    else:
        data = "None"
    lines.append(f"request = urllib.request.Request(url, data={data}, method={wire.method!r})")
    for name, value in wire.headers:
        lines.append(f"request.add_header({name!r}, {value!r})")
    if wire.body_mode == "multipart" and wire.header("Content-Type") is None:
        lines.append("request.add_header('Content-Type', f'multipart/form-data; boundary={boundary}')")
    handlers: list[str] = []
    if not options.verify_tls:
        imports.append("import ssl")
        lines.append("context = ssl.create_default_context()")
        lines += ["context.check_hostname = False", "context.verify_mode = ssl.CERT_NONE"]
        handlers.append("urllib.request.HTTPSHandler(context=context)")
    if wire.digest is not None:
        lines.append("passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()")
        lines.append(f"passwords.add_password(None, url, {wire.digest[0]!r}, {wire.digest[1]!r})")
        handlers.append("urllib.request.HTTPDigestAuthHandler(passwords)")
    if not options.follow_redirects:
        lines += [
            "",
            "class NoRedirect(urllib.request.HTTPRedirectHandler):",
            "    def redirect_request(self, *args, **kwargs):",
            "        return None  # hand back the 3xx response itself",
            "",
        ]
        handlers.append("NoRedirect()")
    elif options.max_redirects != _URLLIB_MAX_REDIRECTIONS:
        lines.append(f"urllib.request.HTTPRedirectHandler.max_redirections = {options.max_redirects}")
    lines.append(f"opener = urllib.request.build_opener({', '.join(handlers)})")
    lines += [
        "try:",
        f"    response = opener.open(request, timeout={_timeout_s(spec)!r})",
        "except urllib.error.HTTPError as error:  # 4xx and 5xx answers are responses too",
        "    response = error",
        "with response:",
        "    print(response.read().decode('utf-8', 'replace'))",
    ]
    imports.append("import urllib.error")
    return "\n".join(sorted(set(imports)) + [""] + lines) + "\n"


def _python_requests(spec: RequestSpec) -> str:
    return _python_client(spec, "requests")


def _python_httpx(spec: RequestSpec) -> str:
    return _python_client(spec, "httpx")


def _python_client(spec: RequestSpec, library: str) -> str:
    wire = prepare(spec)
    options = spec.options
    lines = [f"import {library}", ""]
    if _has_duplicate_headers(wire):
        lines.append(f"# {library} keeps one value per header name: duplicates are joined or the last one wins")
    lines.append(f"url = {wire.url!r}")
    headers = [(k, v) for k, v in wire.headers]
    lines.append("headers = {")
    lines += [f"    {k!r}: {v!r}," for k, v in headers]
    lines.append("}")
    arguments = ["url", "headers=headers"]
    if wire.body_mode == "multipart":
        files = []
        data = []
        for form_field in wire.form_fields:
            if form_field.file is None:
                data.append(f"    ({form_field.key!r}, {form_field.value!r}),")
                continue
            source = _py_file_source(form_field, read=False)
            files.append(
                f"    ({form_field.key!r}, ({form_field.file.filename!r}, {source}, {form_field.file.content_type!r})),"
            )
        if library == "httpx":  # httpx wants form fields as a dict (a list for repeated names)
            values: dict[str, list[str]] = {}
            for form_field in wire.form_fields:
                if form_field.file is None:
                    values.setdefault(form_field.key, []).append(form_field.value)
            data = [f"    {k!r}: {v[0]!r}," if len(v) == 1 else f"    {k!r}: {v!r}," for k, v in values.items()]
            lines += ["data = {", *data, "}", "files = [", *files, "]"]
        else:
            lines += ["data = [", *data, "]", "files = [", *files, "]"]
        arguments += ["data=data", "files=files"]
    elif wire.body_mode != "none":
        lines.append(f"body = {_py_bytes(wire.body)}")
        arguments.append("content=body" if library == "httpx" else "data=body")
    if wire.digest is not None:
        auth_class = "httpx.DigestAuth" if library == "httpx" else "requests.auth.HTTPDigestAuth"
        if library == "requests":
            lines[0] = "import requests\nimport requests.auth"
        arguments.append(f"auth={auth_class}({wire.digest[0]!r}, {wire.digest[1]!r})")
    arguments.append(f"timeout={_timeout_s(spec)!r}")
    if library == "requests":
        if not options.verify_tls:
            arguments.append("verify=False")
        arguments.append(f"allow_redirects={options.follow_redirects!r}")
        lines.append("")
        lines.append("session = requests.Session()")
        if options.follow_redirects:
            lines.append(f"session.max_redirects = {options.max_redirects}")
        lines.append(f"response = session.request({wire.method!r}, {', '.join(arguments)})")
    else:
        client = [f"follow_redirects={options.follow_redirects!r}", f"max_redirects={options.max_redirects}"]
        if not options.verify_tls:
            client.append("verify=False")
        lines.append("")
        lines.append(f"with httpx.Client({', '.join(client)}) as client:")
        lines.append(f"    response = client.request({wire.method!r}, {', '.join(arguments)})")
    lines.append("print(response.text)")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- JavaScript


def _js_file(form_field: FormField) -> str:
    assert form_field.file is not None
    content = _file_bytes(form_field)
    file_type = _js(form_field.file.content_type or "application/octet-stream")
    name = _js(form_field.file.filename)
    if content is None:
        return f"new File([/* the file's bytes */], {name}, {{ type: {file_type} }})"
    try:
        parts = _js(content.decode("utf-8"))
    except UnicodeDecodeError:
        parts = f"new Uint8Array([{', '.join(str(b) for b in content)}])"
    return f"new File([{parts}], {name}, {{ type: {file_type} }})"


def _js_form(wire: WireRequest) -> list[str]:
    lines = ["const form = new FormData();"]
    for form_field in wire.form_fields:
        if form_field.file is None:
            lines.append(f"form.append({_js(form_field.key)}, {_js(form_field.value)});")
        else:
            lines.append(f"form.append({_js(form_field.key)}, {_js_file(form_field)});")
    return lines


def _js_body(wire: WireRequest) -> str:
    text = wire.body_text
    if text is not None:
        return _js(text)
    return f"new Uint8Array([{', '.join(str(b) for b in wire.body)}])"


def _javascript_fetch(spec: RequestSpec) -> str:
    wire = prepare(spec)
    options = spec.options
    lines: list[str] = []
    if wire.digest is not None:
        lines.append("// fetch cannot answer a digest challenge; the request is sent without credentials")
    if not options.verify_tls:
        lines.append("// fetch always verifies TLS certificates")
    if options.follow_redirects and options.max_redirects != 20:
        lines.append(f"// fetch follows up to 20 redirects; this request allows {options.max_redirects}")
    headers = [h for h in wire.headers if not (wire.body_mode == "multipart" and h[0].lower() == "content-type")]
    if wire.body_mode == "multipart":
        lines += _js_form(wire)
    lines.append(f"const response = await fetch({_js(wire.url)}, {{")
    lines.append(f"  method: {_js(wire.method)},")
    lines.append("  headers: [")
    lines += [f"    [{_js(k)}, {_js(v)}]," for k, v in headers]
    lines.append("  ],")
    if wire.body_mode == "multipart":
        lines.append("  body: form,")
    elif wire.body_mode != "none":
        lines.append(f"  body: {_js_body(wire)},")
    lines.append(f"  redirect: {_js('follow' if options.follow_redirects else 'manual')},")
    lines.append(f"  signal: AbortSignal.timeout({options.timeout_ms}),")
    lines.append("});")
    lines.append("console.log(await response.text());")
    return "\n".join(lines) + "\n"


def _node_axios(spec: RequestSpec) -> str:
    wire = prepare(spec)
    options = spec.options
    lines = ['const axios = require("axios");']
    if not options.verify_tls:
        lines.append('const https = require("https");')
    if _has_duplicate_headers(wire):
        lines.append("// axios keeps one value per header name")
    if wire.body_mode == "multipart":
        lines += _js_form(wire)
    lines.append("")
    lines.append("axios({")
    lines.append(f"  method: {_js(wire.method)},")
    lines.append(f"  url: {_js(wire.url)},")
    headers = [h for h in wire.headers if not (wire.body_mode == "multipart" and h[0].lower() == "content-type")]
    lines.append("  headers: {")
    lines += [f"    {_js(k)}: {_js(v)}," for k, v in headers]
    lines.append("  },")
    if wire.body_mode == "multipart":
        lines.append("  data: form,")
    elif wire.body_mode != "none":
        text = wire.body_text
        data = _js(text) if text is not None else f"Buffer.from({_js(wire.body.hex())}, \"hex\")"
        lines.append(f"  data: {data},")
    if wire.digest is not None:
        lines.append("  // axios has no digest auth; the request is sent without credentials")
    lines.append(f"  maxRedirects: {options.max_redirects if options.follow_redirects else 0},")
    lines.append(f"  timeout: {options.timeout_ms},")
    if not options.verify_tls:
        lines.append("  httpsAgent: new https.Agent({ rejectUnauthorized: false }),")
    lines.append('  responseType: "text",')
    lines.append("  transformResponse: (data) => data,")
    lines.append("  validateStatus: () => true,")
    lines.append("}).then((response) => console.log(response.data));")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- command-line tools


def _httpie(spec: RequestSpec) -> str:
    wire = prepare(spec)
    options = spec.options
    args = ["http", "--ignore-stdin"]
    if options.follow_redirects:
        args += ["--follow", f"--max-redirects={options.max_redirects}"]
    if not options.verify_tls:
        args.append("--verify=no")
    if options.timeout_ms != DEFAULT_TIMEOUT_MS:
        args.append(f"--timeout={_timeout_s(spec):g}")
    if wire.digest is not None:
        args += ["--auth-type=digest", f"--auth={wire.digest[0]}:{wire.digest[1]}"]
    items: list[str] = []
    if wire.body_mode == "multipart":
        args.append("--multipart")
        for form_field in wire.form_fields:
            if form_field.file is None:
                items.append(f"{form_field.key}={form_field.value}")
            else:
                items.append(f"{form_field.key}@{form_field.file.filename};type={form_field.file.content_type}")
    elif wire.body_mode != "none":
        text = wire.body_text
        args.append(f"--raw={text}" if text is not None else "--raw=@body.bin")
    headers = [h for h in wire.headers if not (wire.body_mode == "multipart" and h[0].lower() == "content-type")]
    for name, value in headers:
        items.append(f"{name}:{value}" if value else f"{name};")
    args += [wire.method, wire.url, *items]
    return " ".join(quote_posix(a) for a in args) + "\n"


def _wget(spec: RequestSpec) -> str:
    wire = prepare(spec)
    options = spec.options
    lines: list[str] = []
    args = ["wget", "--quiet", "--output-document=-", "--content-on-error", f"--method={wire.method}"]
    for name, value in wire.headers:
        args.append(f"--header={name}: {value}")
    if wire.body_mode == "multipart":
        lines.append("# wget cannot build multipart bodies: save the body (see the raw HTTP snippet) as body.bin")
        args += [f"--header=Content-Type: multipart/form-data; boundary={SNIPPET_BOUNDARY}", "--body-file=body.bin"]
    elif wire.body_mode != "none":
        text = wire.body_text
        args.append(f"--body-data={text}" if text is not None and "\x00" not in text else "--body-file=body.bin")
    if wire.digest is not None:
        args += [f"--user={wire.digest[0]}", f"--password={wire.digest[1]}"]
    args.append(f"--max-redirect={options.max_redirects if options.follow_redirects else 0}")
    if not options.verify_tls:
        args.append("--no-check-certificate")
    args.append(f"--timeout={_timeout_s(spec):g}")
    args.append(wire.url)
    lines.append(" \\\n  ".join(quote_posix(a) for a in args))
    return "\n".join(lines) + "\n"


def _ps(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _powershell(spec: RequestSpec) -> str:
    wire = prepare(spec)
    options = spec.options
    lines: list[str] = []
    headers = [h for h in wire.headers if h[0].lower() != "content-type"]
    content_type = wire.header("Content-Type")
    lines.append("$headers = @{")
    lines += [f"    {_ps(k)} = {_ps(v)}" for k, v in headers]
    lines.append("}")
    args = [f"-Uri {_ps(wire.url)}", f"-Method {_ps(wire.method)}", "-Headers $headers"]
    if wire.body_mode == "multipart":
        lines.append("$form = @{")
        for form_field in wire.form_fields:
            value = _ps(form_field.value) if form_field.file is None else f"Get-Item -Path {_ps(form_field.file.filename)}"
            lines.append(f"    {_ps(form_field.key)} = {value}")
        lines.append("}")
        args.append("-Form $form")
    elif wire.body_mode != "none":
        text = wire.body_text
        if text is not None:
            lines.append(f"$body = {_ps(text)}")
            args.append("-Body $body")
        else:
            args.append("-InFile 'body.bin'")
        if content_type:
            args.append(f"-ContentType {_ps(content_type)}")
    if wire.digest is not None:
        lines.append(f"$password = ConvertTo-SecureString {_ps(wire.digest[1])} -AsPlainText -Force")
        lines.append(f"$credential = New-Object System.Management.Automation.PSCredential({_ps(wire.digest[0])}, $password)")
        lines.append("# Invoke-RestMethod negotiates digest through the credential (Windows PowerShell / .NET)")
        args.append("-Credential $credential")
    args.append(f"-MaximumRedirection {options.max_redirects if options.follow_redirects else 0}")
    if not options.verify_tls:
        args.append("-SkipCertificateCheck")
    args.append(f"-TimeoutSec {max(1, round(_timeout_s(spec)))}")
    lines.append("$response = Invoke-RestMethod " + " `\n    ".join(args))
    lines.append("$response")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- Go


def _go_bytes(data: bytes) -> str:
    """A Go string literal holding exactly these bytes."""
    escapes = {0x22: '\\"', 0x5C: "\\\\", 0x0A: "\\n", 0x09: "\\t", 0x0D: "\\r"}
    return '"' + "".join(escapes.get(b) or (chr(b) if 0x20 <= b < 0x7F else f"\\x{b:02x}") for b in data) + '"'


def _go(spec: RequestSpec) -> str:
    wire = prepare(spec)
    options = spec.options
    imports = {"fmt", "io", "net/http", "time"}
    body_lines: list[str] = []
    body_expr = "nil"
    if wire.body_mode == "multipart":
        imports |= {"bytes", "mime/multipart"}
        body_lines += ["\tvar payload bytes.Buffer", "\tform := multipart.NewWriter(&payload)"]
        for form_field in wire.form_fields:
            if form_field.file is None:
                body_lines.append(f"\tform.WriteField({_js(form_field.key)}, {_js(form_field.value)})")
                continue
            imports.add("net/textproto")
            content = _file_bytes(form_field)
            disposition = f'form-data; name="{form_field.key}"; filename="{form_field.file.filename}"'
            body_lines += [
                "\t{",
                "\t\tpart := make(textproto.MIMEHeader)",
                f'\t\tpart.Set("Content-Disposition", {_js(disposition)})',
                f'\t\tpart.Set("Content-Type", {_js(form_field.file.content_type)})',
                "\t\tw, _ := form.CreatePart(part)",
            ]
            if content is not None:
                body_lines.append(f"\t\tw.Write([]byte({_go_bytes(content)}))")
            else:
                imports.add("os")
                body_lines.append(f"\t\tdata, _ := os.ReadFile({_js(form_field.file.filename)})")
                body_lines.append("\t\tw.Write(data)")
            body_lines.append("\t}")
        body_lines.append("\tform.Close()")
        body_expr = "&payload"
    elif wire.body_mode != "none":
        imports.add("strings")
        body_lines.append(f"\tbody := strings.NewReader({_go_bytes(wire.body)})")
        body_expr = "body"
    lines = ["package main", "", "import ("]
    lines += [f'\t"{name}"' for name in sorted(imports | ({"crypto/tls"} if not options.verify_tls else set()))]
    lines += [")", "", "func main() {"]
    lines += body_lines
    lines.append(f"\treq, err := http.NewRequest({_js(wire.method)}, {_js(wire.url)}, {body_expr})")
    lines += ["\tif err != nil {", "\t\tpanic(err)", "\t}"]
    for name, value in wire.headers:
        lines.append(f"\treq.Header.Add({_js(name)}, {_js(value)})")
    if wire.body_mode == "multipart" and wire.header("Content-Type") is None:
        lines.append('\treq.Header.Set("Content-Type", form.FormDataContentType())')
    if wire.digest is not None:
        lines.append("\t// net/http has no digest auth: answer the 401 challenge yourself")
    lines.append(f"\tclient := &http.Client{{Timeout: {options.timeout_ms} * time.Millisecond}}")
    if not options.follow_redirects:
        lines.append("\tclient.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }")
    else:
        lines += [
            "\tclient.CheckRedirect = func(_ *http.Request, via []*http.Request) error {",
            f"\t\tif len(via) > {options.max_redirects} {{",
            f'\t\t\treturn fmt.Errorf("stopped after {options.max_redirects} redirects")',
            "\t\t}",
            "\t\treturn nil",
            "\t}",
        ]
    if not options.verify_tls:
        lines.append("\tclient.Transport = &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}")
    lines += [
        "\tresp, err := client.Do(req)",
        "\tif err != nil {",
        "\t\tpanic(err)",
        "\t}",
        "\tdefer resp.Body.Close()",
        "\tdata, _ := io.ReadAll(resp.Body)",
        "\tfmt.Println(string(data))",
        "}",
    ]
    return "\n".join(lines) + "\n"


_GENERATORS: dict[str, Callable[[RequestSpec], str]] = {
    "curl": _curl,
    "python-urllib": _python_urllib,
    "python-requests": _python_requests,
    "python-httpx": _python_httpx,
    "javascript-fetch": _javascript_fetch,
    "node-axios": _node_axios,
    "httpie": _httpie,
    "wget": _wget,
    "powershell": _powershell,
    "go": _go,
    "http": _raw_http,
}

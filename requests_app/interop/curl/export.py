"""Writing a RequestSpec as a curl command the real curl sends identically."""

from __future__ import annotations

import base64

from requests_app.engine.spec import DEFAULT_MAX_REDIRECTS, DEFAULT_TIMEOUT_MS, RequestSpec
from requests_app.interop.shell import quote_posix_filling
from requests_app.interop.wire import (
    DEFAULT_CONTENT_TYPES,
    FORM_CONTENT_TYPE,
    body_bytes,
    effective_url,
    find_header,
    graphql_payload,
)

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

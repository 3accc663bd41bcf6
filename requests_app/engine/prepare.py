"""From a RequestSpec to exactly what goes on the wire: method, target, header list, body bytes.

Usage::

    from requests_app.engine.prepare import prepare_request, headers_for_hop, follow_redirect

    prepared = prepare_request(spec)            # raises validation.RequestRejected, never sends
    prepared.target.url, prepared.headers, prepared.body
    headers_for_hop(prepared, original_origin=prepared.target.origin)   # + Host, Content-Length
    follow_redirect(prepared, 303, new_target)  # POST -> GET, body and Content-Type dropped

Header names keep the case the user typed, in order, duplicates kept. The defaults
(User-Agent, Accept, Accept-Encoding, the body's Content-Type, auth) are added only when the
user did not set that header (names compared case-insensitively).
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, replace
from urllib.parse import quote, quote_plus

from requests_app.engine import sigv4
from requests_app.engine.exchange import INVALID_REQUEST
from requests_app.engine.spec import DEFAULT_USER_AGENT, Auth, Body, FormField, RequestSpec
from requests_app.engine.validation import (
    DEFAULT_MAX_REQUEST_BODY_BYTES,
    RequestRejected,
    Target,
    check_body_size,
    check_header_name,
    check_header_value,
    check_headers,
    check_method,
    check_text,
    encode_query_param,
    parse_url,
)

DEFAULT_ACCEPT = "*/*"
DEFAULT_ACCEPT_ENCODING = "gzip, deflate, br"
# Requests with these methods carry "Content-Length: 0" even without a body (servers answer 411).
METHODS_EXPECTING_BODY = frozenset({"POST", "PUT", "PATCH"})
# Never sent to an origin other than the one the user asked for.
CREDENTIAL_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie"})
# Describe the body; dropped with it when a redirect turns the request into a GET.
BODY_HEADERS = frozenset({"content-type", "content-length", "content-encoding", "transfer-encoding"})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# What an AWS signature adds; like Authorization, never sent to another origin.
AWS_CREDENTIAL_HEADERS = frozenset({"x-amz-date", "x-amz-security-token", "x-amz-content-sha256"})
# Sent unless the user set them, after the body's Content-Type and the auth headers.
_DEFAULT_HEADERS = (
    ("User-Agent", DEFAULT_USER_AGENT),
    ("Accept", DEFAULT_ACCEPT),
    ("Accept-Encoding", DEFAULT_ACCEPT_ENCODING),
)

BAD_GRAPHQL_VARIABLES = "bad_graphql_variables"
BAD_AUTH = "bad_auth"


@dataclass(frozen=True)
class PreparedRequest:
    method: str
    target: Target
    headers: list[tuple[str, str]]  # everything but Host and Content-Length, which depend on the hop
    body: bytes
    # Lower-case names never sent to another origin than the one first asked for.
    credential_headers: frozenset[str]
    digest_credentials: tuple[str, str] | None = None


def prepare_request(
    spec: RequestSpec, *, max_request_body_bytes: int = DEFAULT_MAX_REQUEST_BODY_BYTES
) -> PreparedRequest:
    """Validate and build; raises RequestRejected naming the field."""
    check_spec_text(spec)
    check_method(spec.method)
    parsed = parse_url(spec.url)
    user_headers = check_headers(spec.headers)
    auth = spec.auth
    if parsed.credentials is not None and auth.type in ("none", "inherit"):
        auth = Auth(type="basic", username=parsed.credentials[0], password=parsed.credentials[1])

    query_parts = [encode_query_param(p.key, p.value) for p in spec.params if p.enabled and (p.key or p.value)]
    auth_headers, auth_query = _auth_parts(auth)
    target = parsed.target.with_query_parts([*query_parts, *auth_query])

    body, body_type = build_body(spec.body)
    check_body_size(len(body), max_request_body_bytes)

    headers = list(user_headers)
    present = {name.lower() for name, _ in headers}
    defaults = [("Content-Type", body_type)] if body_type else []
    for name, value in [*defaults, *auth_headers, *_DEFAULT_HEADERS]:
        lowered = name.lower()
        if lowered not in present:
            headers.append((name, value))
            present.add(lowered)

    credentials = CREDENTIAL_HEADERS.union(name.lower() for name, _ in auth_headers)
    if auth.type == "awsv4":
        headers, target = _sign_awsv4(auth, spec.method, target, headers, body)
        credentials = credentials.union(AWS_CREDENTIAL_HEADERS)
    digest = (auth.username, auth.password) if auth.type == "digest" else None
    return PreparedRequest(spec.method, target, headers, body, credentials, digest)


def check_spec_text(spec: RequestSpec) -> None:
    """Every text that is sent must have a UTF-8 form: no lone surrogates, named by field."""
    check_text(spec.url, field="url")
    for part, pairs in (("params", spec.params), ("headers", spec.headers)):
        for index, pair in enumerate(pairs):
            if pair.enabled:
                check_text(pair.key, field=f"{part}[{index}].key")
                check_text(pair.value, field=f"{part}[{index}].value")
    body = spec.body
    for name in ("text", "content_type", "query", "variables"):
        check_text(getattr(body, name), field=f"body.{name}")
    for index, form_field in enumerate(body.fields):
        if form_field.enabled:
            check_text(form_field.key, field=f"body.fields[{index}].key")
            check_text(form_field.value, field=f"body.fields[{index}].value")
            if form_field.file is not None:
                check_text(form_field.file.filename, field=f"body.fields[{index}].file.name")
                check_text(form_field.file.content_type, field=f"body.fields[{index}].file.content_type")
    for name in ("username", "password", "token", "key", "value"):
        check_text(getattr(spec.auth, name), field=f"auth.{name}")


def _sign_awsv4(
    auth: Auth, method: str, target: Target, headers: list[tuple[str, str]], body: bytes
) -> tuple[list[tuple[str, str]], Target]:
    """Signs the request as built: the last step, so every byte signed is a byte sent."""
    for name, label in (("access_key", "access key"), ("secret_key", "secret key"), ("region", "region"), ("service", "service")):
        value = getattr(auth, name)
        if not value.strip():
            raise RequestRejected(INVALID_REQUEST, BAD_AUTH, f"AWS Signature v4 needs the {label}.", f"auth.{name}")
        check_header_value(value, field=f"auth.{name}", name="Authorization")
    for name in ("region", "service"):
        if "/" in getattr(auth, name) or any(c.isspace() for c in getattr(auth, name)):
            raise RequestRejected(
                INVALID_REQUEST, BAD_AUTH, f"The AWS {name} has a space or a slash: use a name like eu-west-1.", f"auth.{name}"
            )
    check_header_value(auth.session_token, field="auth.session_token", name="X-Amz-Security-Token")
    signed, request_target = sigv4.sign(
        method=method,
        target=target,
        headers=headers,
        body=body,
        access_key=auth.access_key.strip(),
        secret_key=auth.secret_key,
        region=auth.region.strip(),
        service=auth.service.strip(),
        session_token=auth.session_token.strip(),
        unsigned_payload=auth.unsigned_payload,
    )
    return signed, replace(target, request_target=request_target)


def _auth_parts(auth: Auth) -> tuple[list[tuple[str, str]], list[str]]:
    """(headers, encoded query parts) for the auth settings; digest answers a challenge later."""
    if auth.type == "digest":
        # urllib writes the username into the Authorization header it builds for the challenge.
        check_header_value(auth.username, field="auth.username", name="Authorization")
    if auth.type == "basic":
        token = base64.b64encode(f"{auth.username}:{auth.password}".encode()).decode("ascii")
        return [("Authorization", f"Basic {token}")], []
    if auth.type == "bearer":
        check_header_value(auth.token, field="auth.token", name="Authorization")
        return [("Authorization", f"Bearer {auth.token}")], []
    if auth.type == "oauth2":
        if not auth.token:  # none yet: the caller warns; nothing to send
            return [], []
        if auth.location == "query":
            return [], [encode_query_param(auth.query_param or "access_token", auth.token)]
        value = f"{auth.header_prefix.strip()} {auth.token}".strip()
        check_header_value(value, field="auth.token", name="Authorization")
        return [("Authorization", value)], []
    if auth.type == "apikey":
        if not auth.key:
            raise RequestRejected(INVALID_REQUEST, BAD_AUTH, "The API key needs a name.", "auth.key")
        if auth.location == "query":
            return [], [encode_query_param(auth.key, auth.value)]
        check_header_name(auth.key, field="auth.key")
        check_header_value(auth.value, field="auth.value", name=auth.key)
        return [(auth.key, auth.value)], []
    return [], []


def build_body(body: Body) -> tuple[bytes, str]:
    """(bytes, the Content-Type the mode implies, "" for none)."""
    mode = body.mode
    if mode in ("raw", "binary") and body.content_type:
        check_header_value(body.content_type, field="body.content_type", name="Content-Type")
    if mode == "raw":
        return body.text.encode("utf-8"), body.content_type or "text/plain"
    if mode == "json":
        return body.text.encode("utf-8"), "application/json"
    if mode == "urlencoded":
        return encode_form_fields(body.fields, body.form_encoding).encode("ascii"), "application/x-www-form-urlencoded"
    if mode == "multipart":
        import secrets  # here: only multipart bodies need it, and a run's process pays for every import

        boundary = f"----webclient{secrets.token_hex(16)}"
        return encode_multipart([f for f in body.fields if f.enabled], boundary), (
            f"multipart/form-data; boundary={boundary}"
        )
    if mode == "binary":
        return body.data, body.content_type or "application/octet-stream"
    if mode == "graphql":
        query = json.dumps(body.query, ensure_ascii=False)
        if body.variables.strip():
            try:
                variables = json.loads(body.variables)
            except (ValueError, RecursionError) as exc:
                raise RequestRejected(
                    INVALID_REQUEST,
                    BAD_GRAPHQL_VARIABLES,
                    f"The GraphQL variables are not valid JSON: {exc}.",
                    "body.variables",
                ) from None
            if variables is not None and not isinstance(variables, dict):
                raise RequestRejected(
                    INVALID_REQUEST,
                    BAD_GRAPHQL_VARIABLES,
                    "The GraphQL variables must be a JSON object, like {\"id\": 1}.",
                    "body.variables",
                )
            # As newman and Postman write it: compact, the variables exactly as typed.
            return f'{{"query":{query},"variables":{body.variables}}}'.encode(), "application/json"
        return f'{{"query":{query}}}'.encode(), "application/json"
    return b"", ""


def encode_form_fields(fields: list[FormField], encoding: str = "plus") -> str:
    """The enabled, non-empty fields urlencoded: every byte but A-Z a-z 0-9 - . _ ~ escaped,
    a space as + ("plus": browsers, curl) or as %20 ("percent": Postman, newman)."""
    escape = quote if encoding == "percent" else quote_plus
    return "&".join(
        f"{escape(f.key, safe='')}={escape(f.value, safe='')}" for f in fields if f.enabled and (f.key or f.value)
    )


def _quoted_param(text: str) -> str:
    # As browsers do (WHATWG multipart/form-data encoding): quotes and line breaks escaped.
    return text.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")


def encode_multipart(fields: list[FormField], boundary: str) -> bytes:
    """multipart/form-data, byte-exact: file contents are copied untouched."""
    delimiter = f"--{boundary}\r\n".encode("ascii")
    out = bytearray()
    for form_field in fields:
        out += delimiter
        disposition = f'Content-Disposition: form-data; name="{_quoted_param(form_field.key)}"'
        if form_field.file is not None:
            disposition += f'; filename="{_quoted_param(form_field.file.filename)}"'
            content_type = form_field.file.content_type or "application/octet-stream"
            out += f"{disposition}\r\nContent-Type: {_quoted_param(content_type)}\r\n\r\n".encode()
            out += form_field.file.content
        else:
            out += f"{disposition}\r\n\r\n".encode()
            out += form_field.value.encode("utf-8")
        out += b"\r\n"
    out += f"--{boundary}--\r\n".encode("ascii")
    return bytes(out)


def headers_for_hop(
    prepared: PreparedRequest,
    *,
    original_origin: tuple[str, str, int],
    extra: list[tuple[str, str]] | None = None,
    keep_alive: bool = False,
) -> list[tuple[str, str]]:
    """The header list for one connection: Host first, credentials only for the original origin."""
    if prepared.target.origin == original_origin:
        headers = [*prepared.headers, *(extra or ())]
    else:
        headers = [
            (name, value)
            for name, value in prepared.headers
            # A Host the user typed is meant for the host they asked for, not a redirect target.
            if name.lower() not in prepared.credential_headers and name.lower() != "host"
        ]
    names = {name.lower() for name, _ in headers}
    if "host" not in names:
        headers.insert(0, ("Host", prepared.target.authority))
    if "content-length" not in names and "transfer-encoding" not in names:
        if prepared.body or prepared.method.upper() in METHODS_EXPECTING_BODY:
            headers.append(("Content-Length", str(len(prepared.body))))
    if "connection" not in names and not keep_alive:
        # RFC 9112 section 9.6: a client that does not reuse connections MUST say so; the
        # server can then free its side at once instead of waiting for the next request.
        headers.append(("Connection", "close"))
    return headers


def follow_redirect(prepared: PreparedRequest, status: int, target: Target) -> PreparedRequest:
    """The next hop's request: 303 (and 301/302 after POST) become a GET without body."""
    method = prepared.method
    to_get = (status == 303 and method.upper() != "HEAD") or (status in (301, 302) and method.upper() == "POST")
    if not to_get:
        return replace(prepared, target=target)
    headers = [(name, value) for name, value in prepared.headers if name.lower() not in BODY_HEADERS]
    return replace(prepared, method="GET", target=target, headers=headers, body=b"")

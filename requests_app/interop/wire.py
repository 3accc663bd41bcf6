"""What a RequestSpec puts on the wire, for exporters that must say it in another language.

Usage::

    from requests_app.interop.wire import prepare
    wire = prepare(spec)
    wire.method, wire.url              # params and an API key in the query already merged
    wire.headers                       # user headers, then auth and Content-Type as the engine adds them
    wire.body                          # bytes, for every mode but multipart
    wire.form_fields                   # multipart: the enabled fields, files included

Unlike the engine's `prepare_request`, this works on templates (`{{baseUrl}}/items` is no
URL yet) and never refuses; it uses the engine's own encoders (`build_body`,
`encode_query_param`) so both agree byte for byte. Enabled entries only; params appended
to the URL's own query; the Content-Type follows from the body mode unless the user set
one; basic, bearer and API-key auth become a header (or a query pair); digest needs a
challenge first, so it stays `wire.digest`. The engine's own defaults (User-Agent,
Accept, Accept-Encoding) are left out: each tool sends its own.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from requests_app.engine.prepare import build_body, encode_form_fields
from requests_app.engine.spec import Auth, Body, FormField, KeyValue, RequestSpec
from requests_app.engine.validation import RequestRejected, encode_query_param

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"

# What the engine labels each body mode with when the user set no Content-Type.
DEFAULT_CONTENT_TYPES = {
    "raw": "text/plain",
    "json": "application/json",
    "urlencoded": FORM_CONTENT_TYPE,
    "multipart": "multipart/form-data",
    "binary": "application/octet-stream",
    "graphql": "application/json",
}


@dataclass
class WireRequest:
    method: str
    url: str
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    body_mode: str = "none"
    content_type: str = ""  # the media type the body is labelled with ("" for no body)
    form_fields: list[FormField] = field(default_factory=list)  # multipart only
    digest: tuple[str, str] | None = None  # digest credentials (answered after a 401 challenge)

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((v for k, v in self.headers if k.lower() == lowered), None)

    @property
    def body_text(self) -> str | None:
        """The body as text when it is UTF-8 without control characters other than whitespace."""
        try:
            text = self.body.decode("utf-8")
        except UnicodeDecodeError:
            return None
        if any(ord(c) < 0x20 and c not in "\t\n\r" for c in text):
            return None
        return text


def enabled(pairs: list[KeyValue]) -> list[KeyValue]:
    return [p for p in pairs if p.enabled]


def find_header(headers: list[KeyValue], name: str) -> KeyValue | None:
    lowered = name.lower()
    return next((h for h in headers if h.enabled and h.key.lower() == lowered), None)


def add_query(url: str, pairs: list[tuple[str, str]]) -> str:
    """Append query pairs the engine's way: encoded as typed where valid, empty pairs skipped."""
    parts = [encode_query_param(k, v) for k, v in pairs if k or v]
    if not parts:
        return url
    base, hash_mark, fragment = url.partition("#")
    separator = "" if base.endswith(("?", "&")) else ("&" if "?" in base else "?")
    return base + separator + "&".join(parts) + (hash_mark + fragment if hash_mark else "")


def effective_url(spec: RequestSpec) -> str:
    pairs = [(p.key, p.value) for p in enabled(spec.params)]
    if spec.auth.type == "apikey" and spec.auth.location == "query" and spec.auth.key:
        pairs.append((spec.auth.key, spec.auth.value))
    return add_query(spec.url, pairs)


def encode_form(fields: list[FormField], encoding: str = "plus") -> str:
    """A form body exactly as the engine encodes it (empty fields skipped)."""
    return encode_form_fields(fields, encoding)


def form_body_if_lossless(text: str) -> Body | None:
    """The form body's fields, only when encoding them again (with + or with %20 for a space,
    whichever the text used) gives the very same bytes."""
    if not text:
        return None
    try:
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=True, errors="strict")
    except (ValueError, UnicodeDecodeError):
        return None
    fields = [FormField(k, v) for k, v in pairs]
    for encoding in ("plus", "percent"):
        if encode_form(fields, encoding) == text:
            return Body(mode="urlencoded", fields=fields, form_encoding=encoding)
    return None


def body_for_media_type(text: str, content_type: str, *, labelled_by_header: bool) -> Body:
    """A text body in the mode its media type implies: JSON → json; a form that encodes back
    to the very same bytes → urlencoded fields; anything else raw, labelled with the content
    type unless a header already labels it."""
    media_type = content_type.split(";")[0].strip().lower()
    if media_type == "application/json" or media_type.endswith("+json"):
        graphql = graphql_body_if_lossless(text) if media_type == "application/json" else None
        return graphql or Body(mode="json", text=text)
    if media_type == FORM_CONTENT_TYPE:
        form = form_body_if_lossless(text)
        if form is not None:
            return form
    return Body(mode="raw", text=text, content_type="" if labelled_by_header else content_type)


def graphql_payload(body: Body) -> str:
    """The JSON document a GraphQL body is sent as (compact, the variables as typed, as newman
    writes it); variables that are not yet JSON (a `{{template}}`, which the engine refuses
    until resolved) are written in place the same way, so templates still export."""
    try:
        return build_body(body)[0].decode("utf-8")
    except RequestRejected:
        return f'{{"query":{json.dumps(body.query, ensure_ascii=False)},"variables":{body.variables}}}'


_GRAPHQL_DOCUMENT = re.compile(r'\{"query":("(?:[^"\\]|\\.)*")(?:,"variables":(.*))?\}', re.DOTALL)


def graphql_body_if_lossless(text: str) -> Body | None:
    """A GraphQL body when `text` is the very document one would send (as exports write it)."""
    match = _GRAPHQL_DOCUMENT.fullmatch(text)
    if match is None:
        return None
    try:
        query = json.loads(match.group(1))
    except ValueError:
        return None
    body = Body(mode="graphql", query=query, variables=match.group(2) or "")
    return body if graphql_payload(body) == text else None


def body_bytes(body: Body) -> bytes:
    """The bytes of every body mode but multipart (whose boundary is chosen when sending)."""
    if body.mode == "graphql":
        return graphql_payload(body).encode("utf-8")
    if body.mode in ("none", "multipart"):
        return b""
    return build_body(body)[0]


def declared_content_type(spec: RequestSpec) -> str:
    """The Content-Type the user set (header first, then the body's label), or ""."""
    header = find_header(spec.headers, "Content-Type")
    if header is not None:
        return header.value
    if spec.body.mode in ("raw", "binary"):
        return spec.body.content_type
    return ""


def body_content_type(spec: RequestSpec) -> str:
    if spec.body.mode == "none":
        return declared_content_type(spec)
    return declared_content_type(spec) or DEFAULT_CONTENT_TYPES.get(spec.body.mode, "")


def auth_header(auth: Auth) -> tuple[str, str] | None:
    if auth.type == "basic":
        token = base64.b64encode(f"{auth.username}:{auth.password}".encode()).decode("ascii")
        return ("Authorization", f"Basic {token}")
    if auth.type == "bearer":
        return ("Authorization", f"Bearer {auth.token}")
    if auth.type == "apikey" and auth.location == "header" and auth.key:
        return (auth.key, auth.value)
    return None


def prepare(spec: RequestSpec) -> WireRequest:
    wire = WireRequest(method=spec.method.upper() or "GET", url=effective_url(spec), body_mode=spec.body.mode)
    wire.headers = [(h.key, h.value) for h in enabled(spec.headers)]
    if spec.body.mode != "none":
        wire.content_type = body_content_type(spec)
        if find_header(spec.headers, "Content-Type") is None and spec.body.mode != "multipart":
            wire.headers.append(("Content-Type", wire.content_type))
        if spec.body.mode == "multipart":
            wire.form_fields = [f for f in spec.body.fields if f.enabled]
        else:
            wire.body = body_bytes(spec.body)
    extra = auth_header(spec.auth)
    if extra is not None and find_header(spec.headers, extra[0]) is None:
        wire.headers.append(extra)
    if spec.auth.type == "digest":
        wire.digest = (spec.auth.username, spec.auth.password)
    return wire

"""Hypothesis strategies for requests, and the comparison the round-trip tests use.

`wire_signature(spec)` is what a request means on the wire (method, URL with params,
headers as a multiset, body bytes or multipart fields, the options a format can carry),
so formats that say the same request differently (auth as a header, a JSON body as raw
text) still compare equal.
"""

from __future__ import annotations

import string
from typing import Any

from hypothesis import strategies as st

from requests_app.engine.spec import Auth, Body, FilePart, FormField, KeyValue, Options, RequestSpec
from requests_app.interop.wire import prepare

TOKEN_CHARS = string.ascii_letters + string.digits + "!#$%&'*+-.^_`|~"
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD", "PROPFIND", "PURGE"]

# Printable text without NUL (argv cannot carry it) or surrogates (not UTF-8).
any_text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40)
line_text = st.text(
    st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), max_size=30
).map(str.strip)
word = st.text(string.ascii_letters + string.digits + "-_", min_size=1, max_size=12)
token = st.text(TOKEN_CHARS, min_size=1, max_size=16)
# Header names the generator never uses because a body or auth would also set them.
_RESERVED = {"content-type", "authorization", "cookie", "content-length", "host", "x-api-key"}
header_name = token.filter(lambda n: n.lower() not in _RESERVED)
query_value = st.text(string.ascii_letters + string.digits + "-._~", max_size=10)


@st.composite
def urls(draw: Any) -> str:
    path = "/".join(draw(st.lists(word, max_size=3)))
    url = f"http://127.0.0.1:8000/{path}"
    pairs = draw(st.lists(st.tuples(word, query_value), max_size=3))
    if pairs:
        url += "?" + "&".join(f"{k}={v}" for k, v in pairs)
    return url


@st.composite
def bodies(draw: Any, modes: tuple[str, ...] = ("none", "raw", "json", "urlencoded", "multipart", "binary", "graphql")) -> Body:
    mode = draw(st.sampled_from(modes))
    if mode == "raw":
        content_type = draw(st.sampled_from(["text/plain", "application/xml", "text/html", "application/javascript"]))
        return Body(mode="raw", text=draw(any_text), content_type=content_type)
    if mode == "json":
        return Body(mode="json", text=draw(any_text))
    if mode == "urlencoded":
        # formats read an empty form as no body, so generated forms have a field
        fields = draw(st.lists(st.builds(FormField, key=any_text, value=any_text), min_size=1, max_size=4))
        return Body(mode="urlencoded", fields=fields)
    if mode == "multipart":
        fields = draw(st.lists(_multipart_fields(), min_size=1, max_size=4))
        return Body(mode="multipart", fields=fields)
    if mode == "binary":
        return Body(mode="binary", data=draw(any_text).encode(), content_type="application/octet-stream")
    if mode == "graphql":
        return Body(mode="graphql", query=draw(line_text), variables=draw(st.sampled_from(["", '{"id": 1}'])))
    return Body()


@st.composite
def _multipart_fields(draw: Any) -> FormField:
    key = draw(word)
    if draw(st.booleans()):
        filename = draw(word) + draw(st.sampled_from([".png", ".txt", ".bin"]))
        content_type = draw(st.sampled_from(["image/png", "text/plain", "application/octet-stream"]))
        return FormField(key=key, file=FilePart(filename=filename, content=b"", content_type=content_type))
    return FormField(key=key, value=draw(line_text))


@st.composite
def auths(draw: Any, types: tuple[str, ...] = ("none", "basic", "bearer", "apikey", "digest")) -> Auth:
    kind = draw(st.sampled_from(types))
    if kind in ("basic", "digest"):
        return Auth(type=kind, username=draw(word), password=draw(line_text.filter(lambda s: " " not in s)))
    if kind == "bearer":
        return Auth(type="bearer", token=draw(word))
    if kind == "apikey":
        return Auth(
            type="apikey", key="X-Api-Key", value=draw(word), location=draw(st.sampled_from(["header", "query"]))
        )
    return Auth()


@st.composite
def request_specs(draw: Any, body_modes: tuple[str, ...] | None = None, with_params: bool = True) -> RequestSpec:
    body = draw(bodies(body_modes) if body_modes else bodies())
    method = draw(st.sampled_from([m for m in METHODS if not (m == "HEAD" and body.mode != "none")]))
    headers = draw(st.lists(st.builds(KeyValue, key=header_name, value=line_text), max_size=4))
    params = draw(st.lists(st.builds(KeyValue, key=word, value=query_value), max_size=3)) if with_params else []
    options = Options(
        follow_redirects=draw(st.booleans()),
        max_redirects=draw(st.integers(0, 50)),
        timeout_ms=draw(st.sampled_from([30_000, 1_000, 2_500, 120_000])),
        verify_tls=draw(st.booleans()),
    )
    return RequestSpec(
        method=method, url=draw(urls()), params=params, headers=headers, body=body, auth=draw(auths()), options=options
    )


def wire_signature(spec: RequestSpec) -> dict[str, Any]:
    wire = prepare(spec)
    return {
        "method": wire.method,
        "url": wire.url,
        "headers": sorted((k.lower(), v) for k, v in wire.headers),
        "content_type": wire.content_type.lower(),
        "body": wire.body,
        "form": [
            (f.key, f.value, None if f.file is None else (f.file.filename, f.file.content_type))
            for f in wire.form_fields
        ],
        "digest": wire.digest,
        "follow_redirects": spec.options.follow_redirects,
        "max_redirects": spec.options.max_redirects if spec.options.follow_redirects else None,
        "verify_tls": spec.options.verify_tls,
        "timeout_ms": spec.options.timeout_ms,
    }

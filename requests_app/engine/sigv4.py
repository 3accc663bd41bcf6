"""AWS Signature Version 4 over the exact bytes a request sends: plain Python, no Django.

Usage::

    from requests_app.engine.sigv4 import sign
    headers, request_target = sign(
        method="GET", target=target, headers=[("Accept", "*/*")], body=b"",
        access_key="AKID", secret_key="...", region="eu-west-1", service="execute-api",
    )

`sign` is called by `prepare_request` after variables are resolved and the body is built, so
what is signed is what goes on the wire. It returns the header list with X-Amz-Date,
X-Amz-Security-Token (with a session token), X-Amz-Content-SHA256 (S3, or an unsigned
payload) and Authorization added, and the request target with its query re-encoded the way
AWS canonicalises it (RFC 3986 unreserved characters only), so the server's canonical query
is the one we signed.

Signed headers: every header of the request except the hop-by-hop and tracing ones AWS
SDKs leave out (botocore's list), plus Host. Content-Length and Connection are added per hop
after signing and are not signed. Paths are normalised and encoded twice for every service
but S3, as AWS requires.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime
from urllib.parse import quote, quote_from_bytes, unquote_to_bytes

from requests_app.engine.validation import Target

ALGORITHM = "AWS4-HMAC-SHA256"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
# Headers no AWS SDK signs: hop-by-hop, changed by proxies, or tracing (botocore's list).
UNSIGNED_HEADERS = frozenset(
    {
        "authorization",
        "baggage",
        "connection",
        "content-length",
        "expect",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "traceparent",
        "tracestate",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "user-agent",
        "x-amzn-trace-id",
    }
)
# Replaced by the signer when the person typed them too.
_SIGNER_HEADERS = frozenset({"authorization", "x-amz-date", "x-amz-security-token", "x-amz-content-sha256"})


def utc_now() -> datetime:
    """The signing time; a function so tests can fix it."""
    return datetime.now(UTC)


def _hmac(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).digest()


def _encode(raw: str) -> str:
    """Percent-decode to bytes, then encode everything but RFC 3986 unreserved characters."""
    return quote_from_bytes(unquote_to_bytes(raw), safe="-_.~")


def canonical_query(query: str) -> tuple[str, str]:
    """(the query to send, re-encoded in order; the canonical query, sorted)."""
    if not query:
        return "", ""
    sent: list[str] = []
    pairs: list[tuple[str, str]] = []
    for part in query.split("&"):
        key, has_value, value = part.partition("=")
        key, value = _encode(key), _encode(value)
        sent.append(f"{key}={value}" if has_value else key)
        pairs.append((key, value))
    return "&".join(sent), "&".join(f"{k}={v}" for k, v in sorted(pairs))


def _remove_dot_segments(path: str) -> str:
    # RFC 3986 section 5.2.4, and empty segments dropped (AWS merges consecutive slashes).
    output: list[str] = []
    for segment in path.split("/"):
        if segment in ("", "."):
            continue
        if segment == "..":
            if output:
                output.pop()
        else:
            output.append(segment)
    first = "/" if path.startswith("/") else ""
    last = "/" if path.endswith("/") and output else ""
    return first + "/".join(output) + last


def canonical_path(path: str, service: str) -> str:
    if service == "s3":
        return path or "/"
    return quote(_remove_dot_segments(path or "/") or "/", safe="/~")


def _trim(value: str) -> str:
    return " ".join(value.split())


def sign(
    *,
    method: str,
    target: Target,
    headers: list[tuple[str, str]],
    body: bytes,
    access_key: str,
    secret_key: str,
    region: str,
    service: str,
    session_token: str = "",
    unsigned_payload: bool = False,
    now: datetime | None = None,
) -> tuple[list[tuple[str, str]], str]:
    """(the headers with the signature added, the request target as it must be sent)."""
    moment = (now or utc_now()).astimezone(UTC)
    stamp = moment.strftime("%Y%m%dT%H%M%SZ")
    day = stamp[:8]
    path, mark, query = target.request_target.partition("?")
    sent_query, canonical_q = canonical_query(query)
    request_target = f"{path}?{sent_query}" if mark and sent_query else path

    out = [(name, value) for name, value in headers if name.lower() not in _SIGNER_HEADERS]
    out.append(("X-Amz-Date", stamp))
    if session_token:
        out.append(("X-Amz-Security-Token", session_token))
    payload_hash = UNSIGNED_PAYLOAD if unsigned_payload else hashlib.sha256(body).hexdigest()
    if unsigned_payload or service == "s3":
        out.append(("X-Amz-Content-SHA256", payload_hash))

    signed: dict[str, list[str]] = {}
    for name, value in out:
        lowered = name.lower()
        if lowered not in UNSIGNED_HEADERS:
            signed.setdefault(lowered, []).append(_trim(value))
    signed.setdefault("host", [target.authority.lower()])
    names = sorted(signed)
    canonical_headers = "".join(f"{name}:{','.join(signed[name])}\n" for name in names)
    signed_headers = ";".join(names)
    canonical_request = "\n".join(
        [method.upper(), canonical_path(path, service), canonical_q, canonical_headers, signed_headers, payload_hash]
    )
    scope = f"{day}/{region}/{service}/aws4_request"
    string_to_sign = "\n".join(
        [ALGORITHM, stamp, scope, hashlib.sha256(canonical_request.encode("utf-8")).hexdigest()]
    )
    key = _hmac(f"AWS4{secret_key}".encode(), day)
    for part in (region, service, "aws4_request"):
        key = _hmac(key, part)
    signature = hmac.new(key, string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
    out.append(
        (
            "Authorization",
            f"{ALGORITHM} Credential={access_key}/{scope}, SignedHeaders={signed_headers}, Signature={signature}",
        )
    )
    return out, request_target

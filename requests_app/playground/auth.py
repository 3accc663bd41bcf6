"""Routes behind HTTP authentication: Basic, Bearer and Digest (MD5, SHA-256; qop auth, auth-int)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote
from urllib.request import parse_http_list, parse_keqv_list

from requests_app.playground.core import (
    DIGEST_NONCE_LIFETIME_SECONDS,
    DIGEST_REALM,
    PlaygroundRequest,
    PlaygroundResponse,
    RouteInputError,
    json_response,
)

# Signs digest nonces when the server passes no secret; one process then accepts its own nonces.
_PROCESS_SECRET = secrets.token_bytes(32)


def _unauthorized(challenge: str, message: str) -> PlaygroundResponse:
    return json_response(
        {"authenticated": False, "error": message}, 401, [("WWW-Authenticate", challenge)]
    )


def basic_auth(request: PlaygroundRequest, user: str, password: str) -> PlaygroundResponse:
    challenge = f'Basic realm="{DIGEST_REALM}"'
    scheme, _, credentials = (request.header("Authorization") or "").partition(" ")
    if scheme.lower() != "basic":
        return _unauthorized(challenge, "send Authorization: Basic <base64 user:password>")
    try:
        decoded = base64.b64decode(credentials.strip(), validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return _unauthorized(challenge, "the Basic credentials are not base64 of UTF-8 text")
    given_user, _, given_password = decoded.partition(":")
    if hmac.compare_digest(given_user.encode(), user.encode()) & hmac.compare_digest(
        given_password.encode(), password.encode()
    ):
        return json_response({"authenticated": True, "user": user})
    return _unauthorized(challenge, "wrong user or password")


def bearer(request: PlaygroundRequest) -> PlaygroundResponse:
    scheme, _, token = (request.header("Authorization") or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return _unauthorized("Bearer", "send Authorization: Bearer <token>")
    return json_response({"authenticated": True, "token": token.strip()})


DIGEST_ALGORITHMS: dict[str, Callable[[bytes], Any]] = {
    "MD5": hashlib.md5,
    "SHA-256": hashlib.sha256,
}


def _digest_nonce(secret: bytes, issued: int) -> str:
    stamp = f"{issued:x}"
    return stamp + hmac.new(secret, stamp.encode(), hashlib.sha256).hexdigest()[:32]


def _digest_nonce_age(secret: bytes, nonce: str) -> float | None:
    """Seconds since a nonce we signed was issued, or None if we never issued it."""
    stamp = nonce[:-32]
    try:
        issued = int(stamp, 16)
    except ValueError:
        return None
    if not hmac.compare_digest(_digest_nonce(secret, issued), nonce):
        return None
    return time.time() - issued


def digest_auth(
    request: PlaygroundRequest, user: str, password: str, qop: str = "auth", algorithm: str = "MD5"
) -> PlaygroundResponse:
    """RFC 7616 digest: 401 with a challenge, 200 when the response hash is right.

    Nonces are HMAC-signed timestamps: stateless, so nonce-count replay is not tracked.
    """
    if qop not in ("auth", "auth-int"):
        raise RouteInputError(f"qop must be auth or auth-int, got {qop!r}")
    algorithm = algorithm.upper()
    if algorithm not in DIGEST_ALGORITHMS:
        raise RouteInputError(f"algorithm must be one of {', '.join(DIGEST_ALGORITHMS)}")
    hash_function = DIGEST_ALGORITHMS[algorithm]
    secret = request.secret or _PROCESS_SECRET
    opaque = hmac.new(secret, b"opaque", hashlib.sha256).hexdigest()[:32]

    def challenge(stale: bool = False) -> str:
        nonce = _digest_nonce(secret, int(time.time()))
        return (
            f'Digest realm="{DIGEST_REALM}", qop="{qop}", nonce="{nonce}", '
            f'opaque="{opaque}", algorithm={algorithm}, stale={"TRUE" if stale else "FALSE"}'
        )

    scheme, _, rest = (request.header("Authorization") or "").partition(" ")
    if scheme.lower() != "digest":
        return _unauthorized(challenge(), "send Authorization: Digest … (answer the challenge)")
    try:
        params = parse_keqv_list(parse_http_list(rest))
    except ValueError:
        return _unauthorized(challenge(), "the Digest parameters could not be read")
    required = ("username", "realm", "nonce", "uri", "response", "qop", "nc", "cnonce")
    missing = [name for name in required if not params.get(name)]
    if missing:
        return _unauthorized(challenge(), f"the Digest answer lacks {', '.join(missing)}")
    age = _digest_nonce_age(secret, params["nonce"])
    if age is None:
        return _unauthorized(challenge(), "that nonce was not issued here")
    if age > DIGEST_NONCE_LIFETIME_SECONDS:
        return _unauthorized(challenge(stale=True), "the nonce expired; answer the new challenge")
    if params["qop"] != qop or params["realm"] != DIGEST_REALM:
        return _unauthorized(challenge(), "qop or realm differ from the challenge")
    if params.get("opaque", opaque) != opaque:
        return _unauthorized(challenge(), "opaque differs from the challenge")
    if unquote(params["uri"]) != unquote(request.request_target):
        return _unauthorized(challenge(), "the digest uri is not the URL requested")

    def hashed(text: str) -> str:
        return str(hash_function(text.encode("utf-8")).hexdigest())

    ha1 = hashed(f"{user}:{DIGEST_REALM}:{password}")
    ha2_input = f"{request.method}:{params['uri']}"
    if qop == "auth-int":
        ha2_input += ":" + str(hash_function(request.body).hexdigest())
    expected = hashed(
        f"{ha1}:{params['nonce']}:{params['nc']}:{params['cnonce']}:{qop}:{hashed(ha2_input)}"
    )
    user_ok = hmac.compare_digest(params["username"].encode(), user.encode())
    if user_ok & hmac.compare_digest(params["response"].encode(), expected.encode()):
        return json_response({"authenticated": True, "user": user})
    return _unauthorized(challenge(), "wrong user or password")

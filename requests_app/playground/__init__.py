"""An httpbin-like playground: routes as plain functions, served by two servers.

The same routes answer in the Django app under ``/echo/`` (requests_app/views/echo.py)
and from the standard library's http.server on 127.0.0.1 (requests_app/playground_server.py),
which the tests, demos and benchmarks use. No Django import here.

Usage::

    from requests_app.playground import PlaygroundRequest, handle
    response = handle(PlaygroundRequest(method="GET", path="/status/418"))
    response.status, response.headers, response.body   # 418, [("Content-Type", ...)], b'{...}'

    # a server adapter fills the request from what it received:
    handle(PlaygroundRequest(method="POST", path="/anything", query=[("a", "1")],
                             headers=[("Content-Type", "application/json")], body=b'{"x": 1}',
                             remote_addr="127.0.0.1", mount="/echo", host="127.0.0.1:8000"))

    python -m requests_app.playground [--port 8765] [--tls]   # the stdlib server, foreground

``path`` is relative to ``mount``; every Location and cookie Path a route produces is put
back under ``mount``, so redirects served at /echo/ stay under /echo/.

Slow routes (``/drip``, ``/stream/<n>``) return an iterator of byte chunks as the body;
servers stream it (with the route's Content-Length, else chunked).

The modules: core.py (request and response types, limits, helpers), echo.py (the request echoed,
status, redirects, cookies), bodies.py (encodings, sizes, slow bodies, documents, etags, response
headers), auth.py (Basic, Bearer, Digest), routing.py (the route table and `handle`).
"""
from requests_app.playground.auth import digest_auth
from requests_app.playground.bodies import gzip_bomb, png_image
from requests_app.playground.core import (
    DIGEST_NONCE_LIFETIME_SECONDS,
    DIGEST_REALM,
    MAX_BYTES,
    MAX_DELAY_SECONDS,
    Headers,
    PlaygroundRequest,
    PlaygroundResponse,
    RouteInputError,
    echo_data,
    error_response,
    header_values,
    json_response,
    parse_query,
    parse_request_target,
)
from requests_app.playground.echo import OFFSITE_REDIRECT_REFUSED
from requests_app.playground.routing import ROUTES, Route, handle

__all__ = [
    "DIGEST_NONCE_LIFETIME_SECONDS", "DIGEST_REALM", "MAX_BYTES", "MAX_DELAY_SECONDS", "OFFSITE_REDIRECT_REFUSED",
    "ROUTES", "Headers", "PlaygroundRequest", "PlaygroundResponse", "Route", "RouteInputError", "digest_auth",
    "echo_data", "error_response", "gzip_bomb", "handle", "header_values", "json_response", "parse_query",
    "parse_request_target", "png_image",
]

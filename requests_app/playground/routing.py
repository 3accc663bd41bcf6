"""The route table and `handle`, which answers a request with the matching route."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from requests_app.playground.auth import (
    basic_auth,
    bearer,
    digest_auth,
)
from requests_app.playground.bodies import (
    brotli_route,
    deflate_route,
    delay,
    deny,
    drip,
    encoding_utf8,
    etag,
    gzip_bomb_route,
    gzip_route,
    html,
    image_png,
    json_document,
    random_bytes,
    response_headers,
    robots_txt,
    stream_lines,
    xml,
)
from requests_app.playground.core import (
    MAX_BYTES,
    MAX_DELAY_SECONDS,
    PlaygroundRequest,
    PlaygroundResponse,
    RouteInputError,
    error_response,
    json_response,
)
from requests_app.playground.echo import (
    absolute_redirect,
    anything,
    cookies,
    cookies_delete,
    cookies_set,
    headers,
    ip,
    method_echo,
    redirect,
    redirect_to,
    relative_redirect,
    status,
    user_agent,
)


@dataclass(frozen=True)
class Route:
    pattern: str  # "/status/<codes>"; "<rest:path>" matches across slashes
    view: Callable[..., PlaygroundResponse]
    summary: str

    @property
    def regex(self) -> re.Pattern[str]:
        return _compile(self.pattern)


@cache
def _compile(pattern: str) -> re.Pattern[str]:
    parts = re.split(r"<(\w+)(?::path)?>", pattern)
    regex = ""
    for position, part in enumerate(parts):
        if position % 2 == 0:
            regex += re.escape(part)
        else:
            is_path = f"<{part}:path>" in pattern
            regex += f"(?P<{part}>.*)" if is_path else f"(?P<{part}>[^/]+)"
    return re.compile(f"^{regex}$")


def index(request: PlaygroundRequest) -> PlaygroundResponse:
    return json_response(
        {
            "playground": "httpbin-like routes; paths below are relative to this URL",
            "routes": [{"path": route.pattern, "summary": route.summary} for route in ROUTES],
        }
    )


ROUTES: list[Route] = [
    Route("/", index, "this list"),
    Route("/anything", anything, "echo of the request as JSON, any method"),
    Route("/anything/<rest:path>", anything, "same, under any sub-path"),
    Route("/get", method_echo, "echo, GET only"),
    Route("/post", method_echo, "echo, POST only"),
    Route("/put", method_echo, "echo, PUT only"),
    Route("/patch", method_echo, "echo, PATCH only"),
    Route("/delete", method_echo, "echo, DELETE only"),
    Route("/headers", headers, "the request headers, in order"),
    Route("/ip", ip, "the client address"),
    Route("/user-agent", user_agent, "the User-Agent header"),
    Route("/status/<codes>", status, "answers with that status (100-599; first of a list)"),
    Route("/redirect/<count>", redirect, "count 302 hops ending at /get (?absolute=true)"),
    Route("/relative-redirect/<count>", relative_redirect, "count hops with relative Locations"),
    Route("/absolute-redirect/<count>", absolute_redirect, "count hops with absolute Locations"),
    Route("/redirect-to", redirect_to, "?url=…&status_code=3xx"),
    Route("/cookies", cookies, "the cookies received"),
    Route("/cookies/set", cookies_set, "?name=value… sets cookies, then 302 to /cookies"),
    Route("/cookies/set/<name>/<value>", cookies_set, "sets one cookie, then 302 to /cookies"),
    Route("/cookies/delete", cookies_delete, "?name… expires cookies, then 302 to /cookies"),
    Route("/gzip", gzip_route, "gzip-encoded JSON"),
    Route("/deflate", deflate_route, "deflate-encoded JSON"),
    Route("/brotli", brotli_route, "brotli-encoded JSON"),
    Route("/bytes/<count>", random_bytes, f"count random bytes, seeded (?seed=), max {MAX_BYTES}"),
    Route("/delay/<seconds>", delay, f"echo after a delay (max {MAX_DELAY_SECONDS:g} s)"),
    Route("/drip", drip, "?numbytes=&duration=&delay=&code= a slow body"),
    Route("/stream/<count>", stream_lines, "count JSON lines, chunked"),
    Route("/image/png", image_png, "a small PNG"),
    Route("/basic-auth/<user>/<password>", basic_auth, "HTTP Basic auth"),
    Route("/bearer", bearer, "Bearer token auth"),
    Route("/digest-auth/<user>/<password>", digest_auth, "HTTP Digest auth, qop=auth, MD5"),
    Route("/digest-auth/<qop>/<user>/<password>", digest_auth, "Digest with qop auth|auth-int"),
    Route(
        "/digest-auth/<qop>/<user>/<password>/<algorithm>",
        digest_auth,
        "Digest with algorithm MD5|SHA-256",
    ),
    Route("/etag/<tag>", etag, "304 on matching If-None-Match, 412 on failing If-Match"),
    Route("/html", html, "an HTML page"),
    Route("/xml", xml, "an XML document"),
    Route("/json", json_document, "a JSON document"),
    Route("/robots.txt", robots_txt, "robots rules"),
    Route("/deny", deny, "the page robots.txt disallows"),
    Route("/encoding/utf8", encoding_utf8, "a UTF-8 page in many scripts"),
    Route("/response-headers", response_headers, "?Name=value… sets response headers"),
    Route("/gzip-bomb", gzip_bomb_route, "?size= small gzip inflating to size zeros (1 GiB)"),
]


def handle(request: PlaygroundRequest) -> PlaygroundResponse:
    """Answer `request` with the matching route; unknown paths get a 404 JSON body."""
    path = request.path or "/"
    for route in ROUTES:
        match = route.regex.match(path)
        if match:
            try:
                return route.view(request, **match.groupdict())
            except RouteInputError as error:
                return error_response(400, str(error))
    return error_response(404, f"no playground route for {path}; see {request.mount}/")

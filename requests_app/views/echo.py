"""The playground (requests_app/playground/) mounted in the app at /echo/.

The view only translates: Django request → PlaygroundRequest, PlaygroundResponse → HttpResponse.
What it adds is containment, because these bodies and headers are chosen by whoever wrote the
URL and are served from the app's own origin:
- every response is sandboxed (CSP `sandbox`) and never sniffed;
- headers that could reach beyond /echo/ (CORS, HSTS, Clear-Site-Data, Refresh, framing) are dropped;
- cookies it sets are confined to the /echo/ path on this host, so /echo/cookies/set cannot
  overwrite the session or CSRF cookie; the app's own cookies are not echoed back either,
  so /echo/anything cannot hand an HttpOnly session cookie to a script;
- /echo/redirect-to only redirects to this host (no open redirect on the app's origin).
"""

from __future__ import annotations

from http.cookies import SimpleCookie

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.utils.crypto import salted_hmac
from django.views.decorators.csrf import csrf_exempt

from requests_app.client_ip import client_ip
from requests_app.playground import (
    PlaygroundRequest,
    PlaygroundResponse,
    error_response,
    handle,
    parse_query,
)
from requests_app.services.rate_window import count_this_minute

ECHO_CONTENT_SECURITY_POLICY = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
# Hop-by-hop headers are the WSGI server's (wsgiref refuses them); the rest could act beyond /echo/.
DROPPED_RESPONSE_HEADERS = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "trailers",
        "transfer-encoding",
        "upgrade",
        "content-security-policy",
        "content-security-policy-report-only",
        "x-content-type-options",
        "x-frame-options",
        "strict-transport-security",
        "clear-site-data",
        "refresh",
        "set-cookie",
    }
)


def _app_cookie_names() -> frozenset[str]:
    return frozenset(
        {
            settings.SESSION_COOKIE_NAME,
            settings.CSRF_COOKIE_NAME,
            settings.LANGUAGE_COOKIE_NAME,
            "messages",
        }
    )


def _without_app_cookies(cookie_header: str) -> str:
    app_cookies = _app_cookie_names()
    kept = [
        item.strip()
        for item in cookie_header.split(";")
        if item.strip() and item.split("=", 1)[0].strip() not in app_cookies
    ]
    return "; ".join(kept)


def _request_headers(request: HttpRequest) -> list[tuple[str, str]]:
    """The headers that arrived, as far as WSGI keeps them (not their case or raw order).

    WSGI servers mark a missing Content-Length with an empty CONTENT_LENGTH (wsgiref's base
    environ): that is no header anyone sent. gunicorn, which serves webclient, sets
    CONTENT_TYPE only when it was sent; Django's development server (wsgiref) invents
    `text/plain`, one reason it is not used to serve webclient.
    """
    headers = []
    for name, value in request.headers.items():
        if name.lower() == "content-length" and value == "":
            continue
        if name.lower() == "cookie":
            value = _without_app_cookies(value)
            if not value:
                continue
        headers.append((name, value))
    return headers


def to_playground_request(request: HttpRequest, rest: str, body: bytes) -> PlaygroundRequest:
    mount = request.path[: len(request.path) - len(rest)].rstrip("/")
    return PlaygroundRequest(
        method=request.method or "GET",
        path="/" + rest,
        query=parse_query(request.META.get("QUERY_STRING", "")),
        headers=_request_headers(request),
        body=body,
        remote_addr=request.META.get("REMOTE_ADDR", ""),
        mount=mount,
        scheme=request.scheme or "http",
        host=request.get_host(),
        target=request.get_full_path(),
        allows_offsite_redirects=False,
        secret=salted_hmac("requests_app.playground.digest", "nonce").digest(),
    )


def _confined_cookies(set_cookie_values: list[str], mount: str) -> SimpleCookie:
    confined: SimpleCookie = SimpleCookie()
    app_cookies = _app_cookie_names()
    for value in set_cookie_values:
        parsed: SimpleCookie = SimpleCookie()
        parsed.load(value)
        for morsel in parsed.values():
            if morsel.key in app_cookies:
                continue  # even confined to /echo/, a second "sessionid" only confuses
            if not morsel["path"].startswith(mount + "/"):
                morsel["path"] = mount + "/"
            morsel["domain"] = ""  # host-only: never the parent domain
            confined[morsel.key] = morsel
    return confined


def to_django_response(result: PlaygroundResponse, mount: str, is_head: bool) -> HttpResponseBase:
    response: HttpResponseBase
    body = result.body
    if isinstance(body, bytes):
        response = HttpResponse(b"" if is_head else body, status=result.status, reason=result.reason)
    elif is_head:
        close = getattr(body, "close", None)
        if close:
            close()
        response = HttpResponse(b"", status=result.status, reason=result.reason)
    else:
        response = StreamingHttpResponse(body, status=result.status, reason=result.reason)
    merged: dict[str, tuple[str, list[str]]] = {}
    for name, value in result.headers:
        merged.setdefault(name.lower(), (name, []))[1].append(value)
    if "content-type" not in merged:
        del response["Content-Type"]
    for lowered, (name, values) in merged.items():
        if lowered in DROPPED_RESPONSE_HEADERS or lowered.startswith("access-control-"):
            continue
        # Django keeps one value per name; a comma-joined list means the same (RFC 9110 5.3).
        response[name] = ", ".join(values)
    response.cookies.update(_confined_cookies(merged.get("set-cookie", ("", []))[1], mount))
    response["Content-Security-Policy"] = ECHO_CONTENT_SECURITY_POLICY
    response["X-Content-Type-Options"] = "nosniff"
    return response


# Routes that hold a thread, send many bytes or inflate: limited per person (or address) per minute.
HEAVY_ROUTES = ("delay/", "drip", "gzip-bomb", "bytes/", "stream/", "stream-bytes/", "range/", "gzip", "deflate",
                "brotli", "base64/")
PLAYGROUND_SIGN_IN = "The playground needs a signed-in user on this server."


def _heavy_limited(request: HttpRequest, rest: str) -> int | None:
    """Seconds to wait when this client used up its heavy-route budget for the minute, else None.

    A fixed one-minute window (services/rate_window.py).
    """
    limit = settings.WEBCLIENT_PLAYGROUND_HEAVY_PER_MINUTE
    if not limit or not rest.startswith(HEAVY_ROUTES):
        return None
    who = f"u{request.user.pk}" if request.user.is_authenticated else f"a{client_ip(request)}"
    used, retry_after = count_this_minute(f"echo-heavy:{who}")
    return None if used <= limit else retry_after


@login_not_required
@csrf_exempt
def echo(request: HttpRequest, rest: str = "") -> HttpResponseBase:
    mount = request.path[: len(request.path) - len(rest)].rstrip("/")
    mode = settings.WEBCLIENT_PLAYGROUND
    if mode == "off":
        raise Http404("The playground is off on this server.")
    if mode == "signed-in" and not request.user.is_authenticated:
        return to_django_response(error_response(401, PLAYGROUND_SIGN_IN), mount, is_head=False)
    wait = _heavy_limited(request, rest)
    if wait is not None:
        limited = to_django_response(
            error_response(429, "too many slow or large playground requests; try again in a minute"), mount, False
        )
        limited["Retry-After"] = str(wait)
        return limited
    try:
        body = request.body
    except RequestDataTooBig:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return to_django_response(
            error_response(413, f"request body over {limit} bytes"), mount, is_head=False
        )
    result = handle(to_playground_request(request, rest, body))
    return to_django_response(result, mount, is_head=request.method == "HEAD")

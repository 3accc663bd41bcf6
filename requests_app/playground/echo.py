"""Routes that echo the request: /anything, methods, headers, status, redirects, cookies."""

from __future__ import annotations

from http.cookies import CookieError, SimpleCookie
from urllib.parse import urlsplit

from requests_app.playground.core import (
    DIGEST_REALM,
    MAX_REDIRECTS,
    Headers,
    PlaygroundRequest,
    PlaygroundResponse,
    RouteInputError,
    echo_data,
    error_response,
    has_control_characters,
    int_param,
    json_response,
    mounted_location,
    redirect_response,
)


def anything(request: PlaygroundRequest, rest: str = "") -> PlaygroundResponse:
    return json_response(echo_data(request))


def method_echo(request: PlaygroundRequest) -> PlaygroundResponse:
    """/get, /post, … answer their own method (GET also for HEAD), 405 otherwise."""
    expected = request.path.strip("/").upper()
    allowed = {expected, "HEAD"} if expected == "GET" else {expected}
    if request.method.upper() not in allowed:
        return error_response(
            405, f"{request.path} only answers {expected}", [("Allow", ", ".join(sorted(allowed)))]
        )
    return json_response(echo_data(request))


def headers(request: PlaygroundRequest) -> PlaygroundResponse:
    return json_response({"headers": [list(pair) for pair in request.headers]})


def ip(request: PlaygroundRequest) -> PlaygroundResponse:
    return json_response({"origin": request.remote_addr})


def user_agent(request: PlaygroundRequest) -> PlaygroundResponse:
    return json_response({"user-agent": request.header("User-Agent")})


def status(request: PlaygroundRequest, codes: str) -> PlaygroundResponse:
    # "200,201" (httpbin picks at random, optionally weighted "200:0.3"): we take the first.
    first = codes.split(",")[0].split(":")[0].strip()
    code = int_param(first, "status code", 200, 100, 599)
    if code < 200 or code in (204, 304):
        return PlaygroundResponse(code, [], b"")
    extra: Headers = []
    if code in (301, 302, 303, 305, 307, 308):
        extra.append(("Location", mounted_location(request, "/redirect/1")))
    elif code == 401:
        extra.append(("WWW-Authenticate", f'Basic realm="{DIGEST_REALM}"'))
    elif code == 407:
        extra.append(("Proxy-Authenticate", f'Basic realm="{DIGEST_REALM}"'))
    return json_response({"status": code}, code, extra)


def redirect(request: PlaygroundRequest, count: str) -> PlaygroundResponse:
    hops = int_param(count, "redirect count", 1, 1, MAX_REDIRECTS)
    absolute = (request.param("absolute") or "").lower() in ("1", "true", "yes")
    if hops == 1:
        return redirect_response(mounted_location(request, "/get", absolute))
    return redirect_response(mounted_location(request, f"/redirect/{hops - 1}", absolute))


def relative_redirect(request: PlaygroundRequest, count: str) -> PlaygroundResponse:
    hops = int_param(count, "redirect count", 1, 1, MAX_REDIRECTS)
    # A relative reference, resolved by the client against this URL.
    target = "../get" if hops == 1 else str(hops - 1)
    return redirect_response(target)


def absolute_redirect(request: PlaygroundRequest, count: str) -> PlaygroundResponse:
    hops = int_param(count, "redirect count", 1, 1, MAX_REDIRECTS)
    path = "/get" if hops == 1 else f"/absolute-redirect/{hops - 1}"
    return redirect_response(mounted_location(request, path, absolute=True))


OFFSITE_REDIRECT_REFUSED = (
    "redirect-to served by the app only points at paths on this server; "
    "use the standalone playground server for redirects to other hosts"
)


def redirect_to(request: PlaygroundRequest) -> PlaygroundResponse:
    url = request.param("url")
    if not url:
        raise RouteInputError("redirect-to needs ?url=<where to send the client>")
    if has_control_characters(url):
        raise RouteInputError("the url must not contain control characters (CR, LF, TAB, NUL…)")
    raw_status = request.param("status_code") or request.param("status")
    code = int_param(raw_status, "status_code", 302, 300, 399)
    if not request.allows_offsite_redirects:
        parts = urlsplit(url)
        offsite = bool(parts.scheme or parts.netloc) and not (
            parts.scheme in ("http", "https") and parts.netloc == request.host
        )
        # Browsers read "/\host" and "\\host" like "//host".
        if offsite or "\\" in url:
            return error_response(400, OFFSITE_REDIRECT_REFUSED)
    return redirect_response(url, code)


def _cookie_pairs(request: PlaygroundRequest) -> Headers:
    # Split by hand: SimpleCookie.load() silently drops every cookie after a malformed one.
    pairs: Headers = []
    for header_value in request.header_values("Cookie"):
        for item in header_value.split(";"):
            name, sep, value = item.strip().partition("=")
            if sep and name:
                pairs.append((name.strip(), value.strip()))
    return pairs


def cookies(request: PlaygroundRequest) -> PlaygroundResponse:
    pairs = _cookie_pairs(request)
    first: dict[str, str] = {}
    for name, value in pairs:
        first.setdefault(name, value)
    return json_response({"cookies": first, "cookie_pairs": [list(pair) for pair in pairs]})


def _set_cookie_headers(request: PlaygroundRequest, pairs: Headers, expire: bool) -> Headers:
    jar: SimpleCookie = SimpleCookie()
    names: list[str] = []
    for name, value in pairs:
        try:
            jar[name] = "" if expire else value
        except CookieError:
            raise RouteInputError(f"{name!r} is not a valid cookie name") from None
        jar[name]["path"] = request.mount + "/"
        if expire:
            jar[name]["expires"] = "Thu, 01 Jan 1970 00:00:00 GMT"
            jar[name]["max-age"] = 0
        names.append(name)
    return [("Set-Cookie", jar[name].OutputString()) for name in dict.fromkeys(names)]


def cookies_set(request: PlaygroundRequest, name: str = "", value: str = "") -> PlaygroundResponse:
    pairs = [(name, value)] if name else list(request.query)
    response = redirect_response(mounted_location(request, "/cookies"))
    response.headers.extend(_set_cookie_headers(request, pairs, expire=False))
    return response


def cookies_delete(request: PlaygroundRequest) -> PlaygroundResponse:
    response = redirect_response(mounted_location(request, "/cookies"))
    response.headers.extend(_set_cookie_headers(request, list(request.query), expire=True))
    return response

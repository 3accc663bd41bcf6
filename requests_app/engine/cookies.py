"""Cookies: the jar that remembers them between requests, and the parser for what a response sets.

Usage::

    from requests_app.engine.cookies import CookieJar, parse_set_cookie_headers

    jar = CookieJar()                          # one per user per workspace, never shared
    exchange = send(spec, policy=policy, cookie_jar=jar)
    jar.list()                                 # [exchange.Cookie(name=..., domain=..., ...)]
    data = jar.to_list()                       # JSON-safe, store it
    jar = CookieJar.from_list(data)            # and back; CookieFormatError names a bad entry
    jar.delete("127.0.0.1", "/", "session")    # True if it was there
    jar.clear()

    parse_set_cookie_headers(["a=1; Path=/; HttpOnly"], host="127.0.0.1", path="/x")

The jar is `http.cookiejar.CookieJar` with its DefaultCookiePolicy: a cookie goes back only to
requests whose domain, path, scheme (Secure) and time (expiry) match, never to another host.
Note: `http.cookiejar` knows no public-suffix list, so a jar must never be shared between people.
Host names without a dot are stored with ".local" appended (`localhost` -> `localhost.local`),
as http.cookiejar does: that is the name it matches requests on, so a cookie typed by hand for
`localhost` is stored the same way (`jar_domain`). Pages show such a cookie's host without the
suffix (`shown_host`), saying what the jar keeps it as.
"""

from __future__ import annotations

import builtins
import re
import threading
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from requests_app.engine.exchange import Cookie

if TYPE_CHECKING:
    import http.client
    import http.cookiejar

    from requests_app.engine.transport import OutgoingRequest

# The constructor arguments of http.cookiejar.Cookie, which is also the stored shape.
_STORED_FIELDS = (
    "version",
    "name",
    "value",
    "port",
    "port_specified",
    "domain",
    "domain_specified",
    "domain_initial_dot",
    "path",
    "path_specified",
    "secure",
    "expires",
    "discard",
    "comment",
    "comment_url",
    "rest",
    "rfc2109",
)
_REQUIRED_TEXT = ("name", "domain", "path")
_DEFAULTS: dict[str, Any] = {
    "version": 0,
    "value": "",
    "port": None,
    "port_specified": False,
    "domain_specified": False,
    "domain_initial_dot": False,
    "path_specified": True,
    "secure": False,
    "expires": None,
    "discard": False,
    "comment": None,
    "comment_url": None,
    "rest": {},
    "rfc2109": False,
}


COOKIE_EXPIRED = "That time has passed: the cookie would be thrown away at once. Leave it empty for a session cookie."


class CookieFieldError(ValueError):
    """A cookie typed by hand that cannot be kept: args are (field at fault, message)."""


class CookieFormatError(ValueError):
    """Stored cookie data could not be read; the message names the entry and field."""


def _iso_utc(timestamp: float | None) -> str | None:
    if timestamp is None:
        return None
    try:
        return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (OverflowError, OSError, ValueError):
        return None


def _rest_attr(cookie: http.cookiejar.Cookie, name: str) -> tuple[bool, str]:
    """(present, value) of a non-standard attribute such as HttpOnly, whatever its case."""
    rest: dict[str, Any] = getattr(cookie, "_rest", {})
    for key, value in rest.items():
        if key.lower() == name:
            return True, "" if value is None else str(value)
    return False, ""


class CookieJar:
    def __init__(self) -> None:
        self._http_jar: http.cookiejar.CookieJar | None = None
        self._lock = threading.Lock()

    @property
    def http_jar(self) -> http.cookiejar.CookieJar:
        """The standard library's jar, made when first needed: until a response sets a cookie
        there is nothing to send or store, and a run that never gets one never imports
        http.cookiejar."""
        with self._lock:  # concurrent iterations share a run's jar
            if self._http_jar is None:
                import http.cookiejar

                self._http_jar = http.cookiejar.CookieJar(policy=http.cookiejar.DefaultCookiePolicy())
            return self._http_jar

    def add_cookie_header(self, request: OutgoingRequest) -> None:
        """Add the cookies that go to `request` as its Cookie header, unless it has one."""
        if self._http_jar is not None:  # an empty jar adds nothing
            self._http_jar.add_cookie_header(request)

    def extract_cookies(self, response: http.client.HTTPResponse, request: OutgoingRequest) -> None:
        """Store what the response's Set-Cookie headers set, as the jar's policy allows."""
        self.http_jar.extract_cookies(response, request)

    def __len__(self) -> int:
        return len(self.http_jar)

    def list(self) -> list[Cookie]:
        out = []
        for c in self.http_jar:
            http_only, _ = _rest_attr(c, "httponly")
            _, same_site = _rest_attr(c, "samesite")
            out.append(
                Cookie(
                    name=c.name,
                    value=c.value or "",
                    domain=c.domain,
                    path=c.path,
                    expires=_iso_utc(c.expires),
                    secure=c.secure,
                    http_only=http_only,
                    same_site=same_site,
                )
            )
        return out

    def delete(self, domain: str, path: str, name: str) -> bool:
        try:
            self.http_jar.clear(domain, path, name)
        except KeyError:
            return False
        return True

    def clear(self) -> None:
        self.http_jar.clear()

    def set(
        self,
        name: str,
        value: str,
        *,
        domain: str,
        path: str = "/",
        expires: float | None = None,
        secure: bool = False,
        http_only: bool = False,
    ) -> tuple[str, str, str]:
        """Add or replace a cookie typed by hand: host-only for `example.com`, for its subdomains too
        for `.example.com`. Returns its (domain, path, name); a cookie that could not be sent as
        typed, or that has already expired, raises CookieFieldError naming the field."""
        import http.cookiejar

        domain, path = domain.strip(), path.strip() or "/"
        problem = check_cookie(name, value, domain, path)
        domain = jar_domain(domain)
        if problem is None and expires is not None and expires <= time.time():
            problem = ("expires", COOKIE_EXPIRED)
        if problem is not None:
            raise CookieFieldError(*problem)
        self.http_jar.set_cookie(
            http.cookiejar.Cookie(
                **{**_DEFAULTS, "name": name, "value": value, "domain": domain.lower(), "path": path,
                   "domain_specified": domain.startswith("."), "domain_initial_dot": domain.startswith("."),
                   "expires": int(expires) if expires is not None else None, "secure": secure,
                   "rest": {"HttpOnly": None} if http_only else {}}  # fmt: skip
            )
        )
        return domain.lower(), path, name

    def to_list(self) -> builtins.list[dict[str, Any]]:
        self.http_jar.clear_expired_cookies()
        out = []
        for c in self.http_jar:
            entry = {name: getattr(c, name) for name in _STORED_FIELDS if name != "rest"}
            entry["rest"] = dict(getattr(c, "_rest", {}))
            out.append(entry)
        return out

    @classmethod
    def from_list(cls, data: Iterable[Any]) -> CookieJar:
        import http.cookiejar

        jar = cls()
        now = time.time()
        for index, item in enumerate(data):
            if not isinstance(item, dict):
                raise CookieFormatError(f"cookies[{index}] must be an object.")
            for name in _REQUIRED_TEXT:
                if not isinstance(item.get(name), str):
                    raise CookieFormatError(f"cookies[{index}].{name} must be text.")
            values: dict[str, Any] = {name: item.get(name, _DEFAULTS.get(name)) for name in _STORED_FIELDS}
            if values["value"] is not None and not isinstance(values["value"], str):
                raise CookieFormatError(f"cookies[{index}].value must be text.")
            expires = values["expires"]
            if expires is not None and (isinstance(expires, bool) or not isinstance(expires, (int, float))):
                raise CookieFormatError(f"cookies[{index}].expires must be a timestamp or null.")
            if not isinstance(values["rest"], dict):
                raise CookieFormatError(f"cookies[{index}].rest must be an object.")
            if expires is not None and expires <= now:
                continue
            if not values["domain_specified"] and "." not in values["domain"]:
                # typed by hand for `localhost` before set() kept it as the jar matches it: never sent
                values["domain"] = jar_domain(values["domain"])
            jar.http_jar.set_cookie(http.cookiejar.Cookie(**values))
        return jar


# RFC 6265 section 4.1.1: a cookie name is a token; a value has no CTLs, whitespace, DQUOTE, "," ";" "\\".
_COOKIE_NAME = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
_COOKIE_VALUE = re.compile(r'^[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*$')
_COOKIE_DOMAIN = re.compile(r"^\.?(?:[A-Za-z0-9_\-]{1,63}\.)*[A-Za-z0-9_\-]{1,63}$|^\[[0-9A-Fa-f:.]+\]$")


LOCAL_SUFFIX = ".local"


def jar_domain(host: str) -> str:
    """The domain the jar matches a host-only cookie for `host` on: http.cookiejar's effective
    request host (`eff_request_host`), `host` + ".local" for a name without a dot."""
    host = host.lower()
    return host + LOCAL_SUFFIX if host and "." not in host else host


def shown_host(domain: str) -> str:
    """A jar domain as the host people sent the request to: `localhost.local` -> `localhost`
    (the jar sends that cookie to both names alike); any other domain as it is."""
    if domain.endswith(LOCAL_SUFFIX) and not domain.startswith("."):
        host = domain[: -len(LOCAL_SUFFIX)]
        if host and jar_domain(host) == domain:
            return host
    return domain


def check_cookie(name: str, value: str, domain: str, path: str) -> tuple[str, str] | None:
    """(field, message) for a cookie that could not be sent as typed, else None."""
    if not _COOKIE_NAME.match(name):
        return "name", "A cookie name is one word of letters, digits and !#$%&'*+-.^_`|~ (no spaces, no = or ;)."
    if not _COOKIE_VALUE.match(value):
        return "value", "A cookie value cannot hold spaces, quotes, commas, semicolons or backslashes; encode them."
    if not _COOKIE_DOMAIN.match(domain):
        return "domain", "Give the host the cookie is for, e.g. api.example.com or 127.0.0.1."
    if not path.startswith("/") or any(c in path for c in ";\r\n\x00"):
        return "path", "A cookie path starts with / (use / for the whole site)."
    return None


def default_cookie_path(request_path: str) -> str:
    """RFC 6265 section 5.1.4: the directory of the request path."""
    path = request_path.split("?", 1)[0]
    if not path.startswith("/") or path.count("/") == 1:
        return "/"
    return path[: path.rindex("/")]


def parse_set_cookie(value: str, *, host: str, path: str) -> Cookie:
    """One Set-Cookie header value as exchange.Cookie; tolerant of whatever servers send."""
    pair, *attributes = value.split(";")
    name, has_equals, cookie_value = pair.partition("=")
    if not has_equals:  # browsers read "Set-Cookie: token" as a nameless cookie
        name, cookie_value = "", name
    cookie = Cookie(name=name.strip(), value=cookie_value.strip(), domain=host, path=default_cookie_path(path))
    for attribute in attributes:
        key, _, attr_value = attribute.partition("=")
        key, attr_value = key.strip().lower(), attr_value.strip()
        if key == "expires":
            import http.cookiejar

            # http2time reads the many date spellings servers use; typeshed does not list it.
            cookie.expires = _iso_utc(http.cookiejar.http2time(attr_value))  # type: ignore[attr-defined]
        elif key == "max-age":
            try:
                cookie.max_age = int(attr_value)
            except ValueError:
                pass
        elif key == "domain" and attr_value.strip("."):
            cookie.domain = attr_value.lstrip(".").lower()
        elif key == "path" and attr_value.startswith("/"):
            cookie.path = attr_value
        elif key == "secure":
            cookie.secure = True
        elif key == "httponly":
            cookie.http_only = True
        elif key == "samesite":
            cookie.same_site = attr_value
    return cookie


def parse_set_cookie_headers(values: Iterable[str], *, host: str, path: str) -> list[Cookie]:
    return [parse_set_cookie(v, host=host, path=path) for v in values if v.strip()]

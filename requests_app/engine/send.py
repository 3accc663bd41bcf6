"""`send`: one request, start to finish, as plain data in and plain data out.

Usage::

    from requests_app.engine import send, CookieJar, OutboundPolicy
    from requests_app.engine.spec import RequestSpec

    exchange = send(RequestSpec(url="http://127.0.0.1:8000/echo/anything?a={{a}}"),
                    policy=OutboundPolicy.allow_all(), cookie_jar=CookieJar(),
                    variables=[{"a": "1"}], ca_file=None)
    exchange.error          # None, or ExchangeError(kind, message, code, field)
    exchange.response       # Response (also with some errors: a timeout while reading the body)
    exchange.request.wire   # b"GET /echo/anything?a=1 HTTP/1.1\\r\\nHost: ..."

Order: resolve variables -> validate -> build -> (for each hop) policy -> connect -> send ->
read -> redirect. `send` never raises for what happens on the network or for bad input.

Timings: dns, connect, tls, ttfb and download add up over every connection the exchange made
(redirect hops, the digest challenge round trip); total is the wall clock of the whole call.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from time import perf_counter
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from requests_app.engine.cookies import CookieJar, parse_set_cookie_headers
from requests_app.engine.decoding import SNIFF_BYTES, BodyDecoder, body_kind, media_type
from requests_app.engine.exchange import (
    INVALID_REQUEST,
    PROTOCOL,
    TOO_LARGE,
    Exchange,
    ExchangeError,
    RedirectHop,
    Response,
    SentRequest,
)
from requests_app.engine.policy import OutboundPolicy
from requests_app.engine.prepare import (
    REDIRECT_STATUSES,
    PreparedRequest,
    follow_redirect,
    headers_for_hop,
    prepare_request,
)
from requests_app.engine.secret_hosts import SecretScope
from requests_app.engine.spec import RequestSpec
from requests_app.engine.transport import (
    OPENER,
    CapturedResponse,
    ConnectionTrace,
    Deadline,
    OutgoingRequest,
    close_response,
    error_for,
    read_body,
    tls_context,
)
from requests_app.engine.validation import DEFAULT_MAX_REQUEST_BODY_BYTES, RequestRejected, Target, parse_url
from requests_app.engine.variables import VariableCycleError, VariableExpansionError, find_variables, resolve_spec

if TYPE_CHECKING:
    from requests_app.engine.keepalive import ConnectionPool

TOO_MANY_REDIRECTS = "too_many_redirects"
VARIABLE_CYCLE = "variable_cycle"
VARIABLE_EXPANSION = "variable_expansion"
UNDEFINED_VARIABLE = "undefined_variable"
# Compressed bytes read for a body beyond which it is cut even if little came out of them.
_RAW_BODY_SLACK = 1024 * 1024


def send(
    spec: RequestSpec,
    *,
    policy: OutboundPolicy,
    cookie_jar: CookieJar | None = None,
    variables: Sequence[Mapping[str, str]] = (),
    ca_file: str | None = None,
    max_request_body_bytes: int = DEFAULT_MAX_REQUEST_BODY_BYTES,
    connections: ConnectionPool | None = None,
    secrets: SecretScope | None = None,
) -> Exchange:
    """Send `spec` and return what happened; errors come back in `Exchange.error`.

    `secrets`: the secret variables and the hosts each may go to (engine.secret_hosts); a hop
    that would carry one elsewhere is not sent and ends the exchange with a `blocked` error.

    `connections`: a keepalive.ConnectionPool to reuse connections across a run's requests;
    without one every hop opens its own connection and asks the server to close it.
    """
    started = perf_counter()
    exchange = Exchange()
    resolved: RequestSpec | None = None
    used: set[str] = set()
    try:
        resolved, exchange.unresolved_variables = resolve_spec(spec, variables, used=used)
        prepared = prepare_request(resolved, max_request_body_bytes=max_request_body_bytes)
    except VariableCycleError as exc:
        exchange.error = ExchangeError(INVALID_REQUEST, exc.message, code=VARIABLE_CYCLE, field=exc.field)
    except VariableExpansionError as exc:
        exchange.error = ExchangeError(TOO_LARGE, exc.message, code=VARIABLE_EXPANSION, field=exc.field)
    except RequestRejected as exc:
        exchange.error = _undefined_in_url(resolved, exc.error) or exc.error
    else:
        jar = cookie_jar if resolved.options.use_cookies else None
        exchanger = _Exchanger(
            prepared, resolved, policy=policy, cookie_jar=jar, ca_file=ca_file, exchange=exchange, connections=connections
        )
        exchanger.secrets, exchanger.used = secrets, used
        exchanger.run()
    exchange.timings.total_ms = (perf_counter() - started) * 1000.0
    return exchange


def _undefined_in_url(resolved: RequestSpec | None, error: ExchangeError) -> ExchangeError | None:
    """A URL refused while it still holds {{names}} nobody defined: name them, not the symptom.

    "{{base}}/users" with no `base` would otherwise read "The URL must start with http://".
    """
    if resolved is None or error.field != "url":
        return None
    names = [name for name in dict.fromkeys(find_variables(resolved.url)) if not name.startswith("$")]
    if not names:
        return None
    listed = ", ".join("{{" + name + "}}" for name in names)
    verb, it = ("is", "it") if len(names) == 1 else ("are", "them")
    message = (f"{listed} {verb} not defined, so the URL cannot be built. Define {it} in the chosen environment "
               f"or the collection's variables, or choose the environment that defines {it}.")
    return ExchangeError(INVALID_REQUEST, message, code=UNDEFINED_VARIABLE, field="url")


@dataclass
class _Hop:
    response: Response | None
    error: ExchangeError | None


class _Exchanger:
    """The redirect loop over one deadline; fills `exchange` as it goes."""

    def __init__(
        self,
        prepared: PreparedRequest,
        spec: RequestSpec,
        *,
        policy: OutboundPolicy,
        cookie_jar: CookieJar | None,
        ca_file: str | None,
        exchange: Exchange,
        connections: ConnectionPool | None = None,
    ) -> None:
        self.prepared = prepared
        self.options = spec.options
        self.exchange = exchange
        self.deadline = Deadline(self.options.timeout_ms / 1000.0)
        self.policy = policy
        self.cookie_jar = cookie_jar
        self.connections = connections
        verify = self.options.verify_tls
        self.tls_context = lambda: tls_context(verify, ca_file)
        self.origin = prepared.target.origin
        self.digest = _DigestResponder(prepared) if prepared.digest_credentials else None
        self.secrets: SecretScope | None = None
        self.used: set[str] = set()

    def run(self) -> None:
        current = self.prepared
        authorization: list[tuple[str, str]] = []
        while True:
            hop = self._send_once(current, authorization)
            if hop.response is not None:
                self.exchange.response = hop.response
            if hop.error is not None or hop.response is None:
                self.exchange.error = hop.error
                return
            response = hop.response
            if response.status == 401 and self.digest and not authorization and current.target.origin == self.origin:
                answer = self.digest.authorization(current, response, self.exchange.warnings)
                if answer:
                    authorization = [("Authorization", answer)]
                    continue
            if not (self.options.follow_redirects and response.status in REDIRECT_STATUSES):
                return
            location = response.header("Location")
            if not location:
                return
            if len(self.exchange.redirects) >= self.options.max_redirects:
                self.exchange.error = ExchangeError(
                    PROTOCOL,
                    f"Stopped after {self.options.max_redirects} redirects (the limit in Settings).",
                    code=TOO_MANY_REDIRECTS,
                )
                return
            try:
                target = _redirect_target(current.target, location)
            except RequestRejected as exc:
                self.exchange.error = replace(
                    exc.error, message=f"The server redirected to {location!r}: {exc.error.message}"
                )
                return
            self.exchange.redirects.append(
                RedirectHop(response.status, current.target.url, location, cookies=list(response.cookies))
            )
            current = follow_redirect(current, response.status, target)
            authorization = []

    def _send_once(self, prepared: PreparedRequest, authorization: list[tuple[str, str]]) -> _Hop:
        headers = headers_for_hop(
            prepared, original_origin=self.origin, extra=authorization, keep_alive=self.connections is not None
        )
        if self.secrets is not None:
            refused = self.secrets.refusal(
                host=prepared.target.host, used=self.used, url=prepared.target.url, headers=headers,
                body=prepared.body, first_hop=not self.exchange.redirects,
            )
            if refused is not None:
                return _Hop(None, refused)
        request = OutgoingRequest(
            prepared.target,
            prepared.method,
            headers,
            prepared.body,
            policy=self.policy,
            deadline=self.deadline,
            tls_context=self.tls_context,
        )
        if self.cookie_jar is not None:
            self.cookie_jar.add_cookie_header(request)  # never overrides a Cookie the user typed
        trace = request.trace
        raw: CapturedResponse | None = None
        response: Response | None = None
        error: ExchangeError | None = None
        body_started: float | None = None
        try:
            raw = (OPENER if self.connections is None else self.connections.opener).open(request)
            body_started = perf_counter()
            response, content_encoding, sets_cookies = _response_head(raw, prepared.target)
            if self.cookie_jar is not None and sets_cookies:
                self.cookie_jar.extract_cookies(raw, request)
            decoder = BodyDecoder(content_encoding, self.options.max_response_bytes)
            try:
                response.wire_body_size = read_body(
                    raw, decoder, raw_limit=2 * self.options.max_response_bytes + _RAW_BODY_SLACK
                )
            finally:
                response.content, response.truncated = decoder.spool, decoder.truncated
                response.kind = body_kind(response.content_type, decoder.spool.head(SNIFF_BYTES))
                if decoder.warning:
                    self.exchange.warnings.append(decoder.warning)
        except Exception as exc:  # only network trouble is turned into data; anything else re-raises
            error = error_for(exc, target=prepared.target, trace=trace, timeout_s=self.deadline.seconds)
            if error is None:
                raise
        finally:
            if raw is not None:
                (close_response if self.connections is None else self.connections.finish)(raw)
        self._record(prepared, trace, body_started)
        return _Hop(response, error)

    def _record(self, prepared: PreparedRequest, trace: ConnectionTrace, body_started: float | None) -> None:
        if trace.wire:
            self.exchange.request = SentRequest(
                method=prepared.method,
                url=prepared.target.url,
                headers=list(trace.headers_sent),
                body_size=len(prepared.body),
                wire=bytes(trace.wire),
            )
        timings = self.exchange.timings
        ttfb = None
        if trace.sent_at is not None and trace.status_at is not None:
            ttfb = (trace.status_at - trace.sent_at) * 1000.0
        download = None
        if body_started is not None:
            download = (perf_counter() - (trace.status_at or body_started)) * 1000.0
        for name, value in (
            ("dns_ms", trace.dns_ms),
            ("connect_ms", trace.connect_ms),
            ("tls_ms", trace.tls_ms),
            ("ttfb_ms", ttfb),
            ("download_ms", download),
        ):
            if value is not None:
                setattr(timings, name, (getattr(timings, name) or 0.0) + value)


def _redirect_target(current: Target, location: str) -> Target:
    # Servers put raw spaces (and UTF-8 read as latin-1) in Location; browsers encode them.
    try:
        location = location.encode("latin-1").decode("utf-8")
    except UnicodeError:
        pass
    absolute = urljoin(current.url, location.strip().replace(" ", "%20"))
    return parse_url(absolute, field="redirect").target


# Header fields the exchange itself reads; Set-Cookie2 only to know whether the jar has work.
_FIELDS_READ = frozenset({"content-type", "content-encoding", "set-cookie", "set-cookie2"})


def _response_head(raw: CapturedResponse, target: Target) -> tuple[Response, str | None, bool]:
    """The response without its body, the Content-Encoding to undo, and whether it sets cookies.

    One pass over the header lines; a repeated field reads as its values comma-joined, as
    HTTPResponse.getheader gives it.
    """
    headers: list[tuple[str, str]] = []
    fields: dict[str, list[str]] = {}
    for name, value in raw.msg.raw_items():
        lowered = name.lower()
        if lowered in _FIELDS_READ:
            fields.setdefault(lowered, []).append(value)
        headers.append((name, value.replace("\r\n", " ")))  # obs-fold continuation lines joined
    content_type = fields.get("content-type")
    content_encoding = fields.get("content-encoding")
    media, charset = media_type(", ".join(content_type) if content_type else None)
    response = Response(
        http_version="HTTP/1.0" if raw.version == 10 else "HTTP/1.1",
        status=raw.status,
        reason=raw.reason,
        headers=headers,
        content_type=media,
        charset=charset,
        wire_head=raw.wire_head,
        header_size=raw.head_size,
    )
    set_cookie = fields.get("set-cookie", [])
    response.cookies = parse_set_cookie_headers(set_cookie, host=target.host, path=target.request_target)
    sets_cookies = bool(set_cookie) or "set-cookie2" in fields
    return response, ", ".join(content_encoding) if content_encoding else None, sets_cookies


class _DigestResponder:
    """Answers a Digest challenge with urllib's AbstractDigestAuthHandler (nonce counts kept)."""

    def __init__(self, prepared: PreparedRequest) -> None:
        assert prepared.digest_credentials is not None
        user, password = prepared.digest_credentials
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        # Scoped to the origin asked for: a redirect elsewhere never gets an answer.
        passwords.add_password(None, f"{prepared.target.scheme}://{prepared.target.authority}/", user, password)
        self._handler = urllib.request.AbstractDigestAuthHandler(passwords)

    def authorization(self, prepared: PreparedRequest, response: Response, warnings: list[str]) -> str | None:
        challenge = next(
            (
                value.strip()
                for name, value in response.headers
                if name.lower() == "www-authenticate" and value.strip().lower().startswith("digest ")
            ),
            None,
        )
        if challenge is None:
            warnings.append("Digest auth is set, but the server did not send a Digest challenge.")
            return None
        params = urllib.request.parse_keqv_list([p for p in urllib.request.parse_http_list(challenge[7:]) if p])
        request = urllib.request.Request(prepared.target.url, data=prepared.body or None, method=prepared.method)
        try:
            answer = self._handler.get_authorization(request, params)
        except (ValueError, urllib.error.URLError) as exc:
            warnings.append(f"Could not answer the Digest challenge: {getattr(exc, 'reason', exc)}.")
            return None
        if not answer:
            warnings.append("Could not answer the Digest challenge: it lacks a realm or nonce.")
            return None
        return f"Digest {answer}"

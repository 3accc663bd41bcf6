"""The wire: urllib handlers of our own over http.client, pinned to policy-approved addresses.

Usage::

    from requests_app.engine.transport import OPENER, Deadline, OutgoingRequest, read_body, close_response

    deadline = Deadline(30.0)                                   # the whole exchange, wall clock
    request = OutgoingRequest(target, "GET", [("Host", "127.0.0.1:8000"), ...], b"",
                              policy=policy, deadline=deadline, tls_context=lambda: tls_context(True))
    response = OPENER.open(request)      # CapturedResponse: status line and headers read
    wire_size = read_body(response, decoder, raw_limit=...)
    request.trace                        # timings, the address connected to, the bytes sent
    close_response(response)

Why not `urllib.request.build_opener()`: its defaults read file:// and ftp:// URLs, take proxies
from the environment, follow redirects anywhere with our credentials, capitalise header names,
add `Content-Type: application/x-www-form-urlencoded` and `User-agent: Python-urllib`, and raise
for 4xx/5xx. The opener here has exactly: our PinnedHandler (http/https only) and
UnknownHandler (anything else is refused). No ProxyHandler at all. Cookies are added and stored
by send.py on each hop through http.cookiejar's add_cookie_header / extract_cookies.

Pinning: `connect()` asks the policy to approve the host (one resolution, every address checked)
and connects to those addresses only, while Host, TLS SNI and the certificate check stay on the
name from the URL. Every socket operation gets the time left on the exchange's deadline, so a
server dripping one byte a second cannot hold us past it.
"""

# One module past 500 lines: the urllib handlers, the deadline socket and the body reader share one connection's life and its private state.
from __future__ import annotations

import http.client
import io
import re
import socket
import ssl
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from time import perf_counter
from typing import TYPE_CHECKING, Any

from requests_app.engine.decoding import BodyDecoder
from requests_app.engine.exchange import BLOCKED, DNS, PROTOCOL, REFUSED, TIMEOUT, TLS, ExchangeError
from requests_app.engine.policy import OutboundPolicy, PolicyRefusal, ResolutionError
from requests_app.engine.validation import Target

if TYPE_CHECKING:
    from concurrent.futures import ThreadPoolExecutor

READ_CHUNK_BYTES = 64 * 1024
# A request body up to this size leaves in the same write as the head (see _send_output).
COALESCED_BODY_BYTES = 64 * 1024
WIRE_CAPTURE_BYTES = 64 * 1024
HEAD_CAPTURE_BYTES = 256 * 1024

# IPv4 in any numeric spelling, or IPv6: getaddrinfo answers these without asking DNS.
_NUMERIC_PART = r"(?:0[xX][0-9a-fA-F]*|[0-9]+)"
_NUMERIC_HOST = re.compile(rf"{_NUMERIC_PART}(?:\.{_NUMERIC_PART}){{0,3}}|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*")



@lru_cache(maxsize=1)
def _resolver_threads() -> ThreadPoolExecutor:
    """getaddrinfo cannot be interrupted; names are resolved in these threads so the deadline holds.
    A lookup that hangs past its deadline keeps one thread busy until the resolver gives up.

    Made on the first name to resolve: runs against IP addresses never import concurrent.futures.
    """
    from concurrent.futures import ThreadPoolExecutor

    return ThreadPoolExecutor(max_workers=8, thread_name_prefix="webclient-dns")


class DeadlineExceeded(TimeoutError):
    """The exchange's wall-clock time is up."""


class Deadline:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expires_at = perf_counter() + seconds

    def remaining(self) -> float:
        """Seconds left; raises DeadlineExceeded once there are none."""
        left = self.expires_at - perf_counter()
        if left <= 0:
            raise DeadlineExceeded(f"the {self.seconds:g} s timeout is over")
        return left


@dataclass
class ConnectionTrace:
    """What one connection did, measured where it happened (perf_counter seconds, ms durations)."""

    address: str = ""  # "ip:port" last tried
    connected: bool = False
    dns_ms: float | None = None
    connect_ms: float | None = None
    tls_ms: float | None = None
    sent_at: float | None = None  # the last byte of the request handed to the kernel
    status_at: float | None = None  # the status line read
    headers_sent: list[tuple[str, str]] = field(default_factory=list)
    wire: bytearray = field(default_factory=bytearray)

    def record_sent(self, data: bytes) -> None:
        room = WIRE_CAPTURE_BYTES - len(self.wire)
        if room > 0:
            self.wire += data if len(data) <= room else data[:room]


def _ms(since: float) -> float:
    return (perf_counter() - since) * 1000.0


# ---------------------------------------------------------------- sockets bound by the deadline


class _DeadlineReader(io.RawIOBase):
    """A socket's read side where every recv gets only the time left on the deadline."""

    def __init__(self, sock: socket.socket, deadline: Deadline) -> None:
        super().__init__()
        self._sock = sock
        # socket.makefile's SocketIO holds a reference so closing the connection early
        # (http.client does when the response will close) keeps the body readable.
        self._raw = sock.makefile("rb", buffering=0)
        self._deadline = deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int | None:
        self._sock.settimeout(self._deadline.remaining())
        return self._raw.readinto(buffer)

    def close(self) -> None:
        if not self.closed:
            self._raw.close()
        super().close()


class _DeadlineSocket:
    """What http.client needs of a socket (sendall, makefile, close), bound by the deadline."""

    def __init__(self, sock: socket.socket, deadline: Deadline) -> None:
        self._sock = sock
        self._deadline = deadline

    def sendall(self, data: bytes) -> None:
        # Since Python 3.5 the timeout bounds the whole sendall, not each chunk.
        self._sock.settimeout(self._deadline.remaining())
        self._sock.sendall(data)

    def makefile(self, mode: str = "rb", *args: Any, **kwargs: Any) -> io.BufferedReader:
        return io.BufferedReader(_DeadlineReader(self._sock, self._deadline))

    def close(self) -> None:
        self._sock.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


# ---------------------------------------------------------------- http.client subclasses


class _HeadRecorder:
    """Stands in for the response's file while the status line and headers are read."""

    def __init__(self, fp: Any) -> None:
        self._fp = fp
        self.recorded = bytearray()
        self.size = 0

    def readline(self, limit: int = -1) -> bytes:
        line: bytes = self._fp.readline(limit)
        self.size += len(line)
        if len(self.recorded) < HEAD_CAPTURE_BYTES:
            self.recorded += line
        return line

    def close(self) -> None:
        self._fp.close()


class CapturedResponse(http.client.HTTPResponse):
    """An HTTPResponse that keeps the head exactly as received and when its status line came."""

    status_read_at: float | None = None
    wire_head: bytes = b""
    head_size: int = 0
    connection: http.client.HTTPConnection | None = None

    def _read_status(self) -> tuple[str, int, str]:
        result: tuple[str, int, str] = super()._read_status()  # type: ignore[misc]
        if self.status_read_at is None:
            self.status_read_at = perf_counter()
        return result

    def begin(self) -> None:
        if self.headers is not None:
            return
        reader = self.fp
        recorder = _HeadRecorder(reader)
        self.fp = recorder
        try:
            super().begin()
        finally:
            if self.fp is recorder:  # http.client drops fp when it gives up on a response
                self.fp = reader
            self.wire_head = bytes(recorder.recorded)
            self.head_size = recorder.size


class _PinnedConnectionMixin:
    """connect() to the addresses the policy approved; record timings and the bytes sent."""

    host: str
    port: int
    sock: Any
    _pinned_policy: OutboundPolicy
    _deadline: Deadline
    _trace: ConnectionTrace
    _tls: ssl.SSLContext | None = None
    _buffer: list[bytes]

    def _pin(self, policy: OutboundPolicy, deadline: Deadline, trace: ConnectionTrace) -> None:
        self._pinned_policy = policy
        self._deadline = deadline
        self._trace = trace

    def connect(self) -> None:
        trace, deadline = self._trace, self._deadline
        started = perf_counter()
        addresses = self._approved_addresses()
        trace.dns_ms = _ms(started)
        started = perf_counter()
        sock = self._connect_first(addresses)
        trace.connect_ms = _ms(started)
        trace.connected = True
        if self._tls is not None:
            started = perf_counter()
            try:
                sock.settimeout(deadline.remaining())
                # SNI and the certificate check use the name from the URL, not the address.
                sock = self._tls.wrap_socket(sock, server_hostname=self.host)
            except BaseException:
                sock.close()
                raise
            trace.tls_ms = _ms(started)
        self.sock = _DeadlineSocket(sock, deadline)

    def _approved_addresses(self) -> list[str]:
        if _NUMERIC_HOST.fullmatch(self.host):
            return self._pinned_policy.approve(self.host, self.port)  # no DNS to wait for
        lookup = _resolver_threads().submit(self._pinned_policy.approve, self.host, self.port)
        try:
            return lookup.result(timeout=self._deadline.remaining())
        except TimeoutError:
            lookup.cancel()
            raise DeadlineExceeded(f"resolving {self.host} took longer than the timeout") from None

    def _connect_first(self, addresses: list[str]) -> socket.socket:
        last_error: OSError | None = None
        for address in addresses:
            is_v6 = ":" in address
            self._trace.address = f"[{address}]:{self.port}" if is_v6 else f"{address}:{self.port}"
            sock = socket.socket(socket.AF_INET6 if is_v6 else socket.AF_INET, socket.SOCK_STREAM)
            try:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                sock.settimeout(self._deadline.remaining())
                sock.connect((address, self.port))
                return sock
            except TimeoutError:
                sock.close()
                raise
            except OSError as exc:
                sock.close()
                last_error = exc
        assert last_error is not None  # approve() never returns an empty list
        raise last_error

    def _send_output(self, message_body: Any = None, encode_chunked: bool = False) -> None:
        # http.client writes the head and a body in two sends; a small body rides with the head:
        # one system call, one segment and one wake-up of the server instead of two.
        if isinstance(message_body, bytes) and not encode_chunked and len(message_body) <= COALESCED_BODY_BYTES:
            self._buffer.extend((b"", message_body))  # "\r\n".join: the blank line, then the body
            head_and_body = b"\r\n".join(self._buffer)
            del self._buffer[:]
            self.send(head_and_body)
            return
        super()._send_output(message_body, encode_chunked)  # type: ignore[misc]

    def send(self, data: Any) -> None:
        if self.sock is None:
            self.connect()  # before recording: what could not be sent is not on the wire
        self._trace.record_sent(bytes(data))
        super().send(data)  # type: ignore[misc]
        self._trace.sent_at = perf_counter()


class PinnedHTTPConnection(_PinnedConnectionMixin, http.client.HTTPConnection):
    response_class = CapturedResponse

    def __init__(self, host: str, port: int, *, policy: OutboundPolicy, deadline: Deadline, trace: ConnectionTrace):
        super().__init__(host, port)
        self._pin(policy, deadline, trace)


class PinnedHTTPSConnection(_PinnedConnectionMixin, http.client.HTTPSConnection):
    response_class = CapturedResponse

    def __init__(
        self,
        host: str,
        port: int,
        *,
        policy: OutboundPolicy,
        deadline: Deadline,
        trace: ConnectionTrace,
        context: ssl.SSLContext,
    ):
        super().__init__(host, port, context=context)
        self._tls = context
        self._pin(policy, deadline, trace)


class CAFileError(Exception):
    """The CA file given to trust could not be loaded."""


@lru_cache(maxsize=16)
def tls_context(verify: bool, ca_file: str | None = None) -> ssl.SSLContext:
    """A client context, built once per (verify, ca_file): loading CA stores is slow."""
    if verify:
        context = ssl.create_default_context()
        if ca_file:
            try:
                context.load_verify_locations(cafile=ca_file)
            except (OSError, ValueError) as exc:  # ssl.SSLError is an OSError
                raise CAFileError(f"Could not load the CA file {ca_file}: {exc}") from None
    else:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    context.set_alpn_protocols(["http/1.1"])
    return context


# ---------------------------------------------------------------- urllib plumbing


class OutgoingRequest(urllib.request.Request):
    """A urllib Request carrying the exact header list to send (names as typed, duplicates kept),
    and what its connection must obey: the policy, the exchange's deadline, the TLS context.

    `Request.add_header` would capitalise names and keep one value per name; here the list is
    the truth, and the cookie jar adds its Cookie as an unredirected header.
    """

    def __init__(
        self,
        target: Target,
        method: str,
        headers: list[tuple[str, str]],
        body: bytes,
        *,
        policy: OutboundPolicy,
        deadline: Deadline,
        tls_context: Callable[[], ssl.SSLContext],
    ) -> None:
        self.header_list = headers  # before Request.__init__, whose data setter looks at headers
        super().__init__(target.url, data=body or None, method=method)
        self.target = target
        self.policy = policy
        self.deadline = deadline
        self.tls_context = tls_context
        self.trace = ConnectionTrace()

    def has_header(self, header_name: str) -> bool:
        return self.get_header(header_name) is not None

    def get_header(self, header_name: str, default: Any = None) -> Any:
        wanted = header_name.lower()
        for name, value in self.header_list:
            if name.lower() == wanted:
                return value
        for name, value in self.unredirected_hdrs.items():
            if name.lower() == wanted:
                return value
        return default

    def header_items(self) -> list[tuple[str, str]]:
        return self.headers_to_send()

    def headers_to_send(self) -> list[tuple[str, str]]:
        return [*self.header_list, *self.unredirected_hdrs.items()]


def _pinning(request: OutgoingRequest) -> dict[str, Any]:
    return {"policy": request.policy, "deadline": request.deadline, "trace": request.trace}


class PinnedHandler(urllib.request.BaseHandler):
    """Opens http and https requests over pinned connections; never raises for a 4xx/5xx.

    Stateless: everything a connection obeys travels on the OutgoingRequest, so one opener
    serves every exchange and thread.
    """

    def http_open(self, request: OutgoingRequest) -> CapturedResponse:
        target = request.target
        return self._exchange(PinnedHTTPConnection(target.host, target.port, **_pinning(request)), request)

    def https_open(self, request: OutgoingRequest) -> CapturedResponse:
        target = request.target
        context = request.tls_context()
        return self._exchange(
            PinnedHTTPSConnection(target.host, target.port, context=context, **_pinning(request)), request
        )

    def _exchange(self, connection: http.client.HTTPConnection, request: OutgoingRequest) -> CapturedResponse:
        headers = request.headers_to_send()
        request.trace.headers_sent = headers
        try:
            connection.putrequest(
                request.get_method(), request.target.request_target, skip_host=True, skip_accept_encoding=True
            )
            for name, value in headers:
                # UTF-8 rather than http.client's latin-1, so any text a person types can be sent.
                connection.putheader(name, value.encode("utf-8"))
            connection.endheaders(request.data or None)
            response = connection.getresponse()
        except BaseException:
            connection.close()
            raise
        assert isinstance(response, CapturedResponse)
        request.trace.status_at = response.status_read_at
        response.connection = connection
        return response


def build_opener(handler: PinnedHandler | None = None) -> urllib.request.OpenerDirector:
    """Exactly two handlers: ours for http/https (keepalive.py passes its pooled one), UnknownHandler
    refusing every other scheme."""
    opener = urllib.request.OpenerDirector()
    opener.addheaders = []  # no "User-agent: Python-urllib/3.11"
    opener.add_handler(handler or PinnedHandler())
    opener.add_handler(urllib.request.UnknownHandler())
    return opener


# Built once: OpenerDirector.add_handler introspects every handler, too slow to repeat per request.
OPENER = build_opener()


def read_body(response: CapturedResponse, decoder: BodyDecoder, *, raw_limit: int) -> int:
    """Read and decode the body in chunks until it ends or the decoder is full; returns wire bytes read.

    Every read goes through the deadline-bound socket; `raw_limit` caps the compressed bytes too
    (a stream of compressed nothing must not run forever).
    """
    wire_size = 0
    # length 0: a Content-Length body read to its end (or no body at all), nothing left to ask for.
    while not decoder.full and response.length != 0:
        # read1: whatever has arrived, so a body cut by the deadline keeps what came before it.
        chunk = response.read1(READ_CHUNK_BYTES)
        if not chunk:
            break
        wire_size += len(chunk)
        decoder.feed(chunk)
        if wire_size >= raw_limit and not decoder.full:
            decoder.truncated = True
            break
    decoder.finish()
    if not decoder.full and response.length:
        # http.client raises IncompleteRead only for unbounded reads; a short body ends quietly here.
        raise http.client.IncompleteRead(b"", response.length)
    return wire_size


def close_response(response: CapturedResponse) -> None:
    connection = response.connection
    response.close()
    if connection is not None:
        connection.close()


# ---------------------------------------------------------------- errors, for a person

# OpenSSL verify codes worth a sentence of their own.
_TLS_VERIFY_REASONS = {
    9: ("tls_not_yet_valid", "its certificate is not valid yet"),
    10: ("tls_expired", "its certificate has expired"),
    18: ("tls_self_signed", "its certificate is self-signed"),
    19: ("tls_self_signed", "its certificate chain ends in a self-signed certificate that is not trusted"),
    20: ("tls_unknown_ca", "its certificate is signed by an unknown authority (self-signed or a private CA)"),
    21: ("tls_unknown_ca", "its certificate is signed by an unknown authority (self-signed or a private CA)"),
    62: ("tls_hostname_mismatch", "its certificate is for another host name"),
    64: ("tls_hostname_mismatch", "its certificate is for another IP address"),
}

_PROTOCOL_ERRORS: tuple[tuple[type[http.client.HTTPException], str, str], ...] = (
    (http.client.RemoteDisconnected, "no_response", "{host} closed the connection without sending a response."),
    (http.client.IncompleteRead, "incomplete_body", "{host} closed the connection before the whole body arrived."),
    (http.client.LineTooLong, "line_too_long", "{host} sent a header line longer than 65,536 bytes."),
    (http.client.UnknownProtocol, "bad_http_version", "{host} answered with an HTTP version other than 1.x."),
    (http.client.BadStatusLine, "bad_status_line", "{host} did not answer with an HTTP status line."),
)


def error_for(exc: BaseException, *, target: Target, trace: ConnectionTrace, timeout_s: float) -> ExchangeError | None:
    """The ExchangeError for something that went wrong on the network, or None if `exc` is not one."""
    host = target.host
    where = trace.address or f"{host}:{target.port}"
    if isinstance(exc, CAFileError):
        return ExchangeError(TLS, str(exc), code="tls_ca_file")
    if isinstance(exc, PolicyRefusal):
        return ExchangeError(BLOCKED, exc.message, code=exc.rule, field="url")
    if isinstance(exc, ResolutionError):
        return ExchangeError(DNS, f"Could not resolve host {host}", code="unresolvable", field="url")
    if isinstance(exc, TimeoutError):
        if not trace.connected:
            message, code = f"Connecting to {where} took longer than {timeout_s:g} s.", "connect_timeout"
        elif trace.status_at is None:
            message, code = f"The server took longer than {timeout_s:g} s to answer ({host}).", "response_timeout"
        else:
            message = f"{host} began to answer but sending the whole response took longer than {timeout_s:g} s."
            code = "body_timeout"
        return ExchangeError(TIMEOUT, message, code=code)
    if isinstance(exc, ssl.SSLCertVerificationError):
        code, reason = _TLS_VERIFY_REASONS.get(
            exc.verify_code, ("tls_verify_failed", f"its certificate could not be verified ({exc.verify_message})")
        )
        return ExchangeError(TLS, f"TLS verification of {host} failed: {reason}.", code=code)
    if isinstance(exc, ssl.SSLError):
        detail = exc.reason or exc.strerror or str(exc)
        hint = " Is this port speaking https?" if "WRONG_VERSION_NUMBER" in str(exc) else ""
        return ExchangeError(TLS, f"TLS handshake with {host} failed ({detail}).{hint}", code="tls_handshake")
    if isinstance(exc, http.client.HTTPException):
        for kind, code, message in _PROTOCOL_ERRORS:
            if isinstance(exc, kind):
                return ExchangeError(PROTOCOL, message.format(host=host), code=code)
        if "headers" in str(exc):
            return ExchangeError(PROTOCOL, f"{host} sent more than 100 headers.", code="too_many_headers")
        return ExchangeError(PROTOCOL, f"{host} sent an invalid HTTP response ({exc}).", code="bad_response")
    if isinstance(exc, ConnectionRefusedError):
        return ExchangeError(REFUSED, f"Connection refused by {where}", code="refused")
    if isinstance(exc, (ConnectionResetError, BrokenPipeError, ConnectionAbortedError)):
        return ExchangeError(PROTOCOL, f"{host} reset the connection.", code="connection_reset")
    if isinstance(exc, OSError):
        reason = exc.strerror or str(exc) or type(exc).__name__
        if not trace.connected:
            return ExchangeError(REFUSED, f"Could not connect to {where}: {reason}", code="connect_failed")
        return ExchangeError(PROTOCOL, f"The connection to {where} failed: {reason}", code="connection_error")
    return None

"""Keep-alive for runs: connections reused per origin across the requests of one run.

Usage::

    from requests_app.engine import send
    from requests_app.engine.keepalive import ConnectionPool

    with ConnectionPool() as connections:          # closed (every socket) when the run ends
        for spec in specs:
            send(spec, policy=policy, connections=connections)
    connections.opened, connections.reused          # how many TCP connections, how many reuses

Without a pool `send` opens one connection per request, which is right for a single request
from the page. With one, a connection whose response was read to its end, and which neither
side asked to close, goes back to the pool and serves the next request to the same origin.

What does not change:

- Connections are opened only by the engine's pinned connections: the outbound policy approves
  the host (one resolution, every address checked) and the socket goes to an approved address.
  The pool key is (scheme, host, port, policy, TLS context), so a connection approved under one
  policy or TLS setting never serves a request made under another, and a redirect to another
  origin gets that origin's own connection, approved on its own.
- Every request still gets its own deadline and its own trace: the wire view shows exactly
  the bytes sent on the reused connection; dns/connect/tls timings are absent (nothing was done).

Servers may close an idle connection at any moment (RFC 9112 §9.3). An idle connection that
is readable (closed, or with stray bytes) is dropped before reuse, and an idempotent request
that fails on a reused connection before any response arrived is sent once more on a fresh
one. Non-idempotent requests are never re-sent (§9.3.1.1): the failure is reported.
"""

from __future__ import annotations

import http.client
import select
import ssl
import threading
import urllib.request
from types import TracebackType

from requests_app.engine.transport import (
    CapturedResponse,
    OutgoingRequest,
    PinnedHandler,
    PinnedHTTPConnection,
    PinnedHTTPSConnection,
    build_opener,
    close_response,
)

DEFAULT_MAX_IDLE_PER_ORIGIN = 16  # the runner's highest concurrency
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"})
# What a server closing an idle connection looks like when we write to or read from it.
_STALE_CONNECTION_ERRORS = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError, ConnectionAbortedError)

PoolKey = tuple[str, str, int, int, int]
PinnedConnection = PinnedHTTPConnection | PinnedHTTPSConnection


def _is_dropped(connection: PinnedConnection) -> bool:
    """True when an idle connection cannot carry another request (closed by the peer, or stray bytes)."""
    sock = connection.sock
    if sock is None:
        return True
    try:
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)


class ConnectionPool:
    """Idle keep-alive connections of one run, per origin; thread-safe for concurrent iterations."""

    def __init__(self, max_idle_per_origin: int = DEFAULT_MAX_IDLE_PER_ORIGIN) -> None:
        self.max_idle_per_origin = max_idle_per_origin
        self.opened = 0
        self.reused = 0
        self._idle: dict[PoolKey, list[PinnedConnection]] = {}
        self._lock = threading.Lock()
        self._closed = False
        # Keys use id(); holding the objects keeps an id from being reused by another policy.
        self._key_objects: dict[int, object] = {}
        self.opener = _build_pooled_opener(self)

    # -------------------------------------------------------------- for the engine

    def finish(self, response: CapturedResponse) -> None:
        """Where `close_response` would close the connection: keep it when it can serve again."""
        connection = response.connection
        key: PoolKey | None = getattr(response, "pool_key", None)
        # A response read to its end has let go of its file; one cut short (too large,
        # timed out) left bytes on the wire and must not be followed by another request.
        read_to_end = response.isclosed() or (not response.chunked and response.length == 0)
        reusable = (
            key is not None
            and connection is not None
            and read_to_end
            and not response.will_close
            and connection.sock is not None
        )
        if not reusable:
            close_response(response)
            return
        response.close()
        assert key is not None and connection is not None
        with self._lock:
            idle = self._idle.setdefault(key, [])
            if not self._closed and len(idle) < self.max_idle_per_origin:
                idle.append(connection)  # type: ignore[arg-type]
                return
        connection.close()

    def key(self, request: OutgoingRequest, context: ssl.SSLContext | None) -> PoolKey:
        with self._lock:
            self._key_objects.setdefault(id(request.policy), request.policy)
            if context is not None:
                self._key_objects.setdefault(id(context), context)
        scheme = "https" if context is not None else "http"
        return (scheme, request.target.host.lower(), request.target.port, id(request.policy), id(context))

    def take(self, key: PoolKey) -> PinnedConnection | None:
        while True:
            with self._lock:
                idle = self._idle.get(key)
                if not idle:
                    return None
                connection = idle.pop()
            if not _is_dropped(connection):
                return connection
            connection.close()

    def count(self, *, reused: bool) -> None:
        with self._lock:
            if reused:
                self.reused += 1
            else:
                self.opened += 1

    # -------------------------------------------------------------- for the run

    @property
    def idle_connections(self) -> int:
        with self._lock:
            return sum(len(idle) for idle in self._idle.values())

    def close(self) -> None:
        with self._lock:
            self._closed = True
            connections = [c for idle in self._idle.values() for c in idle]
            self._idle.clear()
        for connection in connections:
            connection.close()

    def __enter__(self) -> ConnectionPool:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()


class PooledHandler(PinnedHandler):
    """PinnedHandler that takes an idle connection to the same origin before opening one."""

    def __init__(self, pool: ConnectionPool) -> None:
        self._pool = pool

    def http_open(self, request: OutgoingRequest) -> CapturedResponse:
        return self._open(request, None)

    def https_open(self, request: OutgoingRequest) -> CapturedResponse:
        return self._open(request, request.tls_context())

    def _open(self, request: OutgoingRequest, context: ssl.SSLContext | None) -> CapturedResponse:
        key = self._pool.key(request, context)
        connection = self._pool.take(key)
        if connection is not None:
            _repin(connection, request)
            try:
                response = self._exchange(connection, request)
            except _STALE_CONNECTION_ERRORS:
                if request.get_method().upper() not in IDEMPOTENT_METHODS or request.trace.status_at is not None:
                    raise
                _reset_trace(request)
            else:
                return self._pooled(response, key, reused=True)
        target = request.target
        fresh: PinnedConnection = (
            PinnedHTTPConnection(target.host, target.port, policy=request.policy, deadline=request.deadline,
                                 trace=request.trace)
            if context is None
            else PinnedHTTPSConnection(target.host, target.port, context=context, policy=request.policy,
                                       deadline=request.deadline, trace=request.trace)
        )
        return self._pooled(self._exchange(fresh, request), key, reused=False)

    def _pooled(self, response: CapturedResponse, key: PoolKey, *, reused: bool) -> CapturedResponse:
        self._pool.count(reused=reused)
        response.pool_key = key  # type: ignore[attr-defined]
        return response


def _repin(connection: PinnedConnection, request: OutgoingRequest) -> None:
    """Give a reused connection this request's deadline and trace (the policy is the same: see the key)."""
    address = connection._trace.address
    connection._pin(request.policy, request.deadline, request.trace)
    connection.sock._deadline = request.deadline  # the _DeadlineSocket every read and write asks
    request.trace.address = address
    request.trace.connected = True


def _reset_trace(request: OutgoingRequest) -> None:
    """Forget what was written to the dead connection: the wire view shows what the server got."""
    trace = request.trace
    trace.wire.clear()
    trace.sent_at = None
    trace.connected = False
    trace.address = ""


def _build_pooled_opener(pool: ConnectionPool) -> urllib.request.OpenerDirector:
    return build_opener(PooledHandler(pool))

"""The playground (requests_app/playground/) served by the standard library's http.server.

For tests, demos and benchmarks: plain or TLS, on 127.0.0.1, keep-alive, any method.

Usage::

    from requests_app.playground_server import serve_in_thread
    server, base_url, stop = serve_in_thread()              # port chosen by the OS
    ... http.client / urllib against base_url + "/anything" ...
    server.accepted_connections                             # TCP connections accepted so far
    stop()

    serve_in_thread(tls_context=ssl_server_context)         # https://127.0.0.1:<port>

    python -m requests_app.playground [--host 127.0.0.1] [--port 8765] [--tls [--cert F --key F]]
"""

from __future__ import annotations

import argparse
import socket
import ssl
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from requests_app.engine.validation import is_token
from requests_app.playground import (
    PlaygroundRequest,
    PlaygroundResponse,
    error_response,
    handle,
    parse_request_target,
)

MAX_REQUEST_BODY_BYTES = 64 * 1024 * 1024
# An idle keep-alive connection holds a thread; let it go after this long.
IDLE_TIMEOUT_SECONDS = 30.0
TLS_HANDSHAKE_TIMEOUT_SECONDS = 10.0


class RequestBodyError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class PlaygroundHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes: without this, keep-alive clients wait
    # ~40 ms per request on delayed ACK (see STDLIB_TRAPS.md).
    disable_nagle_algorithm = True
    timeout = IDLE_TIMEOUT_SECONDS
    server_version = "webclient-playground"
    server: PlaygroundServer

    def version_string(self) -> str:
        return self.server_version

    def __getattr__(self, name: str) -> Any:
        # http.server looks up do_<METHOD>: every method, PROPFIND or made-up, lands here.
        if name.startswith("do_"):
            return self._dispatch
        raise AttributeError(name)

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: tests and benchmarks would drown in access lines."""

    def setup(self) -> None:
        super().setup()
        self.server.track_connection(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.untrack_connection(self.connection)

    def _dispatch(self) -> None:
        if not is_token(self.command):
            self.close_connection = True
            self._send(error_response(400, f"{self.command!r} is not a valid method token"))
            return
        try:
            body = self._read_body()
        except RequestBodyError as error:
            self.close_connection = True
            self._send(error_response(error.status, error.message))
            return
        path, query = parse_request_target(self.path)
        host, port = str(self.server.server_address[0]), self.server.server_address[1]  # an IPv4/IPv6 text address
        request = PlaygroundRequest(
            method=self.command,
            path=path,
            query=query,
            headers=list(self.headers.items()),
            body=body,
            remote_addr=self.client_address[0],
            scheme="https" if self.server.tls_context else "http",
            host=self.headers.get("Host") or f"{host}:{port}",
            target=self.path,
        )
        try:
            response = handle(request)
        except Exception as error:
            response = error_response(500, f"playground route failed: {error!r}")
        self._send(response)

    def _read_body(self) -> bytes:
        transfer_encoding = (self.headers.get("Transfer-Encoding") or "").strip().lower()
        length_header = self.headers.get_all("Content-Length") or []
        if transfer_encoding:
            if length_header:
                raise RequestBodyError(400, "Content-Length and Transfer-Encoding together")
            if transfer_encoding != "chunked":
                raise RequestBodyError(501, f"Transfer-Encoding {transfer_encoding} is not supported")
            return self._read_chunked()
        if not length_header:
            return b""
        if len(set(length_header)) > 1 or not length_header[0].strip().isdigit():
            raise RequestBodyError(400, f"invalid Content-Length {length_header!r}")
        length = int(length_header[0])
        if length > MAX_REQUEST_BODY_BYTES:
            raise RequestBodyError(413, f"request body over {MAX_REQUEST_BODY_BYTES} bytes")
        body = self.rfile.read(length)
        if len(body) != length:
            raise RequestBodyError(400, "the request body ended before Content-Length")
        return body

    def _read_chunked(self) -> bytes:
        parts: list[bytes] = []
        total = 0
        while True:
            size_line = self.rfile.readline(1024)
            try:
                size = int(size_line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise RequestBodyError(400, "malformed chunk size") from None
            if size == 0:
                break
            total += size
            if total > MAX_REQUEST_BODY_BYTES:
                raise RequestBodyError(413, f"request body over {MAX_REQUEST_BODY_BYTES} bytes")
            chunk = self.rfile.read(size)
            parts.append(chunk)
            if len(chunk) != size or self.rfile.readline(3) not in (b"\r\n", b"\n"):
                raise RequestBodyError(400, "truncated chunk")
        while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
            pass  # trailer fields: ignored
        return b"".join(parts)

    def _send(self, response: PlaygroundResponse) -> None:
        is_head = self.command == "HEAD"
        body = response.body
        has_no_body = response.status < 200 or response.status in (204, 304)
        self.send_response(response.status, response.reason)
        for name, value in response.headers:
            self.send_header(name, value)
        declared_length = response.header("Content-Length")
        if isinstance(body, bytes):
            if not has_no_body and declared_length is None:
                self.send_header("Content-Length", str(len(body)))
            chunks: Iterator[bytes] | None = None
        else:
            chunks = body
            if declared_length is None and not has_no_body:
                self.send_header("Transfer-Encoding", "chunked")
        if response.status < 200:
            self.close_connection = True  # a 1xx as final answer leaves the client unsure
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        try:
            if is_head or has_no_body:
                return
            if chunks is None:
                self.wfile.write(body)  # type: ignore[arg-type]
            elif declared_length is not None:
                for chunk in chunks:
                    self.wfile.write(chunk)
            else:
                for chunk in chunks:
                    if chunk:
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                self.wfile.write(b"0\r\n\r\n")
        except OSError:
            self.close_connection = True  # the client went away mid-body
        finally:
            close = getattr(chunks, "close", None)
            if close:
                close()


class PlaygroundServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self,
        address: tuple[str, int],
        tls_context: ssl.SSLContext | None = None,
        handler: type[BaseHTTPRequestHandler] = PlaygroundHandler,
    ) -> None:
        self.tls_context = tls_context
        self._lock = threading.Lock()
        self._accepted_connections = 0
        self._open_connections: set[socket.socket] = set()
        super().__init__(address, handler)

    @property
    def accepted_connections(self) -> int:
        """TCP connections accepted since start; keep-alive tests compare it before and after."""
        with self._lock:
            return self._accepted_connections

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    @property
    def base_url(self) -> str:
        scheme = "https" if self.tls_context else "http"
        return f"{scheme}://{self.server_address[0]!s}:{self.port}"

    def get_request(self) -> tuple[socket.socket, Any]:
        connection, address = super().get_request()
        with self._lock:
            self._accepted_connections += 1
        return connection, address

    def finish_request(self, request: Any, client_address: Any) -> None:
        # Runs in the connection's own thread, so a slow TLS handshake blocks only itself.
        if self.tls_context is None:
            super().finish_request(request, client_address)
            return
        request.settimeout(TLS_HANDSHAKE_TIMEOUT_SECONDS)
        try:
            tls_connection = self.tls_context.wrap_socket(request, server_side=True)
        except (OSError, ssl.SSLError):
            return  # a failed handshake (e.g. the client distrusts our certificate)
        try:
            super().finish_request(tls_connection, client_address)
        finally:
            tls_connection.close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that stops reading early (a size cap, a gzip bomb) is expected, not worth a traceback.
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError, ssl.SSLEOFError)):
            return
        super().handle_error(request, client_address)

    def track_connection(self, connection: socket.socket) -> None:
        with self._lock:
            self._open_connections.add(connection)

    def untrack_connection(self, connection: socket.socket) -> None:
        with self._lock:
            self._open_connections.discard(connection)

    def close_open_connections(self) -> None:
        """End idle keep-alive connections, whose threads would otherwise wait for their timeout."""
        with self._lock:
            connections = list(self._open_connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def make_server(
    host: str = "127.0.0.1", port: int = 0, tls_context: ssl.SSLContext | None = None
) -> PlaygroundServer:
    """A bound, not yet serving playground server; call serve_forever() (or serve_in_thread)."""
    return PlaygroundServer((host, port), tls_context)


def serve_in_thread(
    host: str = "127.0.0.1", port: int = 0, tls_context: ssl.SSLContext | None = None
) -> tuple[PlaygroundServer, str, Callable[[], None]]:
    """Start a playground server on a daemon thread: (server, base_url, stop)."""
    server = make_server(host, port, tls_context)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True,
        name=f"playground-{server.port}",
    )
    thread.start()

    def stop() -> None:
        server.shutdown()
        server.close_open_connections()
        server.server_close()
        thread.join(timeout=5)

    return server, server.base_url, stop


def _development_tls_context(host: str) -> tuple[ssl.SSLContext, str]:
    """A server context with a throwaway trustme CA; returns it and the CA's PEM path."""
    try:
        import trustme
    except ImportError:
        sys.exit("--tls without --cert/--key needs trustme (pip install -r requirements-dev.txt)")
    authority = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert(host, "127.0.0.1", "localhost").configure_cert(context)
    ca_file = tempfile.NamedTemporaryFile("wb", prefix="playground-ca-", suffix=".pem", delete=False)
    with ca_file:
        ca_file.write(authority.cert_pem.bytes())
    return context, ca_file.name


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m requests_app.playground", description="Serve the httpbin-like playground."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--tls", action="store_true", help="serve HTTPS")
    parser.add_argument("--cert", help="PEM certificate chain (with --tls)")
    parser.add_argument("--key", help="PEM private key (with --tls)")
    options = parser.parse_args(argv)
    context: ssl.SSLContext | None = None
    if options.tls:
        if options.cert:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(options.cert, options.key)
        else:
            context, ca_path = _development_tls_context(options.host)
            print(f"TLS certificate from a throwaway CA; trust it with: {ca_path}", flush=True)
    server = make_server(options.host, options.port, context)
    print(f"Playground serving on {server.base_url}/  (Ctrl-C stops)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()

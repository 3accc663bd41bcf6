"""AWS Signature v4 judged by botocore: what a local server received carries exactly the
Authorization and X-Amz-* headers botocore's SigV4Auth computes for that request and time."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from botocore.auth import S3SigV4Auth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from requests_app.engine import sigv4
from requests_app.engine.spec import Auth, Body, FormField, KeyValue, RequestSpec
from tests.engine.sending import send_spec

FIXED = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
SIGNER_HEADERS = ("authorization", "x-amz-date", "x-amz-security-token", "x-amz-content-sha256")


class _Recorder(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.server.received.append((self.command, self.path, list(self.headers.raw_items()), body))  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_POST = do_PUT = do_DELETE = _handle

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def recorder():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    server.daemon_threads = True
    server.received = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def fixed_time(monkeypatch):
    monkeypatch.setattr(sigv4, "utc_now", lambda: FIXED)
    monkeypatch.setattr("botocore.auth.get_current_datetime", lambda: FIXED.replace(tzinfo=None))


def _auth(**changes: object) -> Auth:
    fields = {"access_key": "AKIDEXAMPLE", "secret_key": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "region": "eu-west-1", "service": "execute-api"}
    fields.update(changes)
    return Auth(type="awsv4", **fields)  # type: ignore[arg-type]


def _send_and_compare(recorder, spec: RequestSpec, *, variables=()) -> dict[str, str]:
    recorder.received.clear()
    exchange = send_spec(spec, variables=variables)
    assert exchange.error is None, exchange.error
    method, target, headers, body = recorder.received[-1]
    ours = {name.lower(): value for name, value in headers if name.lower() in SIGNER_HEADERS}

    auth = spec.auth
    host = next(value for name, value in headers if name.lower() == "host")
    request = AWSRequest(method=method, url=f"http://{host}{target}", data=body)
    for name, value in headers:
        # botocore adds the signer's own headers; Content-Length is framing, added per hop.
        if name.lower() not in (*SIGNER_HEADERS, "content-length"):
            request.headers[name] = value
    if auth.unsigned_payload:
        request.context["payload_signing_enabled"] = False
    credentials = Credentials(
        variables[0].get("ak", auth.access_key) if variables else auth.access_key,
        auth.secret_key,
        auth.session_token or None,
    )
    signer = (S3SigV4Auth if auth.service == "s3" else SigV4Auth)(credentials, auth.service, auth.region)
    signer.add_auth(request)
    theirs = {name.lower(): value for name, value in request.headers.items() if name.lower() in SIGNER_HEADERS}
    assert ours == theirs
    return ours


def test_query_with_reserved_characters(recorder):
    spec = RequestSpec(
        url=f"http://127.0.0.1:{recorder.server_port}/items?z=1&a=%2Fx",
        params=[KeyValue("a b", "x/y:z@!"), KeyValue("q", "ü&=+"), KeyValue("sym", "*'()$,;")],
        auth=_auth(),
    )
    signed = _send_and_compare(recorder, spec)
    assert signed["authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260304/eu-west-1/execute-api/aws4_request")
    target = recorder.received[-1][1]
    assert target == "/items?z=1&a=%2Fx&a%20b=x%2Fy%3Az%40%21&q=%C3%BC%26%3D%2B&sym=%2A%27%28%29%24%2C%3B"


def test_repeated_keys_and_a_key_without_value(recorder):
    spec = RequestSpec(url=f"http://127.0.0.1:{recorder.server_port}/r?k=2&k=1&k=10&flag&a=", auth=_auth())
    _send_and_compare(recorder, spec)


def test_no_body_delete(recorder):
    _send_and_compare(recorder, RequestSpec(method="DELETE", url=f"http://127.0.0.1:{recorder.server_port}/x/1", auth=_auth()))


def test_json_body_and_repeated_headers_with_extra_spaces(recorder):
    spec = RequestSpec(
        method="POST",
        url=f"http://127.0.0.1:{recorder.server_port}/json",
        headers=[KeyValue("X-Tag", "  a   b "), KeyValue("x-tag", "c"), KeyValue("User-Agent", "unsigned/1")],
        body=Body(mode="json", text='{"name": "ünï", "n": [1, 2]}'),
        auth=_auth(),
    )
    signed = _send_and_compare(recorder, spec)
    assert "content-type;host;x-amz-date;x-tag" in signed["authorization"]


def test_form_body(recorder):
    spec = RequestSpec(
        method="PUT",
        url=f"http://127.0.0.1:{recorder.server_port}/form",
        body=Body(mode="urlencoded", fields=[FormField("a", "1 2"), FormField("b", "ü&x")]),
        auth=_auth(),
    )
    _send_and_compare(recorder, spec)


def test_path_with_spaces_unicode_and_dot_segments(recorder):
    spec = RequestSpec(url=f"http://127.0.0.1:{recorder.server_port}/a%20b/ünï/x%2Fy//z/./w~(1)", auth=_auth())
    _send_and_compare(recorder, spec)


def test_session_token_and_variables(recorder):
    spec = RequestSpec(
        url=f"http://127.0.0.1:{recorder.server_port}/t",
        auth=_auth(access_key="{{ak}}", session_token="FQoGZXIvYXdzEJr//////////wEaDOtoken=="),
    )
    signed = _send_and_compare(recorder, spec, variables=[{"ak": "AKIDFROMVARS"}])
    assert signed["x-amz-security-token"] == "FQoGZXIvYXdzEJr//////////wEaDOtoken=="
    assert "Credential=AKIDFROMVARS/" in signed["authorization"]


def test_s3_signs_the_payload_hash_header_and_keeps_the_path(recorder):
    spec = RequestSpec(
        method="PUT",
        url=f"http://127.0.0.1:{recorder.server_port}/bucket/a%20b/ü.txt",
        body=Body(mode="raw", text="hello", content_type="text/plain"),
        auth=_auth(service="s3", region="us-east-1"),
    )
    signed = _send_and_compare(recorder, spec)
    assert signed["x-amz-content-sha256"] == "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"


def test_unsigned_payload(recorder):
    spec = RequestSpec(
        method="POST",
        url=f"http://127.0.0.1:{recorder.server_port}/upload",
        body=Body(mode="binary", data=b"\x00" * 1000),
        auth=_auth(unsigned_payload=True),
    )
    assert _send_and_compare(recorder, spec)["x-amz-content-sha256"] == "UNSIGNED-PAYLOAD"


def test_signature_headers_are_not_sent_to_another_origin_on_redirect(echo_server):
    exchange = send_spec(RequestSpec(url=echo_server.url(f"/redirect-to?url=http://localhost:{echo_server.port}/anything"), auth=_auth()))
    assert exchange.error is None
    sent = {name.lower() for name, _ in exchange.request.headers}
    assert not sent & set(SIGNER_HEADERS)


def test_missing_region_is_a_named_error():
    exchange = send_spec(RequestSpec(url="http://127.0.0.1:9/", auth=_auth(region="")))
    assert exchange.error.code == "bad_auth"
    assert exchange.error.field == "auth.region"
    assert "region" in exchange.error.message

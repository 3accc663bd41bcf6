"""send(): every body mode arrives byte-exact with the Content-Type it implies."""

from __future__ import annotations

import base64
import hashlib
import json
import os

from requests_app.engine.prepare import encode_multipart
from requests_app.engine.spec import Body, FilePart, FormField, KeyValue
from tests.engine.sending import echoed, header_values, send_to


def post(echo_server, body, headers=()):
    return send_to(echo_server.url("/anything"), method="POST", body=body, headers=list(headers))


def received_bytes(echo):
    return base64.b64decode(echo["data"]) if echo["data_encoding"] == "base64" else echo["data"].encode()


def test_raw_text_is_utf8_with_text_plain(echo_server):
    echo = echoed(post(echo_server, Body(mode="raw", text="héllo\r\nwörld ✓")))
    assert echo["data"] == "héllo\r\nwörld ✓"
    assert header_values(echo, "Content-Type") == ["text/plain"]
    assert header_values(echo, "Content-Length") == [str(len("héllo\r\nwörld ✓".encode()))]


def test_raw_with_its_own_content_type(echo_server):
    echo = echoed(post(echo_server, Body(mode="raw", text="<a/>", content_type="application/xml")))
    assert header_values(echo, "Content-Type") == ["application/xml"]


def test_json_body(echo_server):
    text = '{"a": [1, 2, {"b": null}], "s": "ü"}'
    echo = echoed(post(echo_server, Body(mode="json", text=text)))
    assert echo["data"] == text
    assert echo["json"] == json.loads(text)
    assert header_values(echo, "Content-Type") == ["application/json"]


def test_users_content_type_wins_whatever_its_case(echo_server):
    body = Body(mode="json", text="{}")
    echo = echoed(post(echo_server, body, headers=[KeyValue("content-TYPE", "application/vnd.api+json")]))
    assert [pair for pair in echo["headers"] if pair[0].lower() == "content-type"] == [
        ["content-TYPE", "application/vnd.api+json"]
    ]


def test_urlencoded_fields_in_order_with_duplicates(echo_server):
    fields = [
        FormField("a", "1"),
        FormField("a", "2 & 3"),
        FormField("skip", "x", enabled=False),
        FormField("ü", "=+%"),
    ]
    echo = echoed(post(echo_server, Body(mode="urlencoded", fields=fields)))
    assert echo["data"] == "a=1&a=2+%26+3&%C3%BC=%3D%2B%25"
    assert echo["form"] == [["a", "1"], ["a", "2 & 3"], ["ü", "=+%"]]
    assert header_values(echo, "Content-Type") == ["application/x-www-form-urlencoded"]


def test_multipart_text_fields_and_files_are_exact(echo_server):
    binary = os.urandom(70_000) + b"\r\n--not-a-boundary\r\n"
    fields = [
        FormField("title", "Grüße"),
        FormField("upload", file=FilePart("data.bin", binary, "application/octet-stream")),
        FormField("title", "second"),
        FormField("off", "x", enabled=False),
        FormField("notes", file=FilePart('my "notes".txt', b"plain text\n", "text/plain")),
    ]
    echo = echoed(post(echo_server, Body(mode="multipart", fields=fields)))
    assert echo["form"] == [["title", "Grüße"], ["title", "second"]]
    files = {f["name"]: f for f in echo["files"]}
    assert files["upload"]["sha256"] == hashlib.sha256(binary).hexdigest()
    assert files["upload"]["size"] == len(binary)
    assert files["notes"]["filename"] == "my %22notes%22.txt"
    assert files["notes"]["content_type"] == "text/plain"
    assert files["notes"]["content"] == "plain text\n"
    content_type = header_values(echo, "Content-Type")[0]
    assert content_type.startswith("multipart/form-data; boundary=")


def test_multipart_boundary_is_random_per_request(echo_server):
    body = Body(mode="multipart", fields=[FormField("a", "1")])
    first = header_values(echoed(post(echo_server, body)), "Content-Type")
    second = header_values(echoed(post(echo_server, body)), "Content-Type")
    assert first != second


def test_multipart_encoding_is_byte_exact():
    fields = [FormField("a", "1"), FormField("f", file=FilePart("x.bin", b"\x00\xff", "image/png"))]
    assert encode_multipart(fields, "B") == (
        b'--B\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n'
        b'--B\r\nContent-Disposition: form-data; name="f"; filename="x.bin"\r\nContent-Type: image/png\r\n\r\n'
        b"\x00\xff\r\n--B--\r\n"
    )


def test_binary_body_is_exact(echo_server):
    data = bytes(range(256)) * 40
    echo = echoed(post(echo_server, Body(mode="binary", data=data)))
    assert received_bytes(echo) == data
    assert header_values(echo, "Content-Type") == ["application/octet-stream"]


def test_binary_with_its_own_content_type(echo_server):
    echo = echoed(post(echo_server, Body(mode="binary", data=b"\x89PNG", content_type="image/png")))
    assert header_values(echo, "Content-Type") == ["image/png"]


def test_graphql_is_json_with_query_and_parsed_variables(echo_server):
    body = Body(mode="graphql", query="query($id: ID!) { user(id: $id) { name } }", variables='{"id": "7"}')
    echo = echoed(post(echo_server, body))
    assert echo["json"] == {"query": "query($id: ID!) { user(id: $id) { name } }", "variables": {"id": "7"}}
    assert header_values(echo, "Content-Type") == ["application/json"]


def test_graphql_without_variables_sends_only_the_query(echo_server):
    echo = echoed(post(echo_server, Body(mode="graphql", query="{ me }")))
    assert echo["json"] == {"query": "{ me }"}


def test_body_on_get_is_sent_when_asked(echo_server):
    exchange = send_to(echo_server.url("/anything"), body=Body(mode="raw", text="x"))
    assert echoed(exchange)["data"] == "x"

from __future__ import annotations

import json
import string
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from requests_app.engine.spec import Auth, Body, FilePart, FormField, KeyValue, Options, RequestSpec
from requests_app.interop.httpfile import parse_http, to_http, to_http_files
from requests_app.interop.model import ImportedCollection, ImportedFolder, ImportedRequest, ImportFormatError
from tests.interop.strategies import request_specs, wire_signature

FIXTURES = Path(__file__).parent / "fixtures" / "http"


def load(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def requests_by_name(text: str) -> dict[str, ImportedRequest]:
    return {r.name: r for r in parse_http(text).collections[0].requests()}


@pytest.fixture(scope="module")
def shop():
    return parse_http(load("shop.http"), name="/home/me/api/shop.http")


def test_file_variables_become_collection_variables(shop):
    collection = shop.collections[0]
    assert collection.name == "shop"
    assert collection.variables == [
        KeyValue("baseUrl", "https://shop.example.com/api/v2"),
        KeyValue("token", "{{SHOP_TOKEN}}"),
        KeyValue("contentType", "application/json"),
    ]


def test_separator_text_and_name_directive_name_the_requests(shop):
    assert [r.name for r in shop.collections[0].requests()] == [
        "List products",
        "createProduct",
        "Login (form over several lines)",
        "Upload logo",
        "Upload receipt (multipart)",
        "Order status (GraphQL)",
        "Ping",
        "Delete with a timeout",
    ]


def test_continuation_lines_comments_and_disabled_headers(shop):
    request = shop.collections[0].requests()[0]
    assert request.spec.url == "{{baseUrl}}/products?page=2&limit=10"
    assert request.description == "Paginated; the second page.\nSorted by price."
    assert request.spec.headers == [KeyValue("Accept", "application/json"), KeyValue("X-Debug", "1", enabled=False)]
    assert request.spec.auth == Auth(type="bearer", token="{{token}}")
    assert request.source_path == "line 6"


def test_request_line_with_http_version_and_a_body(shop):
    spec = shop.collections[0].requests()[1].spec
    assert (spec.method, spec.url) == ("POST", "{{baseUrl}}/products")
    assert spec.body.mode == "raw"  # the Content-Type is a variable, so the body stays raw
    assert json.loads(spec.body.text.replace("{{$randomInt}}", "1")) == {"name": "Mug", "price": 9.5, "sku": "1"}
    assert spec.headers[1] == KeyValue("X-Request-Id", "{{$guid}}")


def test_directives_and_multi_line_form_body(shop):
    spec = shop.collections[0].requests()[2].spec
    assert spec.options == Options(follow_redirects=False, use_cookies=False)
    assert spec.body == Body(mode="urlencoded", fields=[FormField("username", "alice"), FormField("password", "p@ss word")])


def test_file_body_and_rest_client_basic_auth(shop):
    spec = shop.collections[0].requests()[3].spec
    assert spec.body == Body(mode="binary", data=b"")
    assert spec.auth == Auth(type="basic", username="admin", password="hunter2")
    assert spec.headers == [KeyValue("Content-Type", "image/png")]


def test_hand_written_multipart_becomes_form_fields(shop):
    spec = shop.collections[0].requests()[4].spec
    assert spec.headers == []
    assert spec.body.fields == [
        FormField("orderId", "1001"),
        FormField("receipt", file=FilePart("receipt.pdf", b"", "application/pdf")),
    ]


def test_rest_client_graphql_and_digest(shop):
    spec = shop.collections[0].requests()[5].spec
    assert spec.body.mode == "graphql"
    assert spec.body.query == "query Order($id: ID!) {\n  order(id: $id) { status }\n}"
    assert json.loads(spec.body.variables) == {"id": "{{createProduct.response.body.$.id}}"}
    assert spec.auth == Auth(type="digest", username="ops", password="s3cret")
    assert spec.headers == []


def test_url_only_request_line_is_a_get_and_base64_basic_is_decoded(shop):
    requests = shop.collections[0].requests()
    assert (requests[6].spec.method, requests[6].spec.url) == ("GET", "https://shop.example.com/ping")
    assert requests[7].spec.auth == Auth(type="basic", username="admin", password="hunter2")


def test_report_lists_files_dynamic_variables_and_references(shop):
    assert [f"{r.level}: {r}" for r in shop.report] == [
        "downgraded: line 3: {{$dotenv SHOP_TOKEN}} became the variable {{SHOP_TOKEN}}",
        "downgraded: line 25: {{$randomInt 1000 9999}} became {{$randomInt}} (its arguments are not supported)",
        "downgraded: line 42: attach the file ./images/logo.png as the body before sending",
        "downgraded: line 45: file field 'receipt': attach the file ./receipt.pdf before sending",
        "note: line 69: {{createProduct.response.body.$.id}} refers to another request's exchange; "
        "set that variable yourself",
    ]


def test_jetbrains_scripts_timeouts_and_handlers():
    result = parse_http(load("jetbrains.http"))
    token, report, health = result.collections[0].requests()
    assert token.scripts["http_client_prerequest"] == 'request.variables.set("nonce", $random.uuid)'
    assert token.scripts["http_client_test"].startswith('client.test("status", function() {\n    client.assert(')
    assert token.spec.body == Body(mode="json", text='{"user": "{{user}}", "nonce": "{{$uuid}}"}')
    assert report.spec.options.timeout_ms == 90_000
    assert health.spec.body == Body()
    assert [f"{r.level}: {r}" for r in result.report] == [
        "note: line 2: pre-request script kept as text, not run",
        "note: line 10: response handler script kept as text, not run",
        "downgraded: line 8: {{$random.uuid}} became {{$uuid}}",
        "note: line 19: @connection-timeout: this directive is not supported; ignored",
        "note: line 23: saving the response to ./reports/latest.csv is not supported; ignored",
        "dropped: line 28: the response handler file ./scripts/check-health.js is not loaded",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", ".http file: no request found (a request line looks like: GET https://example.com/)"),
        ("# only a comment\n@a = 1\n", ".http file: no request found (a request line looks like: GET https://example.com/)"),
        ("### one\nContent-Type: text/plain\n", ".http file: line 2: expected a request line such as GET https://example.com/, found 'Content-Type: text/plain'"),
        ("POST http://h/\nContent-Type: application/json\n\n> {%\nclient.test()\n", ".http file: line 4: a {% script %} is never closed"),
    ],
)
def test_malformed_files_raise_a_named_error_with_position(text, message):
    with pytest.raises(ImportFormatError) as caught:
        parse_http(text)
    assert str(caught.value) == message


def test_binary_garbage_and_oversized_files_are_refused():
    with pytest.raises(ImportFormatError, match="not UTF-8 text"):
        parse_http(b"GET http://h/\n\n\xff\xfe\xfa")
    with pytest.raises(ImportFormatError, match="limited to 10 MiB"):
        parse_http("GET http://h/\n\n" + "x" * (50 * 1024 * 1024))


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from([*"GET POST /:{}#@<>%=&?\n\t abc-", "\n###\n", "GET http://h/\n", "{%", "%}", "HTTP/1.1"]), max_size=60).map("".join))
def test_any_text_imports_or_raises_import_format_error(text):
    try:
        parse_http(text)
    except ImportFormatError:
        pass


# ---------------------------------------------------------------- export


def test_export_then_import_gives_the_same_collection(shop):
    collection = shop.collections[0]
    warnings: list[str] = []
    again = parse_http(to_http(collection, warnings=warnings), name="shop.http").collections[0]
    assert warnings == ["Upload logo: the body is a file still to attach; it is written as < ./body.bin"]
    assert again.variables == collection.variables
    strip = [replace(r, source_path="") for r in again.requests()]
    assert strip == [replace(r, source_path="") for r in collection.requests()]


def test_export_writes_directives_auth_and_folder_names():
    spec = RequestSpec(
        method="POST",
        url="{{base}}/items",
        params=[KeyValue("q", "a b")],
        headers=[KeyValue("X-Off", "1", enabled=False)],
        body=Body(mode="json", text='{"a": 1}'),
        auth=Auth(type="basic", username="u", password="p"),
        options=Options(follow_redirects=False, use_cookies=False, verify_tls=False, timeout_ms=2500),
    )
    collection = ImportedCollection(
        name="API",
        variables=[KeyValue("base", "http://127.0.0.1:8000")],
        items=[ImportedFolder(name="Items", items=[ImportedRequest(name="Create", spec=spec, description="Makes one")])],
    )
    assert to_http(collection) == (
        "# API\n"
        "\n"
        "@base = http://127.0.0.1:8000\n"
        "\n"
        "### Items / Create\n"
        "# Makes one\n"
        "# @no-redirect\n"
        "# @no-cookie-jar\n"
        "# @no-reject-unauthorized\n"
        "# @timeout 2500 ms\n"
        "POST {{base}}/items?q=a%20b\n"
        "# X-Off: 1\n"
        "Authorization: Basic u p\n"
        "Content-Type: application/json\n"
        "\n"
        '{"a": 1}\n'
    )


def test_export_one_file_per_folder():
    leaf = ImportedRequest(name="Get", spec=RequestSpec(url="http://h/x"))
    collection = ImportedCollection(
        name="Shop: API",
        items=[
            ImportedRequest(name="Ping", spec=RequestSpec(url="http://h/ping")),
            ImportedFolder(name="Catalog", items=[leaf, ImportedFolder(name="Admin/Ops", items=[leaf])]),
        ],
    )
    files = to_http_files(collection)
    assert sorted(files) == ["Catalog.http", "Catalog/Admin_Ops.http", "Shop_ API.http"]
    assert [r.name for r in parse_http(files["Catalog.http"]).collections[0].requests()] == ["Get"]


def test_inherited_collection_auth_is_written_on_each_request():
    collection = ImportedCollection(
        name="c",
        auth=Auth(type="bearer", token="t"),
        items=[ImportedRequest(name="r", spec=RequestSpec(url="http://h/"), inherits_auth=True)],
    )
    assert "Authorization: Bearer t" in to_http(collection)


# ---------------------------------------------------------------- property: export → import

# .http has no quoting: body lines must not look like .http syntax, and bodies lose
# blank lines at their ends. Keys and values that a line-based format can carry.
_body_text = st.text(string.ascii_letters + string.digits + " {}\":,.-_=&\n", max_size=40).map(lambda t: t.strip("\n "))
_safe_value = st.text(string.ascii_letters + string.digits + "-_.~/", min_size=1, max_size=12)


@st.composite
def http_specs(draw: Any) -> RequestSpec:
    spec = draw(request_specs(body_modes=("none", "raw", "json", "urlencoded", "multipart", "binary", "graphql")))
    body = spec.body
    if body.mode in ("raw", "json"):
        body = replace(body, text=draw(_body_text) or "x")  # an empty body reads back as no body
    elif body.mode == "binary":
        body = replace(body, data=draw(_body_text).encode() or b"x")
    elif body.mode == "urlencoded":
        body = replace(body, fields=[FormField(draw(_safe_value), draw(_safe_value)) for _ in body.fields])
    elif body.mode == "graphql":
        body = replace(body, query=draw(_safe_value))
    headers = [KeyValue(h.key, draw(_safe_value), h.enabled) for h in spec.headers if not h.key.startswith(("#", "/"))]
    return replace(spec, body=body, headers=headers)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(http_specs(), min_size=1, max_size=3))
def test_generated_requests_export_and_import_back(specs):
    collection = ImportedCollection(name="c", items=[ImportedRequest(name=f"r{i}", spec=s) for i, s in enumerate(specs)])
    imported = parse_http(to_http(collection)).collections[0].requests()
    assert [wire_signature(r.spec) for r in imported] == [wire_signature(s) for s in specs]
    assert [[h for h in r.spec.headers if not h.enabled] for r in imported] == [
        [h for h in s.headers if not h.enabled] for s in specs
    ]
    assert [r.spec.options.use_cookies for r in imported] == [s.options.use_cookies for s in specs]

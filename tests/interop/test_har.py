from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from pathlib import Path

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from requests_app.engine import OutboundPolicy, send
from requests_app.engine.spec import Body, FilePart, FormField, KeyValue, Options, RequestSpec
from requests_app.interop.har import HarSource, dumps_har, export_har, parse_har
from requests_app.interop.model import ImportedFolder, ImportFormatError

FIXTURES = Path(__file__).parent / "fixtures" / "har"
VALIDATOR = jsonschema.Draft7Validator(json.loads((FIXTURES / "har-1.2.schema.json").read_text()))
WHEN = datetime(2024, 5, 2, 10, 0, 0, 123000, tzinfo=UTC)


def har_errors(document: dict) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in VALIDATOR.iter_errors(document)]


def source(spec: RequestSpec) -> HarSource:
    return HarSource.from_exchange(spec, send(spec, policy=OutboundPolicy.allow_all()), started_at=WHEN)


# ---------------------------------------------------------------- export


def test_export_of_a_real_exchange_is_valid_har_with_request_and_response(echo_server):
    spec = RequestSpec(
        method="POST",
        url=echo_server.url("/anything/orders?x=1&y=two"),
        headers=[KeyValue("Cookie", "sid=abc; theme=dark"), KeyValue("X-Trace", "t1")],
        body=Body(mode="json", text='{"qty": 2, "name": "café"}'),
    )
    har = export_har([source(spec)])
    assert har_errors(har) == []
    log = har["log"]
    assert (log["version"], log["creator"]["name"]) == ("1.2", "webclient")
    entry = log["entries"][0]
    assert entry["startedDateTime"] == "2024-05-02T10:00:00.123+00:00"
    request, response = entry["request"], entry["response"]
    assert request["method"] == "POST"
    assert request["url"] == spec.url
    assert request["queryString"] == [{"name": "x", "value": "1"}, {"name": "y", "value": "two"}]
    assert request["cookies"] == [{"name": "sid", "value": "abc"}, {"name": "theme", "value": "dark"}]
    assert {"name": "X-Trace", "value": "t1"} in request["headers"]
    assert request["postData"] == {"mimeType": "application/json", "text": '{"qty": 2, "name": "café"}'}
    assert request["headersSize"] > 0
    assert response["status"] == 200 and response["statusText"] == "OK"
    assert json.loads(response["content"]["text"])["json"] == {"qty": 2, "name": "café"}
    assert response["content"]["mimeType"].startswith("application/json")
    assert entry["time"] > 0 and entry["timings"]["wait"] >= 0


def test_export_lists_redirect_hops_then_the_final_exchange(echo_server):
    spec = RequestSpec(url=echo_server.url("/redirect/2"))
    har = export_har([source(spec)])
    assert har_errors(har) == []
    entries = har["log"]["entries"]
    assert [e["response"]["status"] for e in entries] == [302, 302, 200]
    assert entries[0]["response"]["redirectURL"] == entries[1]["request"]["url"].replace(echo_server.url(""), "")
    assert entries[-1]["request"]["url"].endswith("/get")


def test_export_of_a_failed_exchange_has_status_zero_and_the_error(closed_port):
    spec = RequestSpec(url=f"http://127.0.0.1:{closed_port}/x")
    har = export_har([source(spec)])
    assert har_errors(har) == []
    entry = har["log"]["entries"][0]
    assert entry["response"]["status"] == 0
    assert entry["_error"].startswith("refused: ")
    assert entry["comment"] == entry["_error"]


def test_export_binary_response_as_base64_and_multipart_as_params(echo_server):
    png = source(RequestSpec(url=echo_server.url("/image/png")))
    upload = source(
        RequestSpec(
            method="POST",
            url=echo_server.url("/anything"),
            body=Body(mode="multipart", fields=[FormField("a", "1"), FormField("f", file=FilePart("x.bin", b"\x00\x01"))]),
        )
    )
    har = export_har([png, upload])
    assert har_errors(har) == []
    content = har["log"]["entries"][0]["response"]["content"]
    assert content["encoding"] == "base64"
    assert base64.b64decode(content["text"]).startswith(b"\x89PNG")
    params = har["log"]["entries"][1]["request"]["postData"]["params"]
    assert params == [{"name": "a", "value": "1"}, {"name": "f", "fileName": "x.bin", "contentType": "application/octet-stream"}]


def test_exported_har_imports_back_as_the_same_requests(echo_server):
    specs = [
        RequestSpec(url=echo_server.url("/anything/a?q=1"), headers=[KeyValue("X-A", "1")]),
        RequestSpec(
            method="PUT",
            url=echo_server.url("/anything/b"),
            body=Body(mode="urlencoded", fields=[FormField("k", "v w"), FormField("z", "ü")]),
        ),
        RequestSpec(
            method="PATCH",
            url=echo_server.url("/anything/c"),
            headers=[KeyValue("Content-Type", "text/csv")],
            body=Body(mode="raw", text="a,b\n1,2"),
        ),
    ]
    imported = parse_har(dumps_har([source(s) for s in specs])).collections[0].requests()
    assert [(r.spec.method, r.spec.url, r.spec.body) for r in imported] == [(s.method, s.url, s.body) for s in specs]
    # what the engine added on the wire comes back as plain headers
    assert KeyValue("X-A", "1") in imported[0].spec.headers
    assert all(h.key.lower() not in ("host", "content-length") for r in imported for h in r.spec.headers)


# ---------------------------------------------------------------- import


@pytest.fixture(scope="module")
def browser():
    return parse_har((FIXTURES / "browser-session.har").read_text())


def test_browser_har_becomes_a_folder_per_host(browser):
    collection = browser.collections[0]
    assert collection.name == "Shop checkout"
    assert [f.name for f in collection.items] == ["shop.example.com", "auth.example.com"]
    assert all(isinstance(f, ImportedFolder) for f in collection.items)
    assert [r.name for r in collection.requests()] == [
        "GET /api/cart",
        "POST /api/cart/items",
        "POST /api/receipts",
        "POST /login",
    ]


def test_http2_pseudo_headers_and_transport_headers_are_left_out(browser):
    cart, add = browser.collections[0].requests()[:2]
    assert [h.key for h in cart.spec.headers] == ["accept", "cookie", "user-agent"]
    assert cart.spec.url == "https://shop.example.com/api/cart?currency=EUR&expand=items"
    assert [h.key for h in add.spec.headers] == ["Content-Type", "X-CSRF-Token"]
    assert add.spec.body == Body(mode="json", text='{"sku":"MUG-1","qty":2}')


def test_posted_forms_and_multipart_params(browser):
    requests = {r.name: r for r in browser.collections[0].requests()}
    assert requests["POST /login"].spec.body == Body(
        mode="urlencoded", fields=[FormField("user", "alice"), FormField("pass", "p@ss word")]
    )
    receipts = requests["POST /api/receipts"].spec
    assert receipts.body.fields == [
        FormField("orderId", "1001"),
        FormField("receipt", file=FilePart("receipt.pdf", b"", "application/pdf")),
    ]
    assert receipts.headers == []  # the recorded boundary would not match our body


def test_report_names_skipped_entries_and_files(browser):
    assert [f"{r.level}: {r}" for r in browser.report] == [
        "downgraded: log.entries[3].request.postData.params[1]: file field 'receipt': attach the file receipt.pdf before sending",
        "dropped: log.entries[4].request.url: data: URLs cannot be sent; entry skipped",
        "note: log.entries: responses are not imported; each entry becomes a request to send again",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "HAR file: line 1, column 2: is not valid JSON"),
        ("[]", "HAR file: expected an object"),
        ('{"entries": []}', "HAR file: log: missing (a HAR file has log.entries)"),
        ('{"log": {"entries": {}}}', "HAR file: log.entries: expected a list"),
        ('{"log": {"entries": [{"request": {"url": [7]}}]}}', "HAR file: log.entries[0].request.url: expected a string"),
        ('{"log": {"entries": [{"request": {"url": "http://h/", "headers": [{"name": 1, "value": []}]}}]}}',
         "HAR file: log.entries[0].request.headers[0].value: expected a string"),
        ('{"log": ' * 100 + "{}" + "}" * 100, "HAR file: line 1, column 513: nesting is deeper than 64 levels"),
    ],
)
def test_malformed_har_raises_a_named_error_with_position(text, message):
    with pytest.raises(ImportFormatError) as caught:
        parse_har(text)
    assert str(caught.value).startswith(message)


def test_options_are_defaults_for_imported_entries(browser):
    assert browser.collections[0].requests()[0].spec.options == Options()


_KEYS = st.sampled_from(
    ["log", "entries", "pages", "title", "request", "method", "url", "headers", "name", "value", "postData",
     "mimeType", "text", "params", "fileName", "comment"]
)
_SCALARS = st.none() | st.integers() | st.text(max_size=5) | st.sampled_from(["http://h/x", "application/json", "multipart/form-data"])


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.recursive(_SCALARS, lambda c: st.lists(c, max_size=3) | st.dictionaries(_KEYS, c, max_size=4), max_leaves=30))
def test_any_json_imports_or_raises_import_format_error(document):
    try:
        parse_har(json.dumps(document))
    except ImportFormatError:
        pass


def test_an_exported_redirect_chain_imports_and_replays_each_request_once(echo_server):
    """Issue 12 item 6: the hops the engine followed are marked; replaying the import sends the
    chain once (before, the first entry followed the redirect and the second was sent again)."""
    from datetime import UTC, datetime

    from requests_app.engine import OutboundPolicy, send
    from requests_app.interop.har import HarSource, dumps_har

    spec = RequestSpec(url=echo_server.url("/redirect/2"))
    exchange = send(spec, policy=OutboundPolicy.allow_all())
    har = json.loads(dumps_har([HarSource.from_exchange(spec, exchange, started_at=datetime.now(UTC))]))
    assert [e.get("_webclientFollowedRedirect", False) for e in har["log"]["entries"]] == [False, True, True]
    imported = parse_har(json.dumps(har))
    assert [r.spec.url for r in imported.collections[0].requests()] == [spec.url]
    before = echo_server.accepted_connections
    for request in imported.collections[0].requests():
        send(request.spec, policy=OutboundPolicy.allow_all())
    assert echo_server.accepted_connections - before == 3  # /redirect/2, /redirect/1, /get: once each


def test_a_browser_har_entry_reached_by_a_redirect_is_not_imported_twice():
    entries = [
        {"request": {"method": "GET", "url": "http://h/old", "headers": []},
         "response": {"status": 301, "redirectURL": "/new", "headers": []}},
        {"request": {"method": "GET", "url": "http://h/new", "headers": []}, "response": {"status": 200, "headers": []}},
        {"request": {"method": "GET", "url": "http://h/other", "headers": []}, "response": {"status": 200, "headers": []}},
    ]
    result = parse_har(json.dumps({"log": {"entries": entries}}))
    assert [r.spec.url for r in result.collections[0].requests()] == ["http://h/old", "http://h/other"]
    assert "log.entries[1]: reached by following the previous entry's redirect; not imported, so it is sent once" in [
        str(r) for r in result.report
    ]

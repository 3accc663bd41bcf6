from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from requests_app.engine.spec import Auth, Body, FilePart, FormField, KeyValue, Options, RequestSpec
from requests_app.interop.model import (
    ImportedCollection,
    ImportedFolder,
    ImportedRequest,
    ImportFormatError,
)
from requests_app.interop.postman import (
    SCHEMA_V21,
    dumps_postman,
    export_postman,
    export_postman_environment,
    parse_postman,
    parse_postman_environment,
)
from tests.interop.strategies import auths, request_specs, wire_signature, word

FIXTURES = Path(__file__).parent / "fixtures" / "postman"
SCHEMA = json.loads((FIXTURES / "collection-v2.1.0.schema.json").read_text())
VALIDATOR = jsonschema.Draft7Validator(SCHEMA)


def load(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def by_name(collection: ImportedCollection) -> dict[str, Any]:
    return {item.name: item for item in collection.walk()}


def schema_errors(document: dict[str, Any]) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in VALIDATOR.iter_errors(document)]


@pytest.fixture(scope="module")
def shop():
    return parse_postman(load("shop-api.postman_collection.json"))


# ---------------------------------------------------------------- import: structure


def test_the_shipped_schema_accepts_a_real_world_collection():
    assert schema_errors(json.loads(load("shop-api.postman_collection.json"))) == []


def test_collection_metadata_variables_and_auth(shop):
    collection = shop.collections[0]
    assert collection.name == "Shop API"
    assert collection.description == "Everything the **shop** front end calls."
    assert collection.variables == [
        KeyValue("baseUrl", "https://shop.example.com/api/v2"),
        KeyValue("pageSize", "25"),
        KeyValue("legacyHost", "http://old.example.com", enabled=False),
    ]
    assert collection.auth == Auth(type="bearer", token="{{accessToken}}")
    assert shop.counts() == {
        "collections": 1,
        "folders": 3,
        "requests": 13,
        "environments": 0,
        "dropped": 1,
        "downgraded": 5,
        "notes": 4,
    }


def test_nested_folders_keep_their_order_and_descriptions(shop):
    catalog, checkout = shop.collections[0].items
    assert isinstance(catalog, ImportedFolder) and catalog.description == "Products and categories"
    assert [item.name for item in catalog.items] == ["List products", "Get product", "Admin"]
    admin = catalog.items[2]
    assert isinstance(admin, ImportedFolder)
    assert [r.name for r in admin.items] == ["Create product", "Import catalog (XML)", "Delete product (digest)"]
    assert admin.source_path == "item[0].item[2]"
    assert [r.name for r in checkout.items][-1] == "Ping"


def test_url_object_keeps_the_raw_query_and_disabled_params(shop):
    spec = by_name(shop.collections[0])["List products"].spec
    assert spec.url == "{{baseUrl}}/products?page=1&limit={{pageSize}}&q=caf%C3%A9"
    assert spec.params == [KeyValue("sort", "price", enabled=False)]
    assert spec.headers == [KeyValue("Accept", "application/json"), KeyValue("X-Debug", "1", enabled=False)]


def test_path_variables_take_their_value_or_become_variables(shop):
    spec = by_name(shop.collections[0])["Get product"].spec
    assert spec.url == "{{baseUrl}}/products/42/variants/{{variantId}}"


def test_header_string_form_with_disabled_lines(shop):
    spec = by_name(shop.collections[0])["Get product"].spec
    assert spec.headers == [
        KeyValue("Accept", "application/json"),
        KeyValue("X-Trace", "on", enabled=False),
        KeyValue("X-Request-Id", "{{$guid}}"),
    ]


def test_request_given_as_a_string_is_a_get():
    result = parse_postman(load("shop-api.postman_collection.json"))
    ping = by_name(result.collections[0])["Ping"]
    assert (ping.spec.method, ping.spec.url) == ("GET", "https://shop.example.com/ping")


# ---------------------------------------------------------------- import: bodies


def test_raw_json_body_becomes_json_mode(shop):
    body = by_name(shop.collections[0])["Create product"].spec.body
    assert body.mode == "json"
    assert json.loads(body.text.replace("{{$randomAlphaNumeric}}-{{$randomBankAccount}}", "x"))["price"] == 9.5


def test_raw_body_language_sets_the_content_type(shop):
    items = by_name(shop.collections[0])
    assert items["Import catalog (XML)"].spec.body == Body(
        mode="raw", text='<catalog><item id="1"/></catalog>', content_type="application/xml"
    )
    assert items["Pay (API key in query)"].spec.body == Body(mode="raw", text="amount=10", content_type="text/plain")


def test_urlencoded_body_keeps_disabled_fields(shop):
    body = by_name(shop.collections[0])["Login form"].spec.body
    assert body == Body(
        mode="urlencoded",
        fields=[
            FormField("username", "alice"),
            FormField("password", "p@ss word&="),
            FormField("remember", "true", enabled=False),
        ],
        form_encoding="percent",  # a space as %20, as newman sends it
    )


def test_formdata_text_and_file_fields(shop):
    body = by_name(shop.collections[0])["Upload receipt"].spec.body
    assert body.mode == "multipart"
    assert body.fields == [
        FormField("orderId", "1001"),
        FormField("meta", '{"a":1}'),
        FormField("receipt", file=FilePart("receipt.pdf", b"", "application/pdf")),
        FormField("extra", file=FilePart("", b"", "application/octet-stream")),
        FormField("old", "x", enabled=False),
    ]


def test_file_body_is_created_empty_with_its_header(shop):
    spec = by_name(shop.collections[0])["Upload raw file"].spec
    assert spec.body == Body(mode="binary", data=b"")
    assert spec.headers == [KeyValue("Content-Type", "image/png")]


def test_graphql_body(shop):
    body = by_name(shop.collections[0])["Order status (GraphQL)"].spec.body
    assert body.mode == "graphql"
    assert body.query == "query Order($id: ID!) { order(id: $id) { status } }"
    assert json.loads(body.variables) == {"id": "1001"}


# ---------------------------------------------------------------- import: auth, options, scripts


def test_auth_types_and_inheritance(shop):
    items = by_name(shop.collections[0])
    assert items["List products"].inherits_auth and items["List products"].spec.auth == Auth()
    # folder auth stays on the folder; the requests below inherit it
    admin = next(folder for folder in shop.collections[0].folders() if folder.name == "Admin")
    assert admin.auth == Auth(type="basic", username="admin", password="hunter2")
    assert items["Create product"].inherits_auth
    sent = {request.name: shop.collections[0].sent_auth(request, folders)
            for request, folders in shop.collections[0].requests_with_folders()}
    assert sent["Create product"] == admin.auth
    assert sent["List products"] == Auth(type="bearer", token="{{accessToken}}")  # Catalog inherits too
    assert items["Import catalog (XML)"].spec.auth == Auth()  # noauth beats the folder's auth
    assert not items["Import catalog (XML)"].inherits_auth
    assert items["Delete product (digest)"].spec.auth == Auth(type="digest", username="ops", password="pw")
    assert items["Pay (API key in query)"].spec.auth == Auth(
        type="apikey", key="api_key", value="{{payKey}}", location="query"
    )
    assert items["Order status (GraphQL)"].spec.auth == Auth(type="apikey", key="X-Api-Key", value="k-123")
    assert items["OAuth call"].spec.auth == Auth(type="bearer", token="ya29.token")
    assert items["Legacy signed call"].spec.auth == Auth()


def test_a_file_run_sends_folder_auth_and_folder_variables(shop):
    from requests_app.runner.from_import import plan_from_import

    collection = shop.collections[0]
    catalog = next(folder for folder in collection.folders() if folder.name == "Catalog")
    catalog.variables = [KeyValue("pageSize", "50")]
    items = {item.name: item for item in plan_from_import(collection).items}
    assert items["Create product"].spec.auth == Auth(type="basic", username="admin", password="hunter2")
    assert items["Import catalog (XML)"].spec.auth == Auth()  # its own noauth
    assert items["List products"].spec.auth == Auth(type="bearer", token="{{accessToken}}")
    assert items["List products"].variables == {"pageSize": "50"}  # above the collection's 25
    assert items["Ping"].variables == {}


def test_protocol_profile_behavior_maps_to_options(shop):
    options = by_name(shop.collections[0])["Pay (API key in query)"].spec.options
    assert options == Options(follow_redirects=False, max_redirects=3, verify_tls=False, use_cookies=False)


def test_scripts_are_imported_to_run(shop):
    collection = shop.collections[0]
    items = by_name(collection)
    assert items["List products"].scripts == {
        "test": 'pm.test("status is 200", function () {\n    pm.response.to.have.status(200);\n});'
    }
    assert items["Admin"].scripts == {"prerequest": "console.log('admin folder');"}
    assert collection.scripts == {"prerequest": "pm.variables.set('requestId', pm.variables.replaceIn('{{$guid}}'));"}


def test_report_names_every_dropped_or_downgraded_element_with_its_path(shop):
    assert [f"{r.level}: {r}" for r in shop.report] == [
        "downgraded: item[0].item[1].request.url.variable: :productId became its value '42'",
        "downgraded: item[0].item[1].request.url.variable: :variantId became the variable {{variantId}}",
        "note: item[0].item[2].item[0]: {{$randomBankAccount}} is not a dynamic variable webclient knows; "
        "it is sent as written",
        "note: item[1].item[1].request.body.formdata[1]: the part's own Content-Type (application/json) is not kept",
        "downgraded: item[1].item[1].request.body.formdata[2]: file field 'receipt': "
        "attach the file /Users/alice/Downloads/receipt.pdf before sending",
        "note: item[1].item[1].request.body.formdata[3]: file field 'extra': no file was selected",
        "downgraded: item[1].item[2].request.body.file: attach the file /tmp/logo.png as the body before sending",
        "note: item[1].item[3].protocolProfileBehavior.insecureHTTPParser: "
        "this request setting is not supported; ignored",
        "dropped: item[1].item[5].request.auth: auth type 'hawk' is not supported; "
        "the request is imported without auth",
        "downgraded: item[1].item[6].request.auth: OAuth 2.0: the saved access token is sent as a bearer token; "
        "it is not refreshed",
    ]


def test_v2_0_collection_auth_objects_and_url_parts():
    result = parse_postman(load("echo-v2.0.postman_collection.json"))
    items = by_name(result.collections[0])
    assert items["Basic auth"].spec.auth == Auth(type="basic", username="postman", password="password")
    assert items["Basic auth"].spec.body == Body()  # an empty formdata list sends nothing
    assert items["Basic auth"].description == "Basic auth, v2.0 style"
    assert items["Bearer"].spec.auth == Auth(type="bearer", token="abc")
    assert items["Bearer"].spec.url == "https://postman-echo.com/get?foo=bar"
    parts = items["Parts only URL"].spec
    assert parts.url == "http://localhost:8080/v1/items?a=1&flag#top"
    assert parts.params == [KeyValue("b", "2", enabled=False)]
    assert result.report == []


def test_scripts_that_run_are_not_reported_and_disabled_ones_are_named_at_their_path():
    collection = {
        "info": {"name": "c", "schema": SCHEMA_V21},
        "item": [
            {"name": "a", "request": "http://h/a"},
            {"name": "b", "request": "http://h/b"},
            {"name": "c", "request": "http://h/c"},
            {
                "name": "Folder",
                "item": [
                    {
                        "name": "r",
                        "request": "http://h/r",
                        "event": [{"listen": "test", "script": {"exec": "pm.expect(1).to.eql(1)"}},
                                  {"listen": "prerequest", "disabled": True, "script": {"exec": "off()"}}],
                    }
                ],
            },
        ],
    }
    result = parse_postman(json.dumps(collection))
    assert [str(r) for r in result.report] == [
        "item[3].item[0].event[1]: request pre-request script disabled in the source; not imported"]
    assert result.collections[0].requests()[3].scripts == {"test": "pm.expect(1).to.eql(1)"}


# ---------------------------------------------------------------- environments


def test_environment_import_marks_secrets_and_disabled_values():
    result = parse_postman_environment(load("staging.postman_environment.json"))
    environment = result.environments[0]
    assert environment.name == "Staging"
    assert [(v.key, v.value, v.secret, v.enabled) for v in environment.variables] == [
        ("baseUrl", "https://staging.shop.example.com/api/v2", False, True),
        ("accessToken", "eyJ.staging.token", True, True),
        ("payKey", "pk_test_123", True, True),
        ("retries", "3", False, False),
    ]
    assert result.counts()["environments"] == 1


def test_environment_export_reads_back():
    environment = parse_postman_environment(load("staging.postman_environment.json")).environments[0]
    exported = export_postman_environment(environment)
    assert exported["values"][1]["type"] == "secret"
    assert parse_postman_environment(json.dumps(exported)).environments[0] == environment


# ---------------------------------------------------------------- malformed input


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"info": {"name": "x"', "Postman collection: line 1, column 22: is not valid JSON (Expecting ',' delimiter)"),
        ("[1, 2]", "Postman collection: expected a JSON object at the top level, found a list"),
        ('{"item": []}', "Postman collection: info: missing (a Postman collection has info and item)"),
        ('{"info": {"name": "x"}}', "Postman collection: item: missing (a Postman collection has info and item)"),
        (
            '{"info": {"name": "x"}, "item": [{"name": "r", "request": {"url": 5}}]}',
            "Postman collection: item[0].request.url: expected a string or an object, found a number",
        ),
        (
            '{"info": {"name": "x"}, "item": [{"name": "f", "item": [{"name": "r"}]}]}',
            "Postman collection: item[0].item[0]: is neither a request (no request) nor a folder (no item)",
        ),
        (
            '{"info": {"name": "x"}, "item": [{"request": {"header": [{"key": ["a"]}]}}]}',
            "Postman collection: item[0].request.header[0].key: expected a string, found a list",
        ),
        (
            '{"info": {"name": "x"}, "item": {"request": "http://h/"}}',
            "Postman collection: item: expected a list, found an object",
        ),
        (
            '{"id": "1", "name": "v1", "order": [], "requests": []}',
            "Postman collection: this is a Postman v1 collection; export it again from Postman as Collection v2.1",
        ),
        (
            '{"info": {"name": "x"}, "item": [], "n": ' + "1" * 5000 + "}",
            "Postman collection: line 1, column 42: a number is longer than 4,300 digits",
        ),
    ],
)
def test_malformed_collections_raise_a_named_error_with_position(text, message):
    with pytest.raises(ImportFormatError) as caught:
        parse_postman(text)
    assert str(caught.value).startswith(message)


def test_ten_thousand_levels_of_nesting_are_refused_before_parsing():
    deep = '{"info": {"name": "x"}, "item": ' + "[" * 10_000 + "]" * 10_000 + "}"
    with pytest.raises(ImportFormatError) as caught:
        parse_postman(deep)
    assert str(caught.value) == "Postman collection: line 1, column 96: nesting is deeper than 64 levels"


def test_fifty_megabytes_and_binary_garbage_are_refused():
    with pytest.raises(ImportFormatError, match="is 50.0 MiB; imports are limited to 10 MiB"):
        parse_postman(b"{" + b" " * (50 * 1024 * 1024) + b"}")
    with pytest.raises(ImportFormatError, match="not UTF-8 text"):
        parse_postman(bytes(range(256)))


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=5), lambda c: st.lists(c, max_size=3) | st.dictionaries(st.sampled_from(["info", "item", "request", "url", "name", "body", "mode", "auth", "type", "header", "event", "variable", "raw", "query"]), c, max_size=4), max_leaves=30))
def test_any_json_imports_or_raises_import_format_error(document):
    try:
        parse_postman(json.dumps(document))
    except ImportFormatError:
        pass


# ---------------------------------------------------------------- export


def test_export_of_an_imported_collection_validates_and_round_trips(shop):
    exported = export_postman(shop.collections[0])
    assert schema_errors(exported) == []
    again = parse_postman(dumps_postman(shop.collections[0]))
    assert again.collections[0] == shop.collections[0]


def test_v2_0_import_exports_as_valid_v2_1():
    collection = parse_postman(load("echo-v2.0.postman_collection.json")).collections[0]
    exported = export_postman(collection)
    assert exported["info"]["schema"] == SCHEMA_V21
    assert schema_errors(exported) == []
    assert parse_postman(json.dumps(exported)).collections[0] == collection


def test_export_shapes_follow_postman():
    request = ImportedRequest(
        name="Create",
        spec=RequestSpec(
            method="POST",
            url="https://api.example.com:8443/v1/items?x=1#frag",
            params=[KeyValue("q", "a b"), KeyValue("off", "1", enabled=False)],
            headers=[KeyValue("X-Off", "1", enabled=False)],
            body=Body(mode="raw", text="<a/>", content_type="application/vnd.acme+xml"),
            auth=Auth(type="apikey", key="X-Key", value="k"),
            options=Options(follow_redirects=False, timeout_ms=5_000),
        ),
        scripts={"test": "line1\nline2"},
    )
    item = export_postman(ImportedCollection(name="c", items=[request]))["item"][0]
    url = item["request"]["url"]
    assert url["raw"] == "https://api.example.com:8443/v1/items?x=1&q=a%20b#frag"
    assert (url["protocol"], url["host"], url["port"], url["path"]) == ("https", ["api", "example", "com"], "8443", ["v1", "items"])
    assert url["query"] == [
        {"key": "x", "value": "1"},
        {"key": "q", "value": "a%20b"},
        {"key": "off", "value": "1", "disabled": True},
    ]
    assert url["hash"] == "frag"
    assert item["request"]["header"] == [
        {"key": "X-Off", "value": "1", "type": "text", "disabled": True},
        {"key": "Content-Type", "value": "application/vnd.acme+xml", "type": "text"},
    ]
    assert item["request"]["body"] == {"mode": "raw", "raw": "<a/>", "options": {"raw": {"language": "text"}}}
    assert item["request"]["auth"] == {
        "type": "apikey",
        "apikey": [
            {"key": "key", "value": "X-Key", "type": "string"},
            {"key": "value", "value": "k", "type": "string"},
            {"key": "in", "value": "header", "type": "string"},
        ],
    }
    assert item["event"] == [{"listen": "test", "script": {"type": "text/javascript", "exec": ["line1", "line2"]}}]
    assert item["protocolProfileBehavior"] == {"followRedirects": False, "webclientTimeoutMs": 5000}


def test_inherited_auth_is_left_out_so_postman_inherits_too():
    request = ImportedRequest(name="r", spec=RequestSpec(url="http://h/"), inherits_auth=True)
    collection = ImportedCollection(name="c", auth=Auth(type="bearer", token="t"), items=[request])
    exported = export_postman(collection)
    assert "auth" not in exported["item"][0]["request"]
    assert exported["auth"] == {"type": "bearer", "bearer": [{"key": "token", "value": "t", "type": "string"}]}


# ---------------------------------------------------------------- property: export → import


def _inheriting_has_no_own_auth(request: ImportedRequest) -> ImportedRequest:
    if request.inherits_auth:
        request.spec.auth = Auth()
    return request


@st.composite
def collections(draw: Any) -> ImportedCollection:
    def requests() -> Any:
        return st.builds(
            ImportedRequest,
            name=word,
            spec=request_specs(),
            description=st.sampled_from(["", "Some *markdown*"]),
            scripts=st.sampled_from([{}, {"test": "pm.test('x', () => {});"}, {"prerequest": "a\nb"}]),
            inherits_auth=st.booleans(),
        ).map(_inheriting_has_no_own_auth)

    tree = st.recursive(
        requests(),
        lambda children: st.builds(ImportedFolder, name=word, items=st.lists(children, max_size=3),
                                   auth=st.none() | auths(),
                                   variables=st.lists(st.builds(KeyValue, key=word, value=word, enabled=st.booleans()),
                                                      max_size=2)),
        max_leaves=6,
    )
    return ImportedCollection(
        name=draw(word),
        description=draw(st.sampled_from(["", "About this collection"])),
        variables=draw(st.lists(st.builds(KeyValue, key=word, value=word, enabled=st.booleans()), max_size=3)),
        auth=draw(st.none() | auths()),
        items=draw(st.lists(tree, max_size=4)),
    )


def _meaning(collection: ImportedCollection) -> list[Any]:
    out: list[Any] = [collection.name, collection.description, collection.variables, collection.auth]
    for item in collection.walk():
        if isinstance(item, ImportedFolder):
            out.append(("folder", item.name, len(item.items), item.auth, item.variables))
            continue
        spec = item.spec
        out.append(
            (
                "request",
                item.name,
                item.description,
                item.scripts,
                item.inherits_auth,
                wire_signature(spec),
                [p for p in spec.params if not p.enabled],
                [h for h in spec.headers if not h.enabled],
                [(f.key, f.value) for f in spec.body.fields if not f.enabled],
                spec.options,
            )
        )
    return out


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(collections())
def test_generated_collections_export_valid_and_import_back_the_same(collection):
    exported = export_postman(collection)
    assert schema_errors(exported) == []
    imported = parse_postman(json.dumps(exported)).collections[0]
    assert _meaning(imported) == _meaning(collection)

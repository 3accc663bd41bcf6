from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from requests_app.engine.spec import Auth, Body, FilePart, FormField, KeyValue
from requests_app.interop.model import ImportedFolder, ImportFormatError
from requests_app.interop.openapi import parse_openapi

FIXTURES = Path(__file__).parent / "fixtures" / "openapi"


@pytest.fixture(scope="module")
def petstore():
    return parse_openapi((FIXTURES / "petstore-3.0.yaml").read_text())


@pytest.fixture(scope="module")
def events():
    return parse_openapi((FIXTURES / "events-3.1.json").read_bytes())


def requests_of(result):
    return {r.name: r for r in result.collections[0].requests()}


def test_one_folder_per_tag_in_declared_order_and_untagged_at_the_top(petstore):
    collection = petstore.collections[0]
    assert collection.name == "Petstore"
    assert collection.description.startswith("A sample pet store")
    pets, store, health = collection.items
    assert isinstance(pets, ImportedFolder) and pets.description == "Everything about pets"
    assert [r.name for r in pets.items] == [
        "List pets",
        "Add a pet",
        "showPetById",
        "Replace a pet (example given)",
        "Upload a photo",
    ]
    assert isinstance(store, ImportedFolder) and [r.name for r in store.items] == ["Place an order (form)", "Inventory"]
    assert health.name == "Health check"


def test_server_url_and_its_variables_become_collection_variables(petstore):
    assert petstore.collections[0].variables[:2] == [
        KeyValue("region", "eu"),
        KeyValue("baseUrl", "https://{{region}}.petstore.example.com/v1"),
    ]


def test_path_parameters_become_variables_with_their_examples(petstore):
    request = requests_of(petstore)["showPetById"]
    assert request.spec.url == "{{baseUrl}}/pets/{{petId}}"
    assert KeyValue("petId", "42") in petstore.collections[0].variables


def test_query_header_and_cookie_parameters_with_examples(petstore):
    spec = requests_of(petstore)["List pets"].spec
    # $ref'd parameters are followed; optional ones are imported but disabled
    assert spec.params == [KeyValue("limit", "20", enabled=False), KeyValue("status", "available")]
    assert spec.headers == [KeyValue("X-Request-Id", "", enabled=False), KeyValue("Cookie", "session=abc123")]


def test_json_body_skeleton_from_schema_with_refs_oneof_and_bounded_recursion(petstore):
    body = requests_of(petstore)["Add a pet"].spec.body
    assert body.mode == "json"
    assert json.loads(body.text) == {
        "name": "string",
        "tag": "dog",
        "born": "2024-01-01",
        "owner": {"email": "user@example.com"},
        "category": {"name": "Cats", "parent": None},
        "vaccinated": True,
        "weight": 0.0,
        "nicknames": ["string"],
    }


def test_named_example_wins_over_the_schema(petstore):
    request = requests_of(petstore)["Replace a pet (example given)"]
    assert json.loads(request.spec.body.text) == {"name": "Fluffy", "tag": "cat"}
    assert request.description == "Deprecated."


def test_form_and_multipart_bodies_become_fields(petstore):
    requests = requests_of(petstore)
    assert requests["Place an order (form)"].spec.body == Body(
        mode="urlencoded",
        fields=[FormField("petId", "7"), FormField("quantity", "1"), FormField("shipDate", "2024-01-01T00:00:00Z")],
    )
    assert requests["Upload a photo"].spec.body.fields == [
        FormField("caption", "On the sofa"),
        FormField("photo", file=FilePart("", b"", "application/octet-stream")),
    ]


def test_security_schemes_map_to_auth_with_variables(petstore):
    collection = petstore.collections[0]
    requests = requests_of(petstore)
    assert collection.auth == Auth(type="bearer", token="{{accessToken}}")
    assert requests["List pets"].inherits_auth
    assert not requests["showPetById"].inherits_auth and requests["showPetById"].spec.auth == Auth()
    assert requests["Place an order (form)"].spec.auth == Auth(type="apikey", key="X-API-Key", value="{{apiKey}}")
    assert requests["Inventory"].spec.auth == Auth(type="basic", username="{{username}}", password="{{password}}")
    assert requests["Health check"].inherits_auth  # OAuth 2 ends up as the same bearer token


def test_petstore_report(petstore):
    assert [f"{r.level}: {r}" for r in petstore.report] == [
        "note: servers[1]: another server, not used: http://localhost:8080/v1",
        "note: components.securitySchemes: auth secrets are variables ({{accessToken}}, {{apiKey}}, {{username}}, "
        "{{password}}): set them in an environment",
        "note: paths./pets/{petId}/photo.post.requestBody.content.multipart/form-data.schema.properties.photo: "
        "file field 'photo': attach a file before sending",
        "downgraded: components.securitySchemes.oauth: oauth2: the access token is sent as a bearer token from "
        "{{accessToken}}",
        "note: paths: responses are documentation only; they are not imported",
    ]


def test_openapi_3_1_types_examples_and_vendor_json(events):
    requests = requests_of(events)
    create = requests["createEvent"].spec
    assert create.headers == [KeyValue("Content-Type", "application/vnd.events+json")]
    assert json.loads(create.body.text) == {
        "title": "Launch",
        "at": "2024-01-01T00:00:00Z",
        "tags": ["public"],
        "meta": {"key": 0},
    }
    assert create.auth == Auth(type="apikey", key="api_key", value="{{apiKey}}", location="query")
    assert requests["GET /events/{id}/ics"].spec.url == "{{baseUrl}}/events/{{id}}/ics"
    assert KeyValue("id", "evt_1") in events.collections[0].variables
    assert requests["PUT /upload"].spec.body == Body(mode="binary", data=b"", content_type="application/octet-stream")
    assert [f"{r.level}: {r}" for r in events.report] == [
        "note: servers[0].url: the server URL '/api' is relative: make baseUrl a full URL",
        "note: components.securitySchemes: auth secrets are variables ({{apiKey}}): set them in an environment",
        "dropped: paths./events.post.callbacks: callbacks are not imported",
        "note: paths./upload.put.requestBody.content.application/octet-stream: the body is a file to attach",
        "dropped: webhooks: webhooks describe requests the API sends, not ones to make; not imported",
        "note: paths: responses are documentation only; they are not imported",
    ]


def test_a_self_referencing_schema_cycle_terminates():
    document = {
        "openapi": "3.0.0",
        "info": {"title": "t"},
        "paths": {"/n": {"post": {"requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/A"}}}}}}},
        "components": {
            "schemas": {
                "A": {"type": "object", "properties": {"b": {"$ref": "#/components/schemas/B"}}},
                "B": {"type": "array", "items": {"allOf": [{"$ref": "#/components/schemas/A"}]}},
            }
        },
    }
    body = parse_openapi(json.dumps(document)).collections[0].requests()[0].spec.body
    assert json.loads(body.text) == {"b": [{}]}


def test_wide_schemas_are_bounded():
    properties = {f"p{i}": {"$ref": "#/components/schemas/Wide"} for i in range(50)}
    document = {
        "openapi": "3.0.0",
        "info": {"title": "t"},
        "paths": {"/w": {"post": {"requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Top"}}}}}}},
        "components": {"schemas": {"Top": {"type": "object", "properties": properties}, "Wide": {"type": "object", "properties": {f"q{i}": {"type": "array", "items": {"type": "object", "properties": {f"r{j}": {"type": "string"} for j in range(50)}}} for i in range(50)}}}},
    }
    body = parse_openapi(json.dumps(document)).collections[0].requests()[0].spec.body
    assert len(body.text) < 1_000_000


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"swagger": "2.0"}', "OpenAPI document: swagger: Swagger 2.0 is not supported; convert the document to OpenAPI 3 first"),
        ("title: nothing here", "OpenAPI document: openapi: expected version 3.0 or 3.1, found None"),
        ("- a\n- b", "OpenAPI document: expected an object at the top level (is this an OpenAPI document?)"),
        ("openapi: 3.0.0\npaths:\n  /a:\n    get:\n      parameters: {}", "OpenAPI document: paths./a.get.parameters: expected a list"),
        (
            "openapi: 3.0.0\npaths:\n  /a:\n    get:\n      parameters:\n        - $ref: '#/components/parameters/nope'",
            "OpenAPI document: paths./a.get.parameters[0].$ref: #/components/parameters/nope does not exist in this document",
        ),
        (
            "openapi: 3.0.0\npaths:\n  /a:\n    get:\n      security:\n        - missing: []",
            "OpenAPI document: paths./a.get.security[0]: the security scheme 'missing' is not defined in components.securitySchemes",
        ),
        ("openapi: 3.0.0\ninfo: {title: [unclosed", "OpenAPI document: line 3, column 1: is not valid YAML"),
        ('{"openapi": "3.0.0", "paths": ', "OpenAPI document: line 1, column 31: is not valid JSON"),
        ("openapi: 3.0.0\nx: " + "[" * 100 + "]" * 100, "OpenAPI document: line 2, column 67: nesting is deeper than 64 levels"),
    ],
)
def test_malformed_documents_raise_a_named_error_with_position(text, message):
    with pytest.raises(ImportFormatError) as caught:
        parse_openapi(text)
    assert str(caught.value).startswith(message)


def test_yaml_alias_bomb_is_refused():
    bomb = "openapi: 3.0.0\na: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for level in "bcdefgh":
        previous = chr(ord(level) - 1)
        bomb += f"{level}: &{level} [" + ", ".join([f"*{previous}"] * 10) + "]\n"
    with pytest.raises(ImportFormatError, match="aliases expand to more than 2,000,000 nodes"):
        parse_openapi(bomb)


def test_yaml_tags_that_build_objects_are_refused():
    with pytest.raises(ImportFormatError, match="is not valid YAML"):
        parse_openapi("openapi: 3.0.0\nx: !!python/object/apply:os.system ['true']\n")


_SCALARS = st.none() | st.booleans() | st.integers() | st.text(max_size=6) | st.sampled_from(["#/components/schemas/A", "3.0.0", "object", "array", "string", "header", "query", "path", "http", "apiKey", "bearer"])
_KEYS = st.sampled_from(
    ["openapi", "info", "title", "paths", "/a/{id}", "get", "post", "parameters", "name", "in", "schema", "$ref",
     "requestBody", "content", "application/json", "multipart/form-data", "type", "properties", "items", "allOf",
     "oneOf", "example", "examples", "value", "security", "components", "schemas", "A", "securitySchemes", "servers",
     "url", "variables", "tags", "required", "scheme"]
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.recursive(_SCALARS, lambda c: st.lists(c, max_size=3) | st.dictionaries(_KEYS, c, max_size=4), max_leaves=40))
def test_any_document_imports_or_raises_import_format_error(document):
    if isinstance(document, dict):
        document.setdefault("openapi", "3.0.0")
    try:
        parse_openapi(json.dumps(document))
    except ImportFormatError:
        pass


def test_yaml_keys_that_are_not_strings_are_read_as_strings():
    document = """
openapi: 3.0.0
info: {title: 2024-01-01}
paths:
  /a:
    post:
      requestBody:
        content:
          application/json: {schema: {type: object, properties: {2: {type: string}, null: {type: integer}}}}
      responses: {200: {description: ok}}
"""
    result = parse_openapi(document)
    assert result.collections[0].name == "2024-01-01"
    assert json.loads(result.collections[0].requests()[0].spec.body.text) == {"2": "string", "None": 0}


def test_the_auth_note_names_only_the_variables_the_document_uses():
    document = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "servers": [{"url": "http://127.0.0.1:9"}],
        "paths": {"/a": {"get": {"security": [{"bearer": []}], "responses": {"200": {"description": "ok"}}}},
                  "/b": {"get": {"responses": {"200": {"description": "ok"}}}}},
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"},
                                           "basic": {"type": "http", "scheme": "basic"},
                                           "key": {"type": "apiKey", "in": "header", "name": "X-Key"}}},
    }
    notes = [str(r) for r in parse_openapi(json.dumps(document)).report if "auth secrets" in str(r)]
    assert notes == ["components.securitySchemes: auth secrets are variables ({{accessToken}}): set them in an environment"]
    del document["paths"]["/a"]["get"]["security"]
    assert not [r for r in parse_openapi(json.dumps(document)).report if "auth secrets" in str(r)]

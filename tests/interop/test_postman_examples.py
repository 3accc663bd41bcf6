"""Postman item `response` arrays (saved examples): read, written back, and round-tripped."""

from __future__ import annotations

import json

from requests_app.engine.spec import KeyValue
from requests_app.interop.postman import export_postman, parse_postman
from tests.interop.test_postman import schema_errors

COLLECTION = {
    "info": {"name": "users", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
    "item": [
        {
            "name": "Get user",
            "request": {"method": "GET", "url": {"raw": "{{base}}/users/:id", "host": ["{{base}}"], "path": ["users", ":id"]}},
            "response": [
                {
                    "name": "Found",
                    "originalRequest": {"method": "GET", "header": [{"key": "Accept", "value": "application/json"}],
                                        "url": {"raw": "{{base}}/users/7", "host": ["{{base}}"], "path": ["users", "7"]}},
                    "status": "OK",
                    "code": 200,
                    "_postman_previewlanguage": "json",
                    "header": [{"key": "Content-Type", "value": "application/json"}, {"key": "X-Rate", "value": "10"}],
                    "cookie": [],
                    "body": "{\n  \"id\": 7,\n  \"name\": \"Zoë\"\n}",
                },
                {"name": "Missing", "status": "Not Found", "code": 404, "header": [], "body": None},
            ],
        }
    ],
}


def test_responses_become_examples():
    collection = parse_postman(json.dumps(COLLECTION))
    examples = collection.collections[0].requests()[0].examples
    assert [(e.name, e.status) for e in examples] == [("Found", 200), ("Missing", 404)]
    assert examples[0].headers == [KeyValue("Content-Type", "application/json"), KeyValue("X-Rate", "10")]
    assert examples[0].body == '{\n  "id": 7,\n  "name": "Zoë"\n}'
    assert examples[0].request.url == "{{base}}/users/7"
    assert examples[1].request is None and examples[1].body == ""
    assert not [item for item in collection.report if "response" in item.path]


def test_export_writes_responses_valid_and_round_trips():
    collection = parse_postman(json.dumps(COLLECTION)).collections[0]
    exported = export_postman(collection)
    assert schema_errors(exported) == []
    found = exported["item"][0]["response"][0]
    assert (found["name"], found["code"], found["status"]) == ("Found", 200, "OK")
    assert found["body"] == COLLECTION["item"][0]["response"][0]["body"]
    assert parse_postman(json.dumps(exported)).collections[0] == collection


def test_an_example_with_a_bad_code_is_reported_not_imported():
    data = json.loads(json.dumps(COLLECTION))
    data["item"][0]["response"][1]["code"] = 999
    result = parse_postman(json.dumps(data))
    assert [e.name for e in result.collections[0].requests()[0].examples] == ["Found"]
    assert any("999" in str(item) for item in result.report)

"""newman and the imported collection send the same bytes to the echo target; so does newman
running webclient's Postman export of it (issue 12, items 1 and 3)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from requests_app.interop.model import ImportedCollection
from requests_app.interop.postman import export_postman, parse_postman
from tests.interop.echo_compare import engine_echo
from tests.interop.peer_runs import newman_received, wire

SCHEMA = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"


def collection(echo_server) -> dict[str, Any]:
    """The cases issue 12 found, on the echo target; no variables, so nothing to resolve."""
    u = echo_server.url("/anything")
    port = str(echo_server.port)

    def item(name: str, request: dict[str, Any]) -> dict[str, Any]:
        return {"name": name, "request": request}

    return {
        "info": {"name": "fidelity", "schema": SCHEMA},
        "item": [
            item("disabled query param", {"method": "GET", "url": {
                "raw": f"{u}/items?page=1&sort=price&debug=true",
                "protocol": "http", "host": ["127", "0", "0", "1"], "port": port, "path": ["anything", "items"],
                "query": [{"key": "page", "value": "1"}, {"key": "sort", "value": "price"},
                          {"key": "debug", "value": "true", "disabled": True}]}}),
            item("parts over raw", {"method": "GET", "url": {
                "raw": f"{u}/old-path?x=1",
                "protocol": "http", "host": ["127", "0", "0", "1"], "port": port, "path": ["anything", "new-path"],
                "query": [{"key": "x", "value": "2"}]}}),
            item("form", {"method": "POST", "url": f"{u}/form", "body": {"mode": "urlencoded", "urlencoded": [
                {"key": "pass", "value": "x y&z"}, {"key": "sym", "value": "!'()*~+=/?@:é"},
                {"key": "off", "value": "1", "disabled": True}]}}),
            item("graphql", {"method": "POST", "url": f"{u}/gql", "body": {"mode": "graphql", "graphql": {
                "query": "query ($id: ID!) {\n  book(id: $id) { title }\n}", "variables": "{\"id\": 1, \"n\": \"é\"}"}}}),
            item("graphql without variables", {"method": "POST", "url": f"{u}/gql", "body": {
                "mode": "graphql", "graphql": {"query": "{ a }", "variables": ""}}}),
            item("padded header", {"method": "GET", "url": f"{u}/h", "header": [
                {"key": "X-Spaces", "value": "  padded  "}]}),
        ],
    }


def engine_received(imported: ImportedCollection) -> list[tuple[dict[str, Any], Any]]:
    return [(engine_echo(request.spec), request.spec) for request in imported.requests()]


def test_imported_collection_sends_what_newman_sends(echo_server, tmp_path):
    source = collection(echo_server)
    by_newman = newman_received(source, tmp_path)
    imported = parse_postman(json.dumps(source)).collections[0]
    by_engine = engine_received(imported)
    assert len(by_newman) == len(by_engine)
    for (ours, spec), theirs in zip(by_engine, by_newman, strict=True):
        assert wire(ours, spec) == wire(theirs, spec)


def test_export_run_by_newman_sends_what_the_engine_sends(echo_server, tmp_path):
    imported = parse_postman(json.dumps(collection(echo_server))).collections[0]
    by_newman = newman_received(export_postman(imported), tmp_path)
    for (ours, spec), theirs in zip(engine_received(imported), by_newman, strict=True):
        assert wire(ours, spec) == wire(theirs, spec)


def test_disabled_query_param_is_kept_disabled_and_exported_once(echo_server):
    imported = parse_postman(json.dumps(collection(echo_server)))
    spec = imported.collections[0].requests()[0].spec
    assert spec.url.endswith("/anything/items?page=1&sort=price")
    assert [(p.key, p.enabled) for p in spec.params] == [("debug", False)]
    query = export_postman(imported.collections[0])["item"][0]["request"]["url"]["query"]
    assert [(q["key"], q.get("disabled", False)) for q in query] == [("page", False), ("sort", False), ("debug", True)]


def test_import_report_says_the_url_parts_won_over_raw(echo_server):
    report = [str(item) for item in parse_postman(json.dumps(collection(echo_server))).report]
    changed = [line for line in report if "built from its parts" in line]
    assert [line.split(":")[0] for line in changed] == ["item[0].request.url.raw", "item[1].request.url.raw"]
    assert "/anything/new-path?x=2" in changed[1]


@pytest.mark.parametrize("space", ["plus", "percent"])
def test_a_webclient_form_exported_to_postman_keeps_its_bytes_in_newman(space, echo_server, tmp_path):
    from requests_app.engine.spec import Body, FormField, RequestSpec
    from requests_app.interop.model import ImportedRequest

    spec = RequestSpec(method="POST", url=echo_server.url("/anything/f"),
                       body=Body(mode="urlencoded", fields=[FormField("a b", "c d+e")], form_encoding=space))
    exported = export_postman(ImportedCollection("c", items=[ImportedRequest("r", spec)]))
    (theirs,) = newman_received(exported, tmp_path)
    assert wire(theirs, spec) == wire(engine_echo(spec), spec)


def test_an_unresolved_variable_is_sent_as_newman_sends_it(echo_server, tmp_path):
    """Issue 12 item 4: still sent (braces encoded in the path, as typed in the query, as Postman does)."""
    u = echo_server.url("/anything")
    source = {"info": {"name": "u", "schema": SCHEMA}, "item": [{"name": "typo", "request": {
        "method": "GET", "url": u + "/{{nope}}?a={{nope}}", "header": [{"key": "X-V", "value": "{{nope}}"}]}}]}
    (theirs,) = newman_received(source, tmp_path)
    (request,) = parse_postman(json.dumps(source)).collections[0].requests()
    assert wire(engine_echo(request.spec), request.spec) == wire(theirs, request.spec)

"""Auth and variables a request inherits: request → folders (innermost first) → collection, one walk
for the editor's Send, the runner and snippets; the runner reads the folder chain once."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from requests_app.models import Run
from requests_app.services import runs
from requests_app.services.collections import collection_create
from requests_app.services.errors import ValidationFailed
from requests_app.services.execution import request_execute
from requests_app.services.folders import folder_create, folder_duplicate, folder_update
from requests_app.services.history import history_exchange
from requests_app.services.inheritance import folder_chain, inherited_auth, inherited_values
from requests_app.services.interop.snippets import request_snippet
from requests_app.services.runs.plan import plan_items, tree_order
from requests_app.services.saved_requests import request_create, request_spec

COLLECTION = {"type": "bearer", "token": "collection-token"}
OUTER = {"type": "bearer", "token": "outer-token"}
INNER = {"type": "apikey", "key": "X-Key", "value": "inner-key", "location": "header"}


@pytest.fixture
def tree(alice: Any, acme: Any, echo_server: Any) -> dict[str, Any]:
    """collection (bearer) / outer / middle (inherits) / inner, one request at each level."""
    collection = collection_create(user=alice, workspace=acme, name="Shop", auth=COLLECTION,
                                   variables=[{"key": "base", "value": echo_server.url(), "enabled": True},
                                              {"key": "who", "value": "collection", "enabled": True},
                                              {"key": "depth", "value": "0", "enabled": True}])
    outer = folder_create(user=alice, collection=collection, name="Outer", auth=OUTER,
                          variables=[{"key": "who", "value": "outer", "enabled": True},
                                     {"key": "depth", "value": "1", "enabled": True}])
    middle = folder_create(user=alice, collection=collection, parent=outer, name="Middle")
    inner = folder_create(user=alice, collection=collection, parent=middle, name="Inner",
                          variables=[{"key": "who", "value": "inner", "enabled": True},
                                     {"key": "off", "value": "x", "enabled": False}])

    def add(folder: Any, name: str, **kwargs: Any) -> Any:
        return request_create(user=alice, collection=collection, folder=folder, name=name,
                              url="{{base}}/anything?who={{who}}&depth={{depth}}", **kwargs)

    return {"collection": collection, "outer": outer, "middle": middle, "inner": inner,
            "at_root": add(None, "at root"), "in_outer": add(outer, "in outer"),
            "in_middle": add(middle, "in middle"), "in_inner": add(inner, "in inner"), "add": add}


def auth_of(saved: Any) -> Any:
    return request_spec(saved).auth


def test_an_inheriting_request_takes_the_nearest_folder_that_sets_auth(tree: dict[str, Any]) -> None:
    assert auth_of(tree["at_root"]).token == "collection-token"
    assert auth_of(tree["in_outer"]).token == "outer-token"
    # Middle and Inner inherit: the walk goes on to Outer
    assert auth_of(tree["in_middle"]).token == "outer-token"
    assert auth_of(tree["in_inner"]).token == "outer-token"
    source = inherited_auth(None, folder_chain(tree["inner"]), tree["collection"])
    assert source.owner == tree["outer"] and source.where == "folder “Outer”"


def test_the_innermost_folder_auth_wins(alice: Any, tree: dict[str, Any]) -> None:
    inner = tree["inner"]
    folder_update(user=alice, folder=inner, version=inner.version, auth=INNER)
    assert auth_of(tree["in_inner"]).value == "inner-key"
    assert auth_of(tree["in_middle"]).token == "outer-token"


def test_a_folder_that_says_no_auth_stops_the_walk(alice: Any, tree: dict[str, Any]) -> None:
    middle = tree["middle"]
    folder_update(user=alice, folder=middle, version=middle.version, auth={"type": "none"})
    assert auth_of(tree["in_middle"]).type == "none"
    assert auth_of(tree["in_inner"]).type == "none"  # Inner inherits Middle's "none", not Outer's token
    assert auth_of(tree["in_outer"]).token == "outer-token"


def test_without_folder_auth_the_collection_decides_and_without_that_nothing_is_sent(
    alice: Any, acme: Any, tree: dict[str, Any]
) -> None:
    outer = tree["outer"]
    folder_update(user=alice, folder=outer, version=outer.version, auth={"type": "inherit"})
    assert auth_of(tree["in_inner"]).token == "collection-token"
    bare = collection_create(user=alice, workspace=acme, name="Bare")
    folder = folder_create(user=alice, collection=bare, name="F")
    saved = request_create(user=alice, collection=bare, folder=folder, name="r", url="http://127.0.0.1:9/")
    assert auth_of(saved).type == "none"
    assert inherited_auth(None, folder_chain(folder), bare).owner == bare


def test_a_request_with_its_own_auth_keeps_it(tree: dict[str, Any]) -> None:
    own = tree["add"](tree["inner"], "own", auth={"type": "basic", "username": "me", "password": "pw"})
    none = tree["add"](tree["inner"], "none", auth={"type": "none"})
    assert auth_of(own).type == "basic" and auth_of(none).type == "none"


def test_folder_variables_sit_between_collection_and_environment(tree: dict[str, Any]) -> None:
    values = inherited_values(tree["collection"], folder_chain(tree["inner"]))
    assert values["who"] == "inner" and values["depth"] == "1" and "off" not in values
    assert inherited_values(tree["collection"], [])["who"] == "collection"


def test_bad_folder_auth_and_variables_are_named_errors_and_nothing_is_written(alice: Any, tree: dict[str, Any]) -> None:
    outer = tree["outer"]
    with pytest.raises(ValidationFailed) as caught:
        folder_update(user=alice, folder=outer, version=outer.version, auth={"type": "kerberos"})
    assert "auth.type" in caught.value.fields
    with pytest.raises(ValidationFailed) as caught:
        folder_update(user=alice, folder=outer, version=outer.version, variables=[{"key": "", "value": "x"}])
    assert "variables[0].key" in caught.value.fields
    with pytest.raises(ValidationFailed):
        folder_update(user=alice, folder=outer, version=outer.version, variables="nope")  # type: ignore[arg-type]
    outer.refresh_from_db()
    assert outer.auth == OUTER


def echoed(entry: Any) -> dict[str, Any]:
    exchange = history_exchange(entry)
    return json.loads(exchange["response"]["body_text"])  # type: ignore[no-any-return]


def test_send_uses_the_folder_auth_and_variables(alice: Any, acme: Any, tree: dict[str, Any]) -> None:
    entry = request_execute(user=alice, workspace=acme, saved_request=tree["in_inner"])
    body = echoed(entry)
    assert body["args"] == {"who": ["inner"], "depth": ["1"]}
    assert ["Authorization", "Bearer outer-token"] in body["headers"]


def test_a_viewer_sees_the_folder_token_masked_in_history(victor: Any, acme: Any, tree: dict[str, Any]) -> None:
    entry = request_execute(user=victor, workspace=acme, saved_request=tree["in_inner"])
    assert "outer-token" not in json.dumps(history_exchange(entry))


def test_snippets_use_the_folder_auth(alice: Any, tree: dict[str, Any]) -> None:
    code = request_snippet(user=alice, request_id=tree["in_inner"].pk, lang="curl", reveal_secrets=True)
    assert "Bearer outer-token" in code
    masked = request_snippet(user=alice, request_id=tree["in_inner"].pk, lang="curl")
    assert "outer-token" not in masked


def test_a_run_sends_what_a_send_sends(alice: Any, acme: Any, tree: dict[str, Any]) -> None:
    run = runs.run_create(workspace=acme, created_by=alice, folder=tree["outer"])
    run = runs.run_execute(run.pk, worker="test:host:1")
    assert run.state == Run.State.PASSED
    items = {item.name: item for item in plan_items(tree_order(tree["collection"]), tree["collection"])}
    assert items["in inner"].spec.auth.token == "outer-token"
    assert items["in inner"].variables == {"who": "inner", "depth": "1"}
    assert items["at root"].spec.auth.token == "collection-token" and items["at root"].variables == {}


def test_planning_reads_the_folder_chain_once_whatever_the_size(alice: Any, tree: dict[str, Any]) -> None:
    """Two queries (folders, requests) for 4 requests and for 40 at three levels: none per request or per level."""
    collection = tree["collection"]

    def planning_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            plan_items(tree_order(collection), collection)
        return len(queries)

    few = planning_queries()
    for number in range(36):
        tree["add"]([tree["inner"], tree["middle"], tree["outer"]][number % 3], f"more {number}")
    assert planning_queries() == few == 2


def test_a_send_reads_the_chain_in_a_bounded_number_of_queries(alice: Any, acme: Any, tree: dict[str, Any]) -> None:
    folder = tree["in_inner"].folder
    with CaptureQueriesContext(connection) as queries:
        chain = folder_chain(folder)
    assert [folder.name for folder in chain] == ["Inner", "Middle", "Outer"]
    assert len(queries) == 1  # its ancestors, in one recursive query
    deeper = tree["inner"]
    for depth in range(10):
        deeper = folder_create(user=alice, collection=tree["collection"], parent=deeper, name=f"level {depth}")
    with CaptureQueriesContext(connection) as queries:
        chain = folder_chain(deeper)
    assert len(chain) == 13 and chain[-1].name == "Outer" and len(queries) == 1


def test_a_duplicated_folder_keeps_its_auth_and_variables(alice: Any, tree: dict[str, Any]) -> None:
    copy = folder_duplicate(user=alice, folder=tree["outer"])
    copy.refresh_from_db()
    assert (copy.auth, copy.variables) == (tree["outer"].auth, tree["outer"].variables)


def test_a_scripted_send_resolves_folder_variables_and_scripts_see_the_collections(
    alice: Any, acme: Any, tree: dict[str, Any]
) -> None:
    entry = request_execute(user=alice, workspace=acme, saved_request=tree["in_inner"],
                            scripts={"prerequest": "console.log(pm.collectionVariables.get('who'))"})
    assert echoed(entry)["args"] == {"who": ["inner"], "depth": ["1"]}
    assert [line["text"] for line in entry.exchange["scripts"]["console"]] == ["collection"]

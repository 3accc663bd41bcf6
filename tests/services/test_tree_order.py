"""One order for a parent's folders and requests (issue 12 item 2), judged by newman.

A Postman collection whose folders sit between requests is run by newman and by our stored
run (`manage.py run_collection <name>`) against one local target that records the paths it
receives, in order; both lists must be the same. Exports, copies, moves and drag and drop keep
the interleaved order.
"""

from __future__ import annotations

import json
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.core.management import call_command

from requests_app.models import Collection, Folder, SavedRequest
from requests_app.services import tree
from requests_app.services.collections import collection_duplicate, collection_tree
from requests_app.services.folders import folder_create, folder_delete, folder_duplicate
from requests_app.services.interop import collection_export, collection_import
from requests_app.services.saved_requests import request_create, request_delete, request_move
from requests_app.services.sidebar import sidebar_children, sidebar_drop, sidebar_move, sidebar_tree

pytestmark = pytest.mark.django_db


def _request(name: str) -> dict[str, Any]:
    return {"name": name, "request": {"method": "GET", "url": "{{base}}/" + name}}


def _folder(name: str, *items: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "item": list(items)}


# requests, then a subfolder, then more requests, at every level
CHAINED = {
    "info": {"name": "Chained", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
    "item": [
        _request("r1"),
        _folder("A", _request("a1"), _folder("B", _request("b1"), _request("b2")), _request("a2")),
        _request("r2"),
        _folder("C", _request("c1")),
        _request("r3"),
        _folder("Empty"),
        _request("r4"),
    ],
}
EXPECTED_PATHS = ["/r1", "/a1", "/b1", "/b2", "/a2", "/r2", "/c1", "/r3", "/r4"]


class Recorder(ThreadingHTTPServer):
    daemon_threads = True
    paths: list[str]


class RecordingHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        self.server.paths.append(self.path)  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    server = Recorder(("127.0.0.1", 0), RecordingHandler)
    server.paths = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def base_url(server: Recorder) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}"


def newman_paths(newman: str, collection: dict[str, Any], server: Recorder, tmp_path: Any) -> list[str]:
    path = tmp_path / "collection.json"
    path.write_text(json.dumps(collection))
    server.paths.clear()
    result = subprocess.run(
        [newman, "run", str(path), "--env-var", f"base={base_url(server)}", "--reporters", "cli", "--color", "off"],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return list(server.paths)


def imported(user: Any, workspace: Any, content: dict[str, Any] | str, server: Recorder) -> Collection:
    outcome = collection_import(user=user, workspace=workspace, content=json.dumps(content)
                                if isinstance(content, dict) else content)
    collection = Collection.objects.get(pk=outcome.created["collections"][0])
    collection.variables = [{"key": "base", "value": base_url(server), "enabled": True}]
    collection.save()
    return collection


def stored_run_paths(collection: Collection, server: Recorder, tmp_path: Any) -> list[str]:
    server.paths.clear()
    call_command("run_collection", str(collection.pk), "--reporter", "json", "--out", str(tmp_path))
    return list(server.paths)


def names(items: list[Any]) -> list[str]:
    return [item.name for item in items]


def test_a_stored_run_sends_in_the_same_order_as_newman(alice, acme, recorder, newman, tmp_path):
    by_newman = newman_paths(newman, CHAINED, recorder, tmp_path)
    collection = imported(alice, acme, CHAINED, recorder)
    assert by_newman == EXPECTED_PATHS
    assert stored_run_paths(collection, recorder, tmp_path) == by_newman


def test_a_postman_export_and_reimport_keeps_the_order_newman_runs(alice, acme, recorder, newman, tmp_path):
    collection = imported(alice, acme, CHAINED, recorder)
    _, _, text = collection_export(user=alice, collection_id=collection.pk, format="postman")
    exported = json.loads(text)
    assert [item["name"] for item in exported["item"]] == ["r1", "A", "r2", "C", "r3", "Empty", "r4"]
    assert newman_paths(newman, exported, recorder, tmp_path) == EXPECTED_PATHS
    again = imported(alice, acme, text, recorder)
    assert stored_run_paths(again, recorder, tmp_path) == EXPECTED_PATHS
    first, second = (collection_tree(user=alice, collection=c) for c in (collection, again))

    def shape(node: dict[str, Any]) -> list[Any]:
        return [(item["name"], shape(item)) if item["type"] == "folder" else item["name"] for item in node["items"]]

    assert shape(first) == shape(second) == [
        "r1", ("A", ["a1", ("B", ["b1", "b2"]), "a2"]), "r2", ("C", ["c1"]), "r3", ("Empty", []), "r4"]


def test_the_http_export_writes_requests_in_the_one_order(alice, acme, recorder):
    collection = imported(alice, acme, CHAINED, recorder)
    _, _, text = collection_export(user=alice, collection_id=collection.pk, format="http")
    found = [line.split("/")[-1] for line in text.splitlines() if line.startswith("GET ")]
    assert found == [path.strip("/") for path in EXPECTED_PATHS]


def test_the_sidebar_shows_folders_between_requests(alice, acme, recorder):
    collection = imported(alice, acme, CHAINED, recorder)
    (root,) = sidebar_tree(user=alice, workspace=acme).collections
    assert names(root.items) == ["r1", "A", "r2", "C", "r3", "Empty", "r4"]
    folder_a = Folder.objects.get(collection=collection, name="A")
    node = sidebar_children(user=alice, collection=collection, folder=folder_a)
    assert names(node.items) == ["a1", "B", "a2"]


def test_duplicates_and_copies_keep_the_interleaved_order(alice, acme, recorder, tmp_path):
    collection = imported(alice, acme, CHAINED, recorder)
    copy = collection_duplicate(user=alice, collection=collection)
    assert stored_run_paths(copy, recorder, tmp_path) == EXPECTED_PATHS
    folder_a = Folder.objects.get(collection=collection, name="A")
    folder_duplicate(user=alice, folder=folder_a)
    loaded = tree.load(collection)
    assert names(loaded.children(None)) == ["r1", "A", "A copy", "r2", "C", "r3", "Empty", "r4"]
    copied = next(item for item in loaded.children(None) if item.name == "A copy")
    assert names(loaded.children(copied.pk)) == ["a1", "B", "a2"]
    assert [item.position for item in loaded.children(None)] == list(range(8))


def test_a_request_moves_past_a_folder_and_positions_stay_dense(alice, acme, recorder):
    collection = imported(alice, acme, CHAINED, recorder)
    r1 = SavedRequest.objects.get(collection=collection, name="r1")
    sidebar_move(user=alice, item=r1, direction="down")
    assert names(tree.load(collection).children(None))[:3] == ["A", "r1", "r2"]
    r4 = SavedRequest.objects.get(collection=collection, name="r4")
    request_move(user=alice, saved_request=r4, folder=None, position=0)
    folder_c = Folder.objects.get(collection=collection, name="C")
    folder_create(user=alice, collection=collection, name="New", position=2)
    request_create(user=alice, collection=collection, folder=folder_c, name="c0", url="{{base}}/c0")
    request_delete(user=alice, saved_request=SavedRequest.objects.get(collection=collection, name="r2"))
    folder_delete(user=alice, folder=Folder.objects.get(collection=collection, name="Empty"))
    loaded = tree.load(collection)
    assert names(loaded.children(None)) == ["r4", "A", "New", "r1", "C", "r3"]
    assert [item.position for item in loaded.children(None)] == list(range(6))
    assert names(loaded.children(folder_c.pk)) == ["c1", "c0"]


def test_drag_and_drop_puts_an_item_before_another_or_into_a_folder(alice, acme, recorder):
    collection = imported(alice, acme, CHAINED, recorder)
    r3 = SavedRequest.objects.get(collection=collection, name="r3")
    folder_a = Folder.objects.get(collection=collection, name="A")
    folder_b = Folder.objects.get(collection=collection, name="B")
    a2 = SavedRequest.objects.get(collection=collection, name="a2")
    sidebar_drop(user=alice, item=r3, target=folder_a, place="before")         # up, past r1's neighbour
    sidebar_drop(user=alice, item=folder_b, target=collection, place="into")   # out of A, last at the root
    r1 = SavedRequest.objects.get(collection=collection, name="r1")
    sidebar_drop(user=alice, item=r1, target=a2, place="before")               # into A, before a2
    c = Folder.objects.get(collection=collection, name="C")
    sidebar_drop(user=alice, item=SavedRequest.objects.get(name="r2"), target=c, place="into")
    loaded = tree.load(collection)
    assert names(loaded.children(None)) == ["r3", "A", "C", "Empty", "r4", "B"]
    assert names(loaded.children(folder_a.pk)) == ["a1", "r1", "a2"]
    assert names(loaded.children(c.pk)) == ["c1", "r2"]
    for parent in (None, folder_a.pk, c.pk):
        assert [item.position for item in loaded.children(parent)] == list(range(len(loaded.children(parent))))


def test_a_folder_cannot_be_dropped_into_itself(alice, acme, recorder):
    from requests_app.services.errors import ValidationFailed

    collection = imported(alice, acme, CHAINED, recorder)
    folder_a = Folder.objects.get(collection=collection, name="A")
    folder_b = Folder.objects.get(collection=collection, name="B")
    with pytest.raises(ValidationFailed) as raised:
        sidebar_drop(user=alice, item=folder_a, target=folder_b, place="into")
    assert raised.value.code == "folder_cycle"
    assert names(tree.load(collection).children(None)) == ["r1", "A", "r2", "C", "r3", "Empty", "r4"]

"""Monitors follow what happens to the collection or folder they run: deleted with it (named in the
activity feed and in the sidebar's question), moved with it, never left running another
workspace's requests."""

from __future__ import annotations

from typing import Any

import pytest

from requests_app.models import Activity, Collection, Monitor
from requests_app.services import monitors
from requests_app.services.collections import collection_create, collection_delete, collection_transfer
from requests_app.services.folders import folder_create, folder_delete, folder_move
from requests_app.services.sidebar import collections_page
from requests_app.services.workspaces import workspace_create


@pytest.fixture
def watched(alice: Any, acme: Any, api: dict[str, Any]) -> dict[str, Any]:
    collection = api["collection"]
    folder = folder_create(user=alice, collection=collection, name="Orders")
    whole = monitors.monitor_create(user=alice, workspace=acme, name="Shop up", collection=collection,
                                    environment=api["environment"])
    orders = monitors.monitor_create(user=alice, workspace=acme, name="Orders up", folder=folder)
    return {"collection": collection, "folder": folder, "whole": whole, "orders": orders}


def _feed(workspace: Any) -> set[tuple[str, str, str]]:
    return {(a.verb, a.kind, a.object_name) for a in Activity.objects.filter(workspace=workspace, kind="monitor")}


def test_deleting_a_folder_deletes_its_monitors_and_names_them(alice, acme, watched):
    folder_delete(user=alice, folder=watched["folder"])
    assert list(Monitor.objects.values_list("name", flat=True)) == ["Shop up"]
    assert ("deleted", "monitor", "Orders up") in _feed(acme)


def test_deleting_a_collection_in_the_background_stops_its_monitors_at_once(alice, acme, watched, settings):
    settings.WEBCLIENT_DELETE_INLINE_REQUESTS = 0  # a "big" collection: the requests go in a background job
    page, _ = collections_page(acme)
    assert page[0].delete_extra == " with all its folders and requests, and its 2 monitors"  # the question says so
    collection_delete(user=alice, collection=watched["collection"])
    assert not Monitor.objects.exists()  # none runs a collection on its way out
    assert {("deleted", "monitor", "Shop up"), ("deleted", "monitor", "Orders up")} <= _feed(acme)


def test_a_collection_moved_to_another_workspace_takes_its_monitors_paused(alice, acme, watched):
    other = workspace_create(user=alice, name="Globex")
    collection_transfer(user=alice, collection=watched["collection"], workspace=other)
    for monitor in Monitor.objects.all():
        assert monitor.workspace_id == other.pk and monitor.paused and monitor.next_run_at is None
        assert monitor.environment is None  # Acme's environment stays in Acme
    assert ("moved", "monitor", "Shop up") in _feed(acme) and ("moved", "monitor", "Shop up") in _feed(other)


def test_a_folder_moved_to_another_collection_keeps_its_monitor_consistent(alice, acme, watched):
    same_workspace = collection_create(user=alice, workspace=acme, name="Admin API")
    folder_move(user=alice, folder=watched["folder"], parent=None, collection=same_workspace)
    orders = Monitor.objects.get(name="Orders up")
    assert (orders.collection_id, orders.workspace_id, orders.paused) == (same_workspace.pk, acme.pk, False)

    other = workspace_create(user=alice, name="Globex")
    elsewhere = collection_create(user=alice, workspace=other, name="Globex API")
    folder_move(user=alice, folder=watched["folder"], parent=None, collection=elsewhere)
    orders.refresh_from_db()
    assert (orders.collection_id, orders.workspace_id, orders.paused) == (elsewhere.pk, other.pk, True)
    whole = Monitor.objects.get(name="Shop up")  # the collection's own monitor did not move
    assert whole.workspace_id == acme.pk and Collection.objects.get(pk=whole.collection_id).workspace_id == acme.pk

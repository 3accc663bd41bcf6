"""Migration 0005 keeps the order the sidebar showed: under each parent, folders then requests."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("requests_app", "0004_teams")]
AFTER = [("requests_app", "0005_interleaved_tree_order")]


@pytest.mark.django_db(transaction=True)
def test_existing_folders_and_requests_keep_their_order_in_the_one_sequence() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Workspace = old.get_model("requests_app", "Workspace")
    Collection = old.get_model("requests_app", "Collection")
    Folder = old.get_model("requests_app", "Folder")
    SavedRequest = old.get_model("requests_app", "SavedRequest")
    workspace = Workspace.objects.create(name="W", slug="w")
    collection = Collection.objects.create(workspace=workspace, name="C")
    # the old model: two separate sequences per parent, with gaps and ties
    b = Folder.objects.create(collection=collection, name="B", position=5)
    a = Folder.objects.create(collection=collection, name="A", position=0)
    Folder.objects.create(collection=collection, parent=a, name="A1", position=0)
    for name, position, folder in [("r2", 3, None), ("r1", 0, None), ("r3", 3, None), ("a-r1", 0, a), ("b-r1", 7, b)]:
        SavedRequest.objects.create(collection=collection, folder=folder, name=name, position=position)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    Folder = new.get_model("requests_app", "Folder")
    SavedRequest = new.get_model("requests_app", "SavedRequest")

    def order(folder_id: int | None) -> list[tuple[int, str]]:
        rows = [(f.position, 0, f.name) for f in Folder.objects.filter(collection_id=collection.pk, parent_id=folder_id)]
        rows += [(r.position, 1, r.name) for r in SavedRequest.objects.filter(collection_id=collection.pk,
                                                                               folder_id=folder_id)]
        return [(position, name) for position, _, name in sorted(rows)]

    assert order(None) == [(0, "A"), (1, "B"), (2, "r1"), (3, "r2"), (4, "r3")]
    assert order(a.pk) == [(0, "A1"), (1, "a-r1")]
    assert order(b.pk) == [(0, "b-r1")]
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

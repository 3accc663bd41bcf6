"""Folders and requests share one order under a parent (issue 12 item 2).

Before, each kind had its own positions and every view put a parent's subfolders before its
requests (sidebar, runs, exports). That order is kept: under each parent, folders take
positions 0..f-1 (in their old order), requests f..f+r-1. Rows are read and written per
collection, ids and positions only, written in batches, so a large database migrates in bounded memory.
"""

from __future__ import annotations

from collections import defaultdict

from django.db import migrations, models

BATCH = 2000


def interleave(apps, schema_editor):  # noqa: ANN001 - Django's migration signature
    Collection = apps.get_model("requests_app", "Collection")
    Folder = apps.get_model("requests_app", "Folder")
    SavedRequest = apps.get_model("requests_app", "SavedRequest")
    for collection_id in list(Collection.objects.order_by("id").values_list("id", flat=True)):
        taken: dict[int | None, int] = defaultdict(int)
        for model, parent in ((Folder, "parent_id"), (SavedRequest, "folder_id")):
            # (id, parent, position) triples only: a few MB for 100,000 requests.
            rows = model.objects.filter(collection_id=collection_id).order_by(parent, "position", "id")
            changed = []
            for pk, parent_id, old in rows.values_list("id", parent, "position"):
                position = taken[parent_id]
                taken[parent_id] += 1
                if old != position:
                    changed.append(model(id=pk, position=position))
            model.objects.bulk_update(changed, ["position"], batch_size=BATCH)


class Migration(migrations.Migration):
    dependencies = [("requests_app", "0004_teams")]

    operations = [
        migrations.RunPython(interleave, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="folder",
            index=models.Index(fields=["collection", "parent", "position", "id"], name="folder_sibling_order"),
        ),
        migrations.AddIndex(
            model_name="savedrequest",
            index=models.Index(fields=["collection", "folder", "position", "id"], name="request_sibling_order"),
        ),
    ]

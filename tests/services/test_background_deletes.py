"""Big collections and folders are deleted in batches in the background, with progress (issue 15)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from requests_app import access
from requests_app.models import Collection, DeleteJob, Folder, SavedRequest, Workspace
from requests_app.services import deletes, tree
from requests_app.services.collections import collection_delete
from requests_app.services.errors import NotFound
from requests_app.services.folders import folder_delete
from requests_app.services.sidebar import sidebar_tree

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def small_batches(settings: Any, monkeypatch: Any) -> None:
    settings.WEBCLIENT_DELETE_INLINE_REQUESTS = 5
    monkeypatch.setattr(tree, "DELETE_BATCH", 10)


def big(workspace: Workspace, requests: int, name: str = "Big") -> Collection:
    collection = Collection.objects.create(workspace=workspace, name=name)
    folder = Folder.objects.create(collection=collection, name="Area", position=0)
    SavedRequest.objects.bulk_create(
        SavedRequest(collection=collection, folder=folder if i % 2 else None, name=f"R{i}", position=i + 1,
                     url="http://127.0.0.1:9/")
        for i in range(requests))
    return collection


def test_a_big_collection_is_hidden_at_once_and_deleted_in_batches(alice: Any, acme: Workspace) -> None:
    collection = big(acme, 35)
    kept = big(acme, 3, name="Kept")
    job = collection_delete(user=alice, collection=collection)
    assert isinstance(job, DeleteJob) and job.state == DeleteJob.State.QUEUED and job.total == 35
    assert [node.name for node in sidebar_tree(user=alice, workspace=acme).collections] == ["Kept"]
    with pytest.raises(NotFound):
        access.get_collection_for_user(alice, collection.pk)
    request = SavedRequest.objects.filter(collection=collection).first()
    with pytest.raises(NotFound):
        access.get_request_for_user(alice, request.pk)
    done = deletes.delete_execute(job.pk, worker="test")
    assert done.state == DeleteJob.State.DONE and done.done == 35 and done.finished_at
    assert not Collection.objects.filter(pk=collection.pk).exists()
    assert not SavedRequest.objects.filter(collection_id=collection.pk).exists()
    assert SavedRequest.objects.filter(collection=kept).count() == 3


def test_a_small_collection_still_goes_at_once(alice: Any, acme: Workspace) -> None:
    collection = big(acme, 4)
    assert collection_delete(user=alice, collection=collection) is None
    assert not Collection.objects.filter(pk=collection.pk).exists()


def test_every_batch_costs_the_same_queries_whatever_the_size(alice: Any, acme: Workspace) -> None:
    counts = []
    for size in (30, 120):
        job = collection_delete(user=alice, collection=big(acme, size, name=f"B{size}"))
        scope = deletes._requests_of(job)
        after: int | None = 0
        while after is not None:
            with CaptureQueriesContext(connection) as captured:
                after = deletes.delete_batch(job, scope, after)
            if after is not None:
                counts.append(len(captured))
    assert len(counts) == 3 + 12 and len(set(counts)) == 1


def test_a_big_folder_closes_its_gap_and_leaves_its_siblings(alice: Any, acme: Workspace) -> None:
    collection = Collection.objects.create(workspace=acme, name="C")
    SavedRequest.objects.create(collection=collection, name="before", position=0)
    folder = Folder.objects.create(collection=collection, name="Doomed", position=1)
    inner = Folder.objects.create(collection=collection, parent=folder, name="Inner", position=0)
    after = SavedRequest.objects.create(collection=collection, name="after", position=2)
    SavedRequest.objects.bulk_create(SavedRequest(collection=collection, folder=inner if i % 2 else folder,
                                                  name=f"R{i}", position=i) for i in range(20))
    job = folder_delete(user=alice, folder=folder)
    assert job is not None and job.total == 20
    after.refresh_from_db()
    assert after.position == 1  # the gap closed at once
    (node,) = sidebar_tree(user=alice, workspace=acme).collections
    assert [item.name for item in node.items] == ["before", "after"]
    with pytest.raises(NotFound):
        access.get_folder_for_user(alice, inner.pk)  # a folder below one being deleted: not usable either
    with pytest.raises(NotFound):
        access.get_request_for_user(alice, SavedRequest.objects.filter(folder=inner).first().pk)
    deletes.delete_execute(job.pk, worker="test")
    assert set(SavedRequest.objects.filter(collection=collection).values_list("name", flat=True)) == {"before", "after"}
    assert not Folder.objects.filter(collection=collection).exists()


def test_a_stopped_worker_leaves_a_job_the_next_one_finishes(alice: Any, acme: Workspace) -> None:
    # a worker claimed the job, deleted one batch and stopped
    other = collection_delete(user=alice, collection=big(acme, 40, name="Other"))
    DeleteJob.objects.filter(pk=other.pk).update(state=DeleteJob.State.RUNNING, worker="gone",
                                                 heartbeat_at=timezone.now())
    deletes.delete_batch(other, deletes._requests_of(other), 0)
    assert deletes.delete_execute(other.pk, worker="second") is None  # its heartbeat is fresh: someone has it
    DeleteJob.objects.filter(pk=other.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=5))
    finished = deletes.delete_execute(other.pk, worker="second")
    assert finished.state == DeleteJob.State.DONE and finished.done == 40 and finished.worker == "second"
    assert not SavedRequest.objects.filter(collection_id=other.collection_id_deleted).exists()


def test_worker_start_resumes_queued_and_stale_jobs(alice: Any, acme: Workspace, monkeypatch: Any) -> None:
    sent: list[int] = []
    monkeypatch.setattr(deletes, "_dispatch", sent.append)
    queued = collection_delete(user=alice, collection=big(acme, 10))
    stale = collection_delete(user=alice, collection=big(acme, 10, name="Stale"))
    busy = collection_delete(user=alice, collection=big(acme, 10, name="Busy"))
    DeleteJob.objects.filter(pk=stale.pk).update(state="running", heartbeat_at=timezone.now() - timedelta(minutes=5))
    DeleteJob.objects.filter(pk=busy.pk).update(state="running", heartbeat_at=timezone.now())
    assert deletes.deletes_resume() == 2
    assert sorted(sent) == sorted([queued.pk, stale.pk])


def test_only_editors_delete_and_only_members_see_the_progress(
    alice: Any, acme: Workspace, victor: Any, carol: Any, api_client_for: Callable[[Any], Any]
) -> None:
    collection = big(acme, 20)
    assert api_client_for(victor).delete(f"/api/v1/collections/{collection.pk}").status_code == 403
    assert api_client_for(carol).delete(f"/api/v1/collections/{collection.pk}").status_code == 404
    response = api_client_for(alice).delete(f"/api/v1/collections/{collection.pk}")
    assert response.status_code == 202
    job_id = response.json()["id"]
    assert api_client_for(victor).get(f"/api/v1/deletes/{job_id}").json()["state"] == "queued"  # members read it
    assert api_client_for(carol).get(f"/api/v1/deletes/{job_id}").status_code == 404


def test_the_api_answers_202_and_a_status_resource_until_done(alice: Any, acme: Workspace, alice_client: Any) -> None:
    collection = big(acme, 25)
    response = alice_client.delete(f"/api/v1/collections/{collection.pk}")
    assert response.status_code == 202
    body = response.json()
    assert body["state"] == "queued" and body["total"] == 25 and body["done"] == 0 and body["kind"] == "collection"
    assert response["Location"] == body["url"] and body["url"].endswith(f"/api/v1/deletes/{body['id']}")
    assert alice_client.get(f"/api/v1/collections/{collection.pk}").status_code == 404  # not usable
    ids = [c["id"] for c in alice_client.get(f"/api/v1/collections?workspace={acme.pk}").json()["results"]]
    assert collection.pk not in ids
    deletes.delete_execute(body["id"], worker="test")
    status = alice_client.get(response["Location"]).json()
    assert status["state"] == "done" and status["done"] == 25 and status["finished_at"]


def test_the_page_shows_progress_that_polls_until_done(alice: Any, acme: Workspace, client: Any) -> None:
    collection = big(acme, 25)
    client.force_login(alice)
    response = client.post(reverse("collection_delete", args=[acme.pk, collection.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response["HX-Retarget"] == "#background-jobs"
    assert "tree-changed" in response["HX-Trigger"]
    page = response.content.decode()
    job = DeleteJob.objects.get()
    assert "Deleting the collection “Big”: 0 of 25 requests" in page and 'hx-trigger="every 1s"' in page
    workspace_page = client.get(reverse("workspace", args=[acme.pk])).content.decode()
    assert f'id="delete-job-{job.pk}"' in workspace_page and f'data-collection-id="{collection.pk}"' not in workspace_page
    deletes.delete_execute(job.pk, worker="test")
    done = client.get(reverse("delete_progress", args=[acme.pk, job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "Deleted the collection “Big” (25 requests)" in done and "every 1s" not in done

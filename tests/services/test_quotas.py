"""Quotas (services/quotas.py): refused before anything is created, the error names the quota."""

from __future__ import annotations

import json

import pytest

from requests_app.models import Collection, Folder, SavedRequest
from requests_app.services.collections import collection_create, collection_duplicate
from requests_app.services.errors import ValidationFailed
from requests_app.services.interop import collection_import
from requests_app.services.saved_requests import request_copy, request_create

pytestmark = pytest.mark.django_db


def postman(requests: int) -> str:
    return json.dumps({
        "info": {"name": "Big", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
        "item": [{"name": "F", "item": [{"name": f"r{i}", "request": {"method": "GET", "url": f"http://x/{i}"}}
                                        for i in range(requests)]}],
    })


def test_an_import_over_the_per_import_quota_creates_nothing(alice, acme, settings):
    settings.WEBCLIENT_MAX_IMPORT_REQUESTS = 10
    with pytest.raises(ValidationFailed) as raised:
        collection_import(user=alice, workspace=acme, content=postman(11))
    assert raised.value.code == "quota_import_requests"
    assert "WEBCLIENT_MAX_IMPORT_REQUESTS" in raised.value.message and "11" in raised.value.message
    assert not Collection.objects.filter(workspace=acme).exists() and not Folder.objects.exists()
    collection_import(user=alice, workspace=acme, content=postman(10))
    assert SavedRequest.objects.count() == 10


def test_a_workspace_at_its_quota_refuses_imports_requests_copies_and_duplicates(alice, acme, settings):
    settings.WEBCLIENT_MAX_WORKSPACE_REQUESTS = 12
    collection_import(user=alice, workspace=acme, content=postman(10))
    with pytest.raises(ValidationFailed) as raised:
        collection_import(user=alice, workspace=acme, content=postman(3))
    assert raised.value.code == "quota_workspace_requests" and "WEBCLIENT_MAX_WORKSPACE_REQUESTS" in raised.value.message
    assert Collection.objects.filter(workspace=acme).count() == 1
    collection = Collection.objects.get(workspace=acme)
    request_create(user=alice, collection=collection, name="eleven")
    saved = request_create(user=alice, collection=collection, name="twelve")
    for attempt in (
        lambda: request_create(user=alice, collection=collection, name="thirteen"),
        lambda: request_copy(user=alice, saved_request=saved, collection=collection),
        lambda: collection_duplicate(user=alice, collection=collection),
    ):
        with pytest.raises(ValidationFailed) as raised:
            attempt()
        assert raised.value.code == "quota_workspace_requests"
    assert SavedRequest.objects.filter(collection__workspace=acme).count() == 12
    other = collection_create(user=alice, workspace=alice.personal_workspace, name="Mine")
    request_copy(user=alice, saved_request=saved, collection=other)  # another workspace has room


def test_a_run_over_the_results_quota_is_refused(alice, acme, settings):
    from requests_app.services.runs import run_create

    settings.WEBCLIENT_MAX_RUN_RESULTS = 5
    collection = collection_create(user=alice, workspace=acme, name="C")
    for i in range(3):
        request_create(user=alice, collection=collection, name=f"r{i}", url="http://127.0.0.1:9/")
    with pytest.raises(ValidationFailed) as raised:
        run_create(workspace=acme, created_by=alice, collection=collection, iterations=2)
    assert raised.value.code == "quota_run_results" and "WEBCLIENT_MAX_RUN_RESULTS" in raised.value.message


def test_deleting_a_big_collection_goes_in_batches_and_keeps_history(alice, acme, monkeypatch):
    from requests_app.models import HistoryEntry
    from requests_app.services import tree
    from requests_app.services.collections import collection_delete

    monkeypatch.setattr(tree, "DELETE_BATCH", 50)
    collection_import(user=alice, workspace=acme, content=postman(240))
    collection = Collection.objects.get(workspace=acme)
    one = SavedRequest.objects.filter(collection=collection).first()
    entry = HistoryEntry.objects.create(workspace=acme, user=alice, saved_request=one, method="GET", url="http://x/")
    collection_delete(user=alice, collection=collection)
    assert not SavedRequest.objects.exists() and not Folder.objects.exists()
    entry.refresh_from_db()
    assert entry.saved_request_id is None and entry.url == "http://x/"

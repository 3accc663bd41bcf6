"""/api/v1/runs/{id}/compare: the same comparison the Runner page shows."""

from __future__ import annotations

import pytest

from requests_app.services import runs
from requests_app.services.collections import collection_create
from requests_app.services.folders import folder_create
from requests_app.services.saved_requests import request_create

STATUS_200 = [{"type": "status", "op": "equals", "expected": 200}]


@pytest.fixture
def two_runs(alice, acme, echo_server):
    collection = collection_create(user=alice, workspace=acme, name="Shop",
                                   variables=[{"key": "base", "value": echo_server.url(), "enabled": True}])
    request_create(user=alice, collection=collection, name="status", url="{{base}}/status/{{code}}", assertions=STATUS_200)
    request_create(user=alice, collection=collection, name="fine", url="{{base}}/status/200", assertions=STATUS_200)
    made = []
    for code in ("418", "200"):
        run = runs.run_create(workspace=acme, created_by=alice, collection=collection,
                              data={"format": "csv", "content": f"code\n{code}\n"})
        made.append(runs.run_execute(run.pk, worker="test:host:1"))
    return collection, made


def test_compare_lists_the_fixed_assertion(victor_client, two_runs):
    _, (before, after) = two_runs
    response = victor_client.get(f"/api/v1/runs/{after.pk}/compare?with={before.pk}")
    assert response.status_code == 200
    body = response.json()
    assert (body["before"], body["after"], body["unchanged"]) == (before.pk, after.pk, 1)
    assert [(c["request"], c["change"], c["before"], c["after"]) for c in body["changes"]] == [("status", "fixed", False, True)]
    assert body["changes"][0]["before_message"] == "expected status to equal 200, got 418"


def test_compare_refuses_other_targets_and_hides_foreign_runs(alice, acme, alice_client, carol_client, two_runs):
    collection, (before, _) = two_runs
    folder = folder_create(user=alice, collection=collection, name="Empty")
    request_create(user=alice, collection=collection, folder=folder, name="x", url="http://127.0.0.1:9/")
    other = runs.run_create(workspace=acme, created_by=alice, folder=folder)
    response = alice_client.get(f"/api/v1/runs/{before.pk}/compare?with={other.pk}")
    assert response.status_code == 400 and response.json()["error"]["code"] == "not_comparable"
    assert carol_client.get(f"/api/v1/runs/{before.pk}/compare?with={other.pk}").status_code == 404

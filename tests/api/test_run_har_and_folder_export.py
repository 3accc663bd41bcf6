"""GET /api/v1/runs/{id}/har, /api/v1/history/har?ids=…, collection export ?format=http-folders."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from requests_app.models import Run
from requests_app.services import runs
from requests_app.services.execution import request_execute
from tests.api.conftest import SECRET


@pytest.fixture
def finished(world, alice):
    """A real run of the collection with the secret-bearing environment, executed by the worker's code."""
    run = runs.run_create(workspace=world["workspace"], created_by=alice, collection=world["collection"],
                          environment=world["environment"])
    return runs.run_execute(run.pk, worker="test:host:1")


def test_run_har_is_a_download_with_secrets_masked(finished, victor_client):
    response = victor_client.get(f"/api/v1/runs/{finished.pk}/har")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == f'attachment; filename="run-{finished.pk}.har"'
    (entry,) = json.loads(response.content)["log"]["entries"]
    assert entry["request"]["method"] == "POST" and entry["response"]["status"] == 200
    assert entry["_request"] == "Users / Echo"
    assert SECRET not in response.content.decode()


def test_run_har_outsiders_and_anonymous(finished, carol_client, anon_client, alice_client):
    assert carol_client.get(f"/api/v1/runs/{finished.pk}/har").status_code == 404
    assert anon_client.get(f"/api/v1/runs/{finished.pk}/har").status_code == 401
    assert alice_client.get("/api/v1/runs/abc/har").status_code == 404


def test_run_har_of_an_unfinished_run_is_a_named_400(world, alice, alice_client):
    run = Run.objects.create(workspace=world["workspace"], created_by=alice, collection=world["collection"],
                             title="API", state=Run.State.RUNNING)
    response = alice_client.get(f"/api/v1/runs/{run.pk}/har")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "not_finished"


def test_history_selection_is_one_har_oldest_first(world, alice, alice_client, bob_client, anon_client):
    first = request_execute(user=alice, workspace=world["workspace"], saved_request=world["request"],
                            environment=world["environment"])
    second = request_execute(user=alice, workspace=world["workspace"], saved_request=world["request"])
    for query in (f"ids={second.pk},{first.pk}", f"ids={second.pk}&ids={first.pk}"):
        response = alice_client.get(f"/api/v1/history/har?{query}")
        assert response.status_code == 200, response.content
        assert response["Content-Disposition"] == 'attachment; filename="history-2-entries.har"'
        entries = json.loads(response.content)["log"]["entries"]
        assert len(entries) == 2 and SECRET not in response.content.decode()
        assert {h["name"]: h["value"] for h in entries[0]["request"]["headers"]}["X-Token"] == "{{token}}"
    assert bob_client.get(f"/api/v1/history/har?ids={first.pk}").status_code == 404  # a teammate's entries
    assert alice_client.get(f"/api/v1/history/har?ids={first.pk},x").status_code == 404
    assert anon_client.get(f"/api/v1/history/har?ids={first.pk}").status_code == 401
    empty = alice_client.get("/api/v1/history/har")
    assert empty.status_code == 400 and "history" in empty.json()["error"]["fields"]


def test_http_folders_export_is_a_zip(world, victor_client, carol_client, anon_client):
    url = f"/api/v1/collections/{world['collection'].pk}/export?format=http-folders"
    response = victor_client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == 'attachment; filename="api.http.zip"'
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert archive.namelist() == ["api/Users.http"]
        assert "### Echo" in archive.read("api/Users.http").decode()
    assert carol_client.get(url).status_code == 404
    assert anon_client.get(url).status_code == 401

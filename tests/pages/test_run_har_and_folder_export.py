"""The page's "Export HAR" of a run, "Export (.http, one file per folder)", and runs in the activity feed."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.urls import reverse

from requests_app.services import runs
from requests_app.services.collections import collection_create
from requests_app.services.saved_requests import request_create


@pytest.fixture
def shop(alice, acme, echo_server):
    collection = collection_create(user=alice, workspace=acme, name="Shop API")
    request_create(user=alice, collection=collection, name="ok", url=echo_server.url("/status/200"),
                   assertions=[{"type": "status", "op": "equals", "expected": 200}])
    return collection


def test_a_finished_run_offers_its_har_to_every_member(client_for, alice, victor, carol, acme, shop):
    run = runs.run_create(workspace=acme, created_by=alice, collection=shop)
    har_url = reverse("run_har", args=[acme.pk, run.pk])
    live_url = reverse("run_live", args=[acme.pk, run.pk])
    assert har_url not in client_for(victor).get(live_url).content.decode()  # not before it ended
    assert client_for(victor).get(har_url).status_code == 400
    runs.run_execute(run.pk, worker="test:host:1")
    assert f'href="{har_url}"' in client_for(victor).get(live_url).content.decode()
    response = client_for(victor).get(har_url)
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="run-{run.pk}.har"'
    (entry,) = json.loads(response.content)["log"]["entries"]
    assert (entry["_request"], entry["response"]["status"]) == ("ok", 200)
    assert client_for(carol).get(har_url).status_code == 404
    anonymous = client_for(None).get(har_url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("login"))


def test_the_menu_offers_http_files_per_folder_and_they_download_as_a_zip(client_for, victor, carol, acme_content):
    export = reverse("collection_export", args=[acme_content.workspace.pk, acme_content.collection.pk])
    page = client_for(victor).get(reverse("workspace", args=[acme_content.workspace.pk])).content.decode()
    assert f'href="{export}?format=http-folders"' in page and "Export (.http, one file per folder)" in page
    response = client_for(victor).get(export + "?format=http-folders")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert archive.namelist() == ["users-api/Admin.http"]
        assert "### List users" in archive.read("users-api/Admin.http").decode()
    assert client_for(carol).get(export + "?format=http-folders").status_code == 404


def test_a_started_run_shows_in_the_activity_feed_with_a_link(client_for, victor, acme, shop):
    with runs.dispatching_with(lambda run_id: None):  # the feed line is written when the run starts
        response = client_for(victor).post(reverse("runner", args=[acme.pk]), {"target": f"c:{shop.pk}"})
    assert response.status_code == 302
    run = runs.runs_for_user(victor).get()
    feed = client_for(victor).get(reverse("activity", args=[acme.pk])).content.decode()
    assert "started run" in feed
    assert f'<a href="{reverse("run_page", args=[acme.pk, run.pk])}">“Shop API”</a>' in feed

"""The runner's pickers carry a bounded page of choices and search the rest on the server (issue 15)."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from requests_app.models import Collection, Folder, SavedRequest, Workspace
from requests_app.services import pickers

pytestmark = pytest.mark.django_db


def fill(workspace: Workspace, requests: int, folders: int = 3) -> Collection:
    collection = Collection.objects.create(workspace=workspace, name="Shop")
    area = Folder.objects.create(collection=collection, name="Area", position=0)
    for i in range(folders):
        Folder.objects.create(collection=collection, parent=area, name=f"Orders {i}", position=i)
    SavedRequest.objects.bulk_create(
        SavedRequest(collection=collection, name=f"R{i:04d}", position=i + 1, url=f"http://127.0.0.1:9/item/{i}")
        for i in range(requests))
    return collection


def get(client: Any, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return len(captured), response.content.decode()


def ticked(page: str) -> list[str]:
    return re.findall(r'name="requests" value="\d+"(?: checked)?> \w+ (R\d+) —', page)


def test_the_runner_page_costs_the_same_with_20_or_200_requests(
    alice: Any, make_account: Callable[..., Any], client_for: Callable[[Any], Any], monkeypatch: Any
) -> None:
    monkeypatch.setattr(pickers, "PICKER_SIZE", 10)
    fill(alice.personal_workspace, 20, folders=2)
    dora = make_account("dora")
    fill(dora.personal_workspace, 200, folders=30)
    small_count, small = get(client_for(alice), reverse("runner", args=[alice.personal_workspace.pk]))
    big_count, big = get(client_for(dora), reverse("runner", args=[dora.personal_workspace.pk]))
    assert small_count == big_count
    assert len(ticked(big)) == len(ticked(small)) == 10
    assert big.count('<option value="f:') == 10  # folders past the page are found by the search box
    assert 'value="f:' in big and "Shop / Area / Orders 0" in big  # a folder's path as its label


def test_show_more_requests_walks_every_match_in_pages_of_constant_queries(
    alice: Any, client_for: Callable[[Any], Any], monkeypatch: Any
) -> None:
    monkeypatch.setattr(pickers, "PICKER_SIZE", 10)
    workspace = alice.personal_workspace
    fill(workspace, 45)
    client = client_for(alice)
    _, page = get(client, reverse("runner_requests", args=[workspace.pk]) + "?q=item/")
    seen, counts = ticked(page), set()
    while found := re.search(r'class="btn-link small run-requests-more" hx-get="([^"]+)"', page):
        count, page = get(client, html.unescape(found.group(1)))
        counts.add(count)
        seen += ticked(page)
    assert seen == [f"R{i:04d}" for i in range(45)]
    assert len(counts) == 1


def test_searching_keeps_the_ticked_requests_and_finds_by_url(
    alice: Any, client_for: Callable[[Any], Any]
) -> None:
    workspace = alice.personal_workspace
    fill(workspace, 30)
    kept = SavedRequest.objects.get(name="R0003")
    _, page = get(client_for(alice), reverse("runner_requests", args=[workspace.pk]) + f"?q=item/17&requests={kept.pk}")
    assert f'value="{kept.pk}" checked' in page
    assert ticked(page) == ["R0003", "R0017"]


def test_target_search_finds_folders_by_name_and_keeps_the_chosen_one(
    alice: Any, client_for: Callable[[Any], Any]
) -> None:
    workspace = alice.personal_workspace
    collection = fill(workspace, 1, folders=12)
    chosen = Folder.objects.get(name="Orders 3")
    _, page = get(client_for(alice), reverse("location_options", args=[workspace.pk]) + f"?q=orders 1&target=f:{chosen.pk}")
    labels = re.findall(r'<option value="f:\d+"[^>]*>([^<]+)</option>', page)
    assert labels == ["Shop / Area / Orders 3", "Shop / Area / Orders 1", "Shop / Area / Orders 10", "Shop / Area / Orders 11"]
    assert f'<option value="f:{chosen.pk}" selected>' in page
    assert f'value="c:{collection.pk}"' not in page  # "Shop" does not hold "orders 1"


def test_pickers_of_another_workspace_are_refused(
    alice: Any, make_account: Callable[..., Any], client_for: Callable[[Any], Any]
) -> None:
    other = make_account("erin").personal_workspace
    fill(other, 2)
    client = client_for(alice)
    assert client.get(reverse("runner_requests", args=[other.pk])).status_code == 404
    assert client.get(reverse("location_options", args=[other.pk])).status_code == 404


def test_move_or_copy_searches_the_places_of_every_editable_workspace(
    alice: Any, acme: Workspace, client_for: Callable[[Any], Any]
) -> None:
    mine = fill(alice.personal_workspace, 1, folders=2)
    theirs = fill(acme, 0, folders=3)
    saved = SavedRequest.objects.get(collection=mine)
    url = reverse("request_transfer", args=[alice.personal_workspace.pk, saved.pk])
    _, options = get(client_for(alice), url + "?q=orders 2")
    assert "<form" not in options  # the options only, swapped into the select
    assert re.findall(r'<option value="(f:\d+)"', options) == [
        f"f:{Folder.objects.get(collection=theirs, name='Orders 2').pk}"]
    assert 'label="Acme"' in options and "(nothing here matches)" in options  # alice's own workspace: no match

"""The workspace page carries a screenful of the tree whatever the number of collections (issue 15)."""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Callable
from typing import Any

from django.urls import reverse

from requests_app.models import Collection, SavedRequest, Workspace
from tests.pages.test_sidebar_queries import SHOW_MORE, count_queries, fill


def collections(workspace: Workspace, count: int, *, requests: int = 30) -> list[Collection]:
    made = []
    for number in range(count):
        collection = Collection.objects.create(workspace=workspace, name=f"C{number}", position=number)
        SavedRequest.objects.bulk_create(
            SavedRequest(collection=collection, name=f"C{number}R{i}", position=i, url="http://127.0.0.1:9/")
            for i in range(requests)
        )
        made.append(collection)
    return made


def rows(html: str) -> int:
    return html.count('class="item request') + html.count('class="node folder"') + html.count('class="node collection"')


def test_the_tree_carries_the_same_rows_for_one_or_eight_big_collections(
    alice: Any, make_account: Callable[..., Any], client_for: Callable[[Any], Any], settings: Any
) -> None:
    settings.WEBCLIENT_TREE_PAGE_BUDGET = 12
    small = alice.personal_workspace
    collections(small, 1, requests=300)
    dora = make_account("dora")
    collections(dora.personal_workspace, 8, requests=300)
    small_count, small_page = count_queries(client_for(alice), reverse("sidebar_tree", args=[small.pk]))
    big_count, big_page = count_queries(client_for(dora), reverse("sidebar_tree", args=[dora.personal_workspace.pk]))
    assert small_count == big_count
    assert rows(small_page.content.decode()) == rows(big_page.content.decode()) == 12
    html = big_page.content.decode()
    # 8 collection rows, 4 requests of the first; the other seven show open and load when seen
    assert re.findall(r'class="item-name" title="(C\dR\d+)"', html) == ["C0R0", "C0R1", "C0R2", "C0R3"]
    assert html.count('class="node collection" ') == 8
    assert len(re.findall(r'<div class="node collection"[^>]* aria-expanded="true"', html)) == 8
    assert html.count("children loading") == 7
    assert html.count(SHOW_MORE) == 1  # the first collection's next page


def test_the_current_requests_collection_is_shown_even_past_the_screenful(
    alice: Any, client_for: Callable[[Any], Any], settings: Any
) -> None:
    settings.WEBCLIENT_TREE_PAGE_BUDGET = 5
    workspace = alice.personal_workspace
    made = collections(workspace, 6, requests=3)
    current = SavedRequest.objects.get(collection=made[5], name="C5R2")
    html = client_for(alice).get(
        reverse("sidebar_tree", args=[workspace.pk]) + f"?current={current.pk}").content.decode()
    assert f'data-request-id="{current.pk}"' in html and "C0R0" not in html


def test_collections_come_in_pages_with_show_more_in_a_fixed_number_of_queries(
    alice: Any, client_for: Callable[[Any], Any], settings: Any
) -> None:
    settings.WEBCLIENT_TREE_COLLECTIONS_PAGE = 3
    workspace = alice.personal_workspace
    collections(workspace, 8, requests=2)
    client = client_for(alice)
    html = client.get(reverse("sidebar_tree", args=[workspace.pk])).content.decode()
    names = re.findall(r'class="item-name" title="(C\d)"', html)
    counts = set()
    found = re.search(r'hx-get="([^"]+/tree/collections/[^"]*)"', html)
    while found:
        count, response = count_queries(client, html_lib.unescape(found.group(1)))
        counts.add(count)
        page = response.content.decode()
        assert 'id="tree"' not in page  # rows only, swapped in place of the button
        names += re.findall(r'class="item-name" title="(C\d)"', page)
        found = re.search(r'hx-get="([^"]+/tree/collections/[^"]*)"', page)
    assert names == [f"C{n}" for n in range(8)]
    assert len(counts) == 1
    assert counts.pop() <= 4
    # a later page emptied meanwhile (the rest deleted) says nothing rather than "No collections yet"
    cursor = re.search(r'hx-get="[^"]+/tree/collections/\?cursor=([^"]+)"', html).group(1)
    Collection.objects.filter(workspace=workspace).exclude(name__in=["C0", "C1", "C2"]).delete()
    later = client.get(reverse("sidebar_collections", args=[workspace.pk]) + f"?cursor={cursor}").content.decode()
    assert "No collections yet" not in later and 'class="node collection"' not in later


def test_more_collections_of_another_workspace_are_refused(
    alice: Any, make_account: Callable[..., Any], client_for: Callable[[Any], Any]
) -> None:
    other = make_account("erin").personal_workspace
    fill(other, folders=1, requests=1)
    response = client_for(alice).get(reverse("sidebar_collections", args=[other.pk]))
    assert response.status_code == 404

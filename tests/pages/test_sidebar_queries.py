"""The sidebar costs a fixed number of queries, whatever the size of the workspace."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from requests_app.models import Collection, Folder, SavedRequest, Workspace
from requests_app.services.pickers import Choice, location_choices
from requests_app.services.sidebar import sidebar_tree


def fill(workspace: Workspace, *, folders: int, requests: int, nested: bool = True) -> list[Folder]:
    """One collection with `folders` folders (every 5th nested in the previous one) and `requests` requests."""
    collection = Collection.objects.create(workspace=workspace, name=f"Big {folders}")
    made: list[Folder] = []
    for i in range(folders):
        parent = made[-1] if nested and made and i % 5 == 4 else None
        made.append(Folder.objects.create(collection=collection, parent=parent, name=f"F{i}", position=i))
    SavedRequest.objects.bulk_create(
        SavedRequest(collection=collection, folder=made[i % folders] if folders else None, name=f"R{i}", position=i,
                     url=f"http://127.0.0.1:9/{i}")  # fmt: skip
        for i in range(requests)
    )
    return made


def count_queries(client: Any, url: str) -> tuple[int, Any]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return len(captured), response


@pytest.fixture
def big_and_small(alice: Any, make_account: Callable[..., Any]) -> tuple[Workspace, Workspace]:
    small = alice.personal_workspace
    fill(small, folders=2, requests=10)
    other = make_account("dora")
    big = other.personal_workspace
    fill(big, folders=50, requests=1000)
    return small, big


def test_sidebar_tree_with_1000_requests_in_50_folders_costs_as_many_queries_as_a_small_one(
    alice: Any, big_and_small: tuple[Workspace, Workspace], client_for: Callable[[Any], Any]
) -> None:
    small, big = big_and_small
    dora = big.members.get()
    small_count, _ = count_queries(client_for(alice), reverse("sidebar_tree", args=[small.pk]))
    big_count, response = count_queries(client_for(dora), reverse("sidebar_tree", args=[big.pk]))
    assert big_count == small_count
    assert big_count <= 8
    # a screenful: the collection row and the first 15 of its 40 top-level folders, collapsed;
    # subfolders and requests load on expand, the other folders on "Show more"
    html = response.content.decode()
    assert html.count('class="node folder"') == 15
    assert html.count('data-children-url="/w/') == 15  # each loads its children when opened (tree.js)
    assert html.count(SHOW_MORE) == 1
    assert "R999" not in html


def test_sidebar_tree_with_open_folders_and_a_current_request_still_costs_a_fixed_number(
    big_and_small: tuple[Workspace, Workspace], client_for: Callable[[Any], Any]
) -> None:
    _, big = big_and_small
    dora = big.members.get()
    folders = list(Folder.objects.filter(collection__workspace=big).order_by("id"))
    deep = folders[9]  # nested under folders[8]
    current = SavedRequest.objects.filter(folder=deep).first()
    url = reverse("sidebar_tree", args=[big.pk])
    none_open, _ = count_queries(client_for(dora), url)
    many_open, response = count_queries(
        client_for(dora), f"{url}?open={','.join(str(f.pk) for f in folders[:30])}&current={current.pk}"
    )
    assert many_open == none_open + 3  # which open folders exist; the current request and its folder chain
    html = response.content.decode()
    assert f'data-request-id="{current.pk}"' in html
    assert f'data-folder-id="{deep.pk}" aria-expanded="true"' in html  # the current request's folder, nested, shown open
    # the WAI-ARIA tree: levels from the nesting, the current request marked, the ⋯ menus out of the Tab order
    assert html.count('role="tree"') == 1 and "{#" not in html
    assert re.search(rf'data-folder-id="{deep.pk}" aria-expanded="true" aria-level="3"', html)
    assert re.search(rf'data-request-id="{current.pk}" aria-level="4" aria-label="[^"]*" tabindex="-1" aria-current="page"', html)
    assert 'class="icon-btn" aria-label' not in html


def test_workspace_page_with_1000_requests_costs_as_many_queries_as_a_small_one(
    alice: Any, big_and_small: tuple[Workspace, Workspace], client_for: Callable[[Any], Any]
) -> None:
    small, big = big_and_small
    dora = big.members.get()
    small_count, _ = count_queries(client_for(alice), reverse("workspace", args=[small.pk]))
    big_count, _ = count_queries(client_for(dora), reverse("workspace", args=[big.pk]))
    assert big_count == small_count


def test_expanding_a_folder_loads_its_children_in_a_fixed_number_of_queries(
    big_and_small: tuple[Workspace, Workspace], client_for: Callable[[Any], Any]
) -> None:
    _, big = big_and_small
    dora = big.members.get()
    folders = list(Folder.objects.filter(collection__workspace=big).order_by("id"))
    client = client_for(dora)
    counts = {count_queries(client, reverse("folder_children", args=[big.pk, f.pk]))[0] for f in folders[:10]}
    assert len(counts) == 1
    _, response = count_queries(client, reverse("folder_children", args=[big.pk, folders[0].pk]))
    assert response.content.decode().count('class="item request') == 20


def test_sidebar_tree_service_nests_folders_and_counts_items(alice: Any, settings: Any) -> None:
    settings.WEBCLIENT_TREE_PAGE_BUDGET = 1000
    workspace = alice.personal_workspace
    folders = fill(workspace, folders=10, requests=40)
    tree = sidebar_tree(user=alice, workspace=workspace, open_folder_ids={folders[3].pk})
    (collection,) = tree.collections
    assert collection.loaded
    assert [f.name for f in collection.items] == ["F0", "F1", "F2", "F3", "F5", "F6", "F7", "F8"]
    opened = collection.items[3]
    assert opened.loaded and [item.name for item in opened.items] == ["R3", "F4", "R13", "R23", "R33"]  # positions shared: R3 at 3, F4 at 4
    assert opened.child_count == 5 and opened.request_count == 4
    assert not collection.items[0].loaded and collection.items[0].items == []
    assert Choice(f"f:{folders[4].pk}", "Big 10 / F3 / F4") in location_choices(user=alice, workspace=workspace)


# ------------------------------------------------------------------ lazy pages (issue 15)

SHOW_MORE = 'class="tree-more'


def more_url(html: str) -> str | None:
    import html as html_lib
    import re

    found = re.search(r'class="tree-more[^"]*"[^>]*hx-get="([^"]+)"', html, re.S)
    return html_lib.unescape(found.group(1)) if found else None


def request_names(html: str) -> list[str]:
    import re

    return re.findall(r'class="item-name" title="(R\d+)"', html)


def flat_root(alice: Any, client: Any, settings: Any, *, page_size: int, requests: int) -> str:
    """A collection of `requests` at its root, pages of `page_size`: the sidebar's HTML."""
    settings.WEBCLIENT_TREE_PAGE_SIZE = page_size
    settings.WEBCLIENT_TREE_PAGE_BUDGET = 1000
    fill(alice.personal_workspace, folders=0, requests=requests)
    return client.get(reverse("sidebar_tree", args=[alice.personal_workspace.pk])).content.decode()


def test_a_big_collection_root_comes_in_bounded_pages_with_show_more(
    alice: Any, client_for: Callable[[Any], Any], settings: Any
) -> None:
    client = client_for(alice)
    html = flat_root(alice, client, settings, page_size=40, requests=130)
    seen = request_names(html)
    assert seen == [f"R{i}" for i in range(40)]
    counts = set()
    url = more_url(html)
    while url:
        count, response = count_queries(client, url)
        counts.add(count)
        page_html = response.content.decode()
        assert "<div class=\"children\"" not in page_html  # only items and the next button: appended in place
        seen += request_names(page_html)
        url = more_url(page_html)
    assert seen == [f"R{i}" for i in range(130)]
    assert len(counts) == 1


def test_show_more_is_stable_when_items_are_added_meanwhile(
    alice: Any, client_for: Callable[[Any], Any], settings: Any
) -> None:
    from requests_app.services.saved_requests import request_create

    client = client_for(alice)
    html = flat_root(alice, client, settings, page_size=10, requests=25)
    collection = Collection.objects.get(workspace=alice.personal_workspace)
    request_create(user=alice, collection=collection, name="R99")  # appended at the end
    second = client.get(more_url(html)).content.decode()
    assert request_names(second) == [f"R{i}" for i in range(10, 20)]


def test_a_closed_collection_carries_nothing_and_loads_when_opened(
    alice: Any, client_for: Callable[[Any], Any]
) -> None:
    workspace = alice.personal_workspace
    fill(workspace, folders=3, requests=30)
    collection = Collection.objects.get(workspace=workspace)
    client = client_for(alice)
    client.cookies[f"tree-{workspace.pk}"] = f"~{collection.pk}"
    html = client.get(reverse("workspace", args=[workspace.pk])).content.decode()
    assert "R0" not in html and 'class="node folder"' not in html
    children_url = reverse("collection_children", args=[workspace.pk, collection.pk])
    assert children_url in html
    count, response = count_queries(client, children_url + "?depth=0")
    assert count <= 6
    assert response.content.decode().count('class="node folder"') == 3


def test_open_folders_in_the_cookie_show_open_on_a_full_page_load(
    alice: Any, client_for: Callable[[Any], Any]
) -> None:
    workspace = alice.personal_workspace
    folders = fill(workspace, folders=3, requests=30)
    client = client_for(alice)
    client.cookies[f"tree-{workspace.pk}"] = f"{folders[1].pk}~"
    html = client.get(reverse("workspace", args=[workspace.pk])).content.decode()
    assert f'data-folder-id="{folders[1].pk}" aria-expanded="true"' in html
    assert f'data-folder-id="{folders[0].pk}" aria-expanded="true"' not in html
    assert "R1" in html and "R0" not in html


def test_a_folder_of_another_workspace_in_the_open_list_shows_nothing_of_it(
    alice: Any, make_account: Callable[..., Any], client_for: Callable[[Any], Any]
) -> None:
    other = make_account("erin").personal_workspace
    theirs = fill(other, folders=2, requests=4)
    html = client_for(alice).get(
        reverse("sidebar_tree", args=[alice.personal_workspace.pk]) + f"?open={theirs[0].pk}"
    ).content.decode()
    assert "R0" not in html and "F0" not in html

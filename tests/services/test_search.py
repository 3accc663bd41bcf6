"""Search (requests_app/search.py): the same hits on SQLite and PostgreSQL.

Run on both: `pytest tests/services/test_search.py` (SQLite) and with
DATABASE_URL=postgres://…/webclient_<name> (PostgreSQL, trigram indexes in use).
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from requests_app.search import workspace_search
from requests_app.services.collections import collection_create
from requests_app.services.errors import NotFound, ValidationFailed
from requests_app.services.folders import folder_create
from requests_app.services.saved_requests import request_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(alice, acme):
    shop = collection_create(user=alice, workspace=acme, name="Shop API")
    users = folder_create(user=alice, collection=shop, name="Users")
    admin = folder_create(user=alice, collection=shop, parent=users, name="Admin")
    request_create(user=alice, collection=shop, folder=admin, name="List users", url="https://shop.test/api/users")
    request_create(user=alice, collection=shop, folder=users, name="Create user", method="POST",
                   url="https://shop.test/api/users", body={"mode": "raw", "text": '{"role": "auditor"}'},
                   description="Needs the admin token")
    request_create(user=alice, collection=shop, name="Orders 100% paid", url="https://shop.test/api/orders?state=paid")
    request_create(user=alice, collection=shop, name="under_score", url="https://shop.test/a_b")
    request_create(user=alice, collection=shop, name="Grüße", url="https://shop.test/gruesse")
    return shop


def names(found):
    return sorted(hit.name for hit in found.requests)


def test_words_match_name_method_or_url_case_insensitively(alice, acme, shop):
    assert names(workspace_search(user=alice, workspace=acme, q="USERS")) == ["Create user", "List users"]
    assert names(workspace_search(user=alice, workspace=acme, q="post users")) == ["Create user"]
    assert names(workspace_search(user=alice, workspace=acme, q="orders paid")) == ["Orders 100% paid"]
    hit = workspace_search(user=alice, workspace=acme, q="list").requests[0]
    assert hit.path == "Shop API / Users / Admin" and hit.method == "GET"


def test_like_wildcards_in_the_query_are_plain_characters(alice, acme, shop):
    assert names(workspace_search(user=alice, workspace=acme, q="100%")) == ["Orders 100% paid"]
    assert names(workspace_search(user=alice, workspace=acme, q="_")) == ["under_score"]
    assert names(workspace_search(user=alice, workspace=acme, q="a_b")) == ["under_score"]
    assert names(workspace_search(user=alice, workspace=acme, q="%")) == ["Orders 100% paid"]


def test_non_ascii_names_match_as_typed(alice, acme, shop):
    assert names(workspace_search(user=alice, workspace=acme, q="Grüße")) == ["Grüße"]


def test_body_and_description_only_when_asked(alice, acme, shop):
    assert names(workspace_search(user=alice, workspace=acme, q="auditor")) == []
    assert names(workspace_search(user=alice, workspace=acme, q="auditor", body=True)) == ["Create user"]
    assert names(workspace_search(user=alice, workspace=acme, q="admin token", body=True)) == ["Create user"]


def test_folders_and_collections_match_by_name(alice, acme, shop):
    found = workspace_search(user=alice, workspace=acme, q="admin")
    assert [f["name"] for f in found.folders] == ["Admin"] and found.folders[0]["path"] == "Shop API / Users"
    assert [c["name"] for c in workspace_search(user=alice, workspace=acme, q="shop").collections] == ["Shop API"]


def test_pages_are_keyset_and_walk_every_hit_once(alice, acme, shop):
    for i in range(23):
        request_create(user=alice, collection=shop, name=f"bulk {i}", url=f"https://shop.test/bulk/{i}")
    seen, cursor = [], ""
    while True:
        found = workspace_search(user=alice, workspace=acme, q="bulk", cursor=cursor, limit=10)
        seen += [hit.name for hit in found.requests]
        if not found.next_cursor:
            break
        cursor = found.next_cursor
    assert seen == [f"bulk {i}" for i in reversed(range(23))]


def test_bad_queries_are_named_errors_and_outsiders_see_nothing(alice, carol, acme, shop):
    for q, message in (("", "Type something"), ("x" * 201, "too long")):
        with pytest.raises(ValidationFailed) as raised:
            workspace_search(user=alice, workspace=acme, q=q)
        assert message in raised.value.fields["q"][0]
    with pytest.raises(NotFound):
        workspace_search(user=carol, workspace=acme, q="users")


def test_api_and_page_give_the_same_hits(alice, acme, shop, alice_client, client):
    body = alice_client.get("/api/v1/search", {"workspace": acme.pk, "q": "users"}).json()
    assert sorted(hit["name"] for hit in body["results"]) == ["Create user", "List users"]
    assert body["folders"][0]["name"] == "Users"
    assert alice_client.get("/api/v1/search", {"workspace": acme.pk, "q": ""}).status_code == 400
    client.force_login(alice)
    page = client.get(reverse("sidebar_search", args=[acme.pk]), {"q": "users"}).content.decode()
    assert "List users" in page and "Create user" in page and "Shop API / Users / Admin" in page


def test_postgresql_answers_from_the_trigram_index(alice, acme, shop):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: run with DATABASE_URL=postgres://…")
    from requests_app.models import SavedRequest

    queryset = SavedRequest.objects.filter(name__icontains="users")
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        plan = queryset.explain()
        cursor.execute("SET enable_seqscan = on")
    assert "search_request_name_trgm" in plan

"""List endpoints cost the same number of queries with 1 or 50 objects."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from requests_app.engine.exchange import Exchange, Response, SentRequest
from requests_app.services.collections import collection_create
from requests_app.services.environments import environment_create
from requests_app.services.folders import folder_create
from requests_app.services.history import history_record
from requests_app.services.saved_requests import request_create


def fill(kind, count, alice, acme):
    collection = collection_create(user=alice, workspace=acme, name="C")
    for i in range(count):
        if kind == "collections":
            collection_create(user=alice, workspace=acme, name=f"c{i}")
        elif kind == "folders":
            folder_create(user=alice, collection=collection, name=f"f{i}")
        elif kind == "requests":
            request_create(user=alice, collection=collection, name=f"r{i}", url="http://x/")
        elif kind == "environments":
            environment_create(user=alice, workspace=acme, name=f"e{i}",
                               variables=[{"key": "s", "value": "v", "secret": True}])
        elif kind == "history":
            history_record(user=alice, workspace=acme, asked={"method": "GET", "url": "http://x/"}, secrets={},
                           exchange=Exchange(request=SentRequest("GET", "http://x/"),
                                             response=Response("HTTP/1.1", 200, "OK")))
        elif kind == "workspaces":
            from requests_app.services.workspaces import workspace_create

            workspace_create(user=alice, name=f"w{i}")


def count_queries(client, path):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    body = response.json()
    return len(captured), body["count"] if "count" in body else len(body["results"])  # keyset lists have no count


@pytest.mark.parametrize("kind", ["collections", "folders", "requests", "environments", "history", "workspaces"])
def test_list_queries_do_not_grow_with_objects(kind, alice, acme, alice_client, django_assert_num_queries):
    fill(kind, 1, alice, acme)
    alice_client.get("/api/v1/workspaces")  # the token's first use records last_used_at once
    few_queries, few = count_queries(alice_client, f"/api/v1/{kind}")
    fill(kind, 49, alice, acme)
    with django_assert_num_queries(few_queries):
        many_queries, many = count_queries(alice_client, f"/api/v1/{kind}")
    assert many > few

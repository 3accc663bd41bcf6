"""The list selectors the pages and the API share: filters narrow, the user's workspaces bound."""

from __future__ import annotations

import pytest

from requests_app import selectors
from requests_app.models import Workspace
from requests_app.services import runs
from requests_app.services.collections import collection_create
from requests_app.services.environments import environment_create
from requests_app.services.folders import folder_create
from requests_app.services.saved_requests import request_create


@pytest.fixture
def tree(alice, acme):
    other = Workspace.objects.create(name="Other")
    other.memberships.create(user=alice, role="owner")
    shop = collection_create(user=alice, workspace=acme, name="Shop")
    admin = folder_create(user=alice, collection=shop, name="Admin")
    users = collection_create(user=alice, workspace=other, name="Users")
    request_create(user=alice, collection=shop, name="root", url="http://127.0.0.1:9/")
    request_create(user=alice, collection=shop, folder=admin, name="admin", url="http://127.0.0.1:9/")
    request_create(user=alice, collection=users, name="users", url="http://127.0.0.1:9/")
    return {"other": other, "shop": shop, "admin": admin, "users": users}


def names(queryset):
    return [obj.name for obj in queryset]


def test_filters_narrow_and_absent_ones_do_not(alice, acme, tree):
    assert names(selectors.collection_list(user=alice, filters={"workspace": acme.pk})) == ["Shop"]
    assert sorted(names(selectors.collection_list(user=alice, filters={"workspace": None}))) == ["Shop", "Users"]
    assert sorted(names(selectors.request_list(user=alice, filters={"collection": tree["shop"].pk}))) == ["admin", "root"]
    assert names(selectors.request_list(user=alice, filters={"folder": tree["admin"].pk})) == ["admin"]
    assert names(selectors.folder_list(user=alice, filters={"collection": tree["users"].pk})) == []
    environment_create(user=alice, workspace=tree["other"], name="staging")
    assert names(selectors.environment_list(user=alice, filters={"workspace": acme.pk})) == []
    assert names(selectors.environment_list(user=alice)) == ["staging"]


def test_another_workspace_stays_out_whatever_the_filters_say(carol, acme, tree):
    assert names(selectors.request_list(user=carol, filters={"collection": tree["shop"].pk})) == []
    assert names(selectors.collection_list(user=carol, filters={"workspace": acme.pk})) == []


def test_a_filter_the_list_does_not_know_is_a_mistake_not_a_no_op(alice, tree):
    with pytest.raises(TypeError, match="unknown filters: workspace"):
        selectors.request_list(user=alice, filters={"workspace": 1})


def test_runs_filter_by_workspace_and_collection(alice, acme, tree):
    shop_run = runs.run_create(workspace=acme, created_by=alice, collection=tree["shop"])
    users_run = runs.run_create(workspace=tree["other"], created_by=alice, collection=tree["users"])
    assert list(runs.run_list(user=alice, filters={"workspace": acme.pk})) == [shop_run]
    assert list(runs.run_list(user=alice, filters={"collection": tree["users"].pk})) == [users_run]
    assert list(runs.run_list(user=alice)) == [users_run, shop_run]  # newest first

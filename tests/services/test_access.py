import pytest

from requests_app import access
from requests_app.models import Role
from requests_app.services.collections import collection_create
from requests_app.services.environments import environment_create
from requests_app.services.errors import Forbidden, NotFound
from requests_app.services.folders import folder_create
from requests_app.services.saved_requests import request_create


@pytest.fixture
def tree(alice, acme):
    collection = collection_create(user=alice, workspace=acme, name="API")
    folder = folder_create(user=alice, collection=collection, name="Users")
    saved = request_create(user=alice, collection=collection, folder=folder, name="List", url="http://127.0.0.1/")
    environment = environment_create(user=alice, workspace=acme, name="Local")
    return {"workspace": acme, "collection": collection, "folder": folder, "request": saved,
            "environment": environment}


GETTERS = {
    "workspace": access.get_workspace_for_user,
    "collection": access.get_collection_for_user,
    "folder": access.get_folder_for_user,
    "request": access.get_request_for_user,
    "environment": access.get_environment_for_user,
}


@pytest.mark.parametrize("kind", GETTERS)
def test_outsider_gets_not_found_for_every_kind_of_object(tree, carol, kind):
    with pytest.raises(NotFound):
        GETTERS[kind](carol, tree[kind].pk)


@pytest.mark.parametrize("kind", GETTERS)
def test_missing_and_malformed_ids_are_not_found(alice, kind):
    for bad in (999999, "abc", "", None, -1, 0, 2**70, "1.5", True):
        with pytest.raises(NotFound):
            GETTERS[kind](alice, bad)


@pytest.mark.parametrize("kind", ["collection", "folder", "request", "environment"])
def test_viewer_reads_but_may_not_edit(tree, victor, kind):
    obj = GETTERS[kind](victor, tree[kind].pk)
    assert obj.user_role == Role.VIEWER
    with pytest.raises(Forbidden):
        GETTERS[kind](victor, tree[kind].pk, need="edit")


def test_editor_edits_but_does_not_own_the_workspace(tree, bob):
    assert access.get_request_for_user(bob, tree["request"].pk, need="edit").user_role == Role.EDITOR
    with pytest.raises(Forbidden):
        access.get_workspace_for_user(bob, tree["workspace"].pk, need="own")


def test_owner_owns(tree, alice):
    assert access.get_workspace_for_user(alice, tree["workspace"].pk, need="own").user_role == Role.OWNER


def test_anonymous_and_inactive_users_reach_nothing(tree, alice):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(NotFound):
        access.get_collection_for_user(AnonymousUser(), tree["collection"].pk)
    alice.is_active = False
    with pytest.raises(NotFound):
        access.get_collection_for_user(alice, tree["collection"].pk)


def test_workspaces_for_user_lists_only_memberships_with_roles(tree, alice, bob, carol):
    assert [(w.name, w.user_role) for w in access.workspaces_for_user(bob)] == [
        ("bob's workspace", Role.OWNER),
        ("Acme", Role.EDITOR),
    ]
    assert [w.name for w in access.workspaces_for_user(carol)] == ["carol's workspace"]


def test_each_getter_costs_one_query(tree, alice, django_assert_num_queries):
    with django_assert_num_queries(1):
        access.get_request_for_user(alice, tree["request"].pk, need="edit")


def test_services_recheck_roles_for_objects_not_from_access(tree, victor):
    from requests_app.models import SavedRequest
    from requests_app.services.saved_requests import request_delete

    plain = SavedRequest.objects.get(pk=tree["request"].pk)  # no user_role annotation
    with pytest.raises(Forbidden):
        request_delete(user=victor, saved_request=plain)
    assert SavedRequest.objects.filter(pk=plain.pk).exists()

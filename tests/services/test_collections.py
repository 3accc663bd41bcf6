import threading

import pytest
from django.db import connection

from requests_app import access
from requests_app.engine.spec import KeyValue, RequestSpec
from requests_app.models import Collection, Folder, SavedRequest
from requests_app.services import errors
from requests_app.services.collections import (
    collection_create,
    collection_delete,
    collection_duplicate,
    collection_move,
    collection_tree,
    collection_update,
)
from requests_app.services.folders import folder_create, folder_delete, folder_duplicate, folder_move, folder_update
from requests_app.services.saved_requests import (
    request_create,
    request_delete,
    request_duplicate,
    request_move,
    request_spec,
    request_update,
)


@pytest.fixture
def api(alice, acme):
    return collection_create(
        user=alice,
        workspace=acme,
        name="API",
        variables=[{"key": "base", "value": "http://127.0.0.1", "enabled": True}],
        auth={"type": "bearer", "token": "{{token}}"},
    )


def names(queryset):
    return [obj.name for obj in queryset.order_by("position", "id")]


def test_collection_create_cleans_input_and_appends(alice, acme, api):
    second = collection_create(user=alice, workspace=acme, name="  Second  ")
    assert second.name == "Second"
    assert second.position == api.position + 1
    assert second.auth == {"type": "none"}
    assert api.variables == [{"key": "base", "value": "http://127.0.0.1", "enabled": True}]


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": "ok", "variables": "nope"}, "variables"),
        ({"name": "ok", "variables": [{"key": "", "value": "v"}]}, "variables[0].key"),
        ({"name": "ok", "variables": [{"key": "a", "value": 3}]}, "variables[0].value"),
        ({"name": "ok", "auth": {"type": "telepathy"}}, "auth.type"),
        ({"name": "ok", "description": "a\x00b"}, "description"),
    ],
)
def test_collection_create_names_the_bad_field_and_writes_nothing(alice, acme, kwargs, field):
    with pytest.raises(errors.ValidationFailed) as caught:
        collection_create(user=alice, workspace=acme, **kwargs)
    assert field in caught.value.fields
    assert not Collection.objects.exists()


def test_viewer_cannot_create_and_editor_can(acme, bob, victor):
    with pytest.raises(errors.Forbidden):
        collection_create(user=victor, workspace=acme, name="Nope")
    assert collection_create(user=bob, workspace=acme, name="Yes").name == "Yes"


def test_outsider_cannot_use_a_workspace_object_directly(acme, carol):
    with pytest.raises(errors.NotFound):
        collection_create(user=carol, workspace=acme, name="Sneaky")


def test_update_with_current_version_bumps_it(alice, api):
    updated = collection_update(user=alice, collection=api, version=1, name="API v2")
    assert (updated.name, updated.version) == ("API v2", 2)
    assert Collection.objects.get(pk=api.pk).version == 2


def test_stale_update_raises_conflict_with_the_stored_object_and_changes_nothing(alice, bob, api):
    theirs = access.get_collection_for_user(bob, api.pk, need="edit")
    collection_update(user=alice, collection=api, version=1, name="Alice's")
    with pytest.raises(errors.VersionConflict) as caught:
        collection_update(user=bob, collection=theirs, version=1, name="Bob's")
    assert caught.value.current.name == "Alice's"
    assert caught.value.current.version == 2
    assert Collection.objects.get(pk=api.pk).name == "Alice's"


def test_update_without_version_is_refused(alice, api):
    with pytest.raises(errors.ValidationFailed) as caught:
        collection_update(user=alice, collection=api, version=None, name="x")  # type: ignore[arg-type]
    assert caught.value.code == "version_required"


@pytest.mark.django_db(transaction=True)
def test_concurrent_updates_with_the_same_version_let_exactly_one_win(alice, api):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the conditional UPDATE is what is under test on PostgreSQL")
    outcomes = []

    def save(name):
        try:
            collection_update(user=alice, collection=Collection.objects.get(pk=api.pk), version=1, name=name)
            outcomes.append("ok")
        except errors.VersionConflict:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(f"n{i}",)) for i in range(4)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert sorted(outcomes) == ["conflict", "conflict", "conflict", "ok"]


def test_collection_move_reorders_the_workspace(alice, acme, api):
    b = collection_create(user=alice, workspace=acme, name="B")
    c = collection_create(user=alice, workspace=acme, name="C")
    collection_move(user=alice, collection=c, position=0)
    assert names(Collection.objects.filter(workspace=acme)) == ["C", "API", "B"]
    collection_move(user=alice, collection=c, position=99)
    assert names(Collection.objects.filter(workspace=acme)) == ["API", "B", "C"]
    assert b.pk


def test_requests_keep_ordered_repeating_headers_and_inherit_auth_by_default(alice, api):
    saved = request_create(
        user=alice,
        collection=api,
        name="List",
        method="get",
        url="{{base}}/users",
        headers=[{"key": "X-A", "value": "1"}, {"key": "X-A", "value": "2", "enabled": False}],
    )
    assert saved.method == "GET"
    assert saved.headers == [
        {"key": "X-A", "value": "1", "enabled": True},
        {"key": "X-A", "value": "2", "enabled": False},
    ]
    assert saved.auth == {"type": "inherit"}
    spec = request_spec(saved)
    assert (spec.auth.type, spec.auth.token) == ("bearer", "{{token}}")
    assert saved.created_by == alice


def test_request_with_its_own_auth_does_not_inherit(alice, api):
    saved = request_create(user=alice, collection=api, name="Basic", url="http://x/",
                           auth={"type": "basic", "username": "u", "password": "p"})
    assert request_spec(saved).auth.type == "basic"


def test_request_create_from_an_engine_spec(alice, api):
    spec = RequestSpec(method="POST", url="http://127.0.0.1/x", headers=[KeyValue("A", "b")])
    saved = request_create(user=alice, collection=api, name="From spec", spec=spec)
    assert saved.method == "POST"
    assert saved.headers == [{"key": "A", "value": "b", "enabled": True}]


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"method": "GET X"}, "method"),
        ({"headers": [{"key": "A", "value": 1}]}, "headers[0].value"),
        ({"body": {"mode": "smoke"}}, "body.mode"),
        ({"body": {"mode": "binary", "base64": "***"}}, "body.base64"),
        ({"options": {"timeout_ms": 0}}, "options.timeout_ms"),
        ({"body": {"mode": "raw", "text": "a\x00"}}, "body.text"),
    ],
)
def test_request_create_names_bad_parts(alice, api, kwargs, field):
    with pytest.raises(errors.ValidationFailed) as caught:
        request_create(user=alice, collection=api, name="Bad", url="http://x/", **kwargs)
    assert field in caught.value.fields
    assert not SavedRequest.objects.exists()


def test_request_update_changes_only_given_parts(alice, bob, api):
    saved = request_create(user=alice, collection=api, name="List", url="http://x/a",
                           headers=[{"key": "A", "value": "1"}])
    mine = access.get_request_for_user(bob, saved.pk, need="edit")
    updated = request_update(user=bob, saved_request=mine, version=1, url="http://x/b")
    assert (updated.url, updated.headers[0]["key"], updated.version) == ("http://x/b", "A", 2)
    stored = SavedRequest.objects.get(pk=saved.pk)
    assert stored.updated_by == bob and stored.created_by == alice


def test_request_update_stale_version_conflicts(alice, api):
    saved = request_create(user=alice, collection=api, name="List", url="http://x/")
    request_update(user=alice, saved_request=saved, version=1, name="One")
    with pytest.raises(errors.VersionConflict) as caught:
        request_update(user=alice, saved_request=saved, version=1, name="Two")
    assert caught.value.current.name == "One"


def test_request_move_reorders_within_a_folder_and_across_collections(alice, acme, api):
    folder = folder_create(user=alice, collection=api, name="F")
    a, b, c = (request_create(user=alice, collection=api, folder=folder, name=n, url="http://x/") for n in "abc")
    request_move(user=alice, saved_request=c, folder=folder, position=0)
    assert names(SavedRequest.objects.filter(folder=folder)) == ["c", "a", "b"]
    other = collection_create(user=alice, workspace=acme, name="Other")
    request_move(user=alice, saved_request=a, folder=None, collection=other)
    a.refresh_from_db()
    assert (a.collection_id, a.folder_id) == (other.pk, None)
    assert [r.position for r in SavedRequest.objects.filter(folder=folder).order_by("position")] == [0, 1]


def test_request_move_to_a_folder_of_another_workspace_needs_editor_rights_there(alice, api, carol):
    from requests_app.models import Workspace

    carols = Workspace.objects.get(memberships__user=carol)
    theirs = collection_create(user=carol, workspace=carols, name="Carol's")
    saved = request_create(user=alice, collection=api, name="x", url="http://x/")
    with pytest.raises(errors.NotFound):
        request_move(user=alice, saved_request=saved, folder=None, collection=theirs)
    assert SavedRequest.objects.get(pk=saved.pk).collection_id == api.pk


def test_folder_tree_nesting_move_and_cycle_refusal(alice, acme, api):
    top = folder_create(user=alice, collection=api, name="Top")
    mid = folder_create(user=alice, collection=api, parent=top, name="Mid")
    leaf = folder_create(user=alice, collection=api, parent=mid, name="Leaf")
    request_create(user=alice, collection=api, folder=leaf, name="deep", url="http://x/")
    with pytest.raises(errors.ValidationFailed) as caught:
        folder_move(user=alice, folder=top, parent=leaf)
    assert caught.value.code == "folder_cycle"
    other = collection_create(user=alice, workspace=acme, name="Other")
    folder_move(user=alice, folder=mid, parent=None, collection=other)
    assert set(Folder.objects.filter(collection=other).values_list("name", flat=True)) == {"Mid", "Leaf"}
    assert SavedRequest.objects.get(name="deep").collection_id == other.pk
    assert Folder.objects.get(pk=mid.pk).parent_id is None


def test_folder_reorder_and_update(alice, api):
    a = folder_create(user=alice, collection=api, name="A")
    b = folder_create(user=alice, collection=api, name="B")
    folder_move(user=alice, folder=b, parent=None, position=0)
    assert names(Folder.objects.filter(collection=api, parent=None)) == ["B", "A"]
    assert folder_update(user=alice, folder=a, version=1, name="A2").version == 2
    with pytest.raises(errors.VersionConflict):
        folder_update(user=alice, folder=Folder.objects.get(pk=a.pk), version=1, name="A3")


def test_duplicates_are_deep_and_placed_after_the_original(alice, acme, api):
    top = folder_create(user=alice, collection=api, name="Top")
    sub = folder_create(user=alice, collection=api, parent=top, name="Sub")
    request_create(user=alice, collection=api, folder=sub, name="r1", url="http://x/1")
    after = folder_create(user=alice, collection=api, name="After")

    copy = folder_duplicate(user=alice, folder=top)
    assert names(Folder.objects.filter(collection=api, parent=None)) == ["Top", "Top copy", "After"]
    sub_copy = Folder.objects.get(parent=copy)
    assert sub_copy.name == "Sub" and sub_copy.pk != sub.pk
    assert SavedRequest.objects.get(folder=sub_copy).url == "http://x/1"
    assert after.pk

    collection_copy = collection_duplicate(user=alice, collection=api, name="API 2")
    assert collection_copy.variables == api.variables and collection_copy.auth == api.auth
    assert Folder.objects.filter(collection=collection_copy).count() == 5
    assert SavedRequest.objects.filter(collection=collection_copy).count() == 2
    assert all(f.collection_id == collection_copy.pk for f in Folder.objects.filter(parent__collection=collection_copy))

    r = SavedRequest.objects.filter(collection=api).first()
    r_copy = request_duplicate(user=alice, saved_request=r)
    assert (r_copy.name, r_copy.folder_id, r_copy.url) == ("r1 copy", r.folder_id, r.url)


def test_deletes_cascade(alice, api):
    top = folder_create(user=alice, collection=api, name="Top")
    request_create(user=alice, collection=api, folder=top, name="r", url="http://x/")
    folder_delete(user=alice, folder=top)
    assert not SavedRequest.objects.exists()
    loose = request_create(user=alice, collection=api, name="loose", url="http://x/")
    request_delete(user=alice, saved_request=loose)
    collection_delete(user=alice, collection=api)
    assert not Collection.objects.exists()


def test_tree_nests_folders_and_requests_in_two_queries(alice, api, django_assert_num_queries):
    top = folder_create(user=alice, collection=api, name="Top")
    sub = folder_create(user=alice, collection=api, parent=top, name="Sub")
    request_create(user=alice, collection=api, folder=sub, name="deep", url="http://x/")
    request_create(user=alice, collection=api, name="root", url="http://x/")
    with django_assert_num_queries(2):
        tree = collection_tree(user=alice, collection=api)
    assert [r["name"] for r in tree["requests"]] == ["root"]
    assert tree["folders"][0]["folders"][0]["requests"][0]["name"] == "deep"

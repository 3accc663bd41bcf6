"""Change history of saved requests and environments: every save keeps a version, diffs name the
changed fields, restoring is a new version, secrets never appear in clear."""

from __future__ import annotations

import html
import json
import re
from typing import Any

import pytest
from django.urls import reverse

from requests_app.models import Revision, SavedRequest
from requests_app.services.collections import collection_duplicate
from requests_app.services.environments import environment_update, environment_values, environment_variables
from requests_app.services.errors import Forbidden, NotFound, VersionConflict
from requests_app.services.revisions import (
    VERSION_NOT_FOUND,
    environment_version_restore,
    request_version_restore,
    revision_list,
)
from requests_app.services.saved_requests import request_update
from requests_app.services.secrets import MASK
from tests.teams.conftest import ENV_SECRET, HTMX, REQUEST_PASSWORD, Team


def edit_three_times(team: Team) -> SavedRequest:
    alice, bob = team.users["owner"], team.users["editor"]
    saved = team.request
    saved = request_update(user=bob, saved_request=saved, version=1, url="http://127.0.0.1:9/users?page=2")
    saved = request_update(user=alice, saved_request=saved, version=2, method="POST",
                           headers=[{"key": "Accept", "value": "text/plain", "enabled": True},
                                    {"key": "X-Trace", "value": "1", "enabled": True}])
    saved = request_update(user=bob, saved_request=saved, version=3,
                           body={"mode": "json", "text": '{"a": 1}'},
                           auth={"type": "basic", "username": "admin", "password": "other-Secret-9912"})
    return saved


def test_every_save_keeps_a_version_with_who_and_the_changed_fields(team: Team) -> None:
    saved = edit_three_times(team)
    versions = revision_list(user=team.users["viewer"], obj=saved)
    assert [(v.number, v.user) for v in versions] == [(4, "bob"), (3, "alice"), (2, "bob"), (1, "alice")]
    assert versions[0].is_current and not versions[1].is_current
    assert versions[0].changed_fields == ["body", "auth"]
    assert versions[1].changed_fields == ["method", "headers"]
    assert versions[2].changed_fields == ["url"]
    headers = versions[1].changes[1]
    assert [(row["change"], row["key"]) for row in headers.rows] == [("changed", "Accept"), ("added", "X-Trace")]
    assert versions[2].changes[0].before == "http://127.0.0.1:9/users"
    assert versions[2].changes[0].after == "http://127.0.0.1:9/users?page=2"


def test_restoring_the_first_version_is_a_new_version_with_its_content(team: Team) -> None:
    saved = edit_three_times(team)
    restored = request_version_restore(user=team.users["editor"], saved_request=saved, number=1)
    restored.refresh_from_db()
    assert restored.version == 5
    assert (restored.method, restored.url) == ("GET", "http://127.0.0.1:9/users")
    assert restored.headers == [{"key": "Accept", "value": "application/json", "enabled": True}]
    assert restored.body == {"mode": "none"}
    assert restored.auth == {"type": "basic", "username": "admin", "password": REQUEST_PASSWORD}
    newest = revision_list(user=team.users["owner"], obj=restored)[0]
    assert (newest.number, newest.user, newest.restored_from) == (5, "bob", 1)
    assert newest.changed_fields == ["method", "url", "headers", "body", "auth"]
    assert Revision.objects.filter(saved_request=restored).count() == 5  # nothing was dropped


def test_request_auth_secrets_are_encrypted_in_history_and_masked_in_diffs(team: Team) -> None:
    saved = edit_three_times(team)
    stored = json.dumps(list(Revision.objects.filter(saved_request=saved).values_list("data", flat=True)))
    assert REQUEST_PASSWORD not in stored and "other-Secret-9912" not in stored
    auth_change = revision_list(user=team.users["owner"], obj=saved)[0].changes[1]
    assert auth_change.field == "auth"
    assert auth_change.before["password"] == MASK and auth_change.after["password"] == MASK
    assert auth_change.after["username"] == "admin"


def test_variable_references_in_auth_stay_readable_in_diffs(team: Team) -> None:
    saved = request_update(user=team.users["editor"], saved_request=team.request, version=1,
                           auth={"type": "bearer", "token": "{{token}}"})
    change = revision_list(user=team.users["owner"], obj=saved)[0].changes[0]
    assert change.after == {"type": "bearer", "token": "{{token}}"}
    assert change.before["password"] == MASK


def test_environment_history_keeps_secrets_encrypted_and_restores_them(team: Team) -> None:
    bob = team.users["editor"]
    env = team.environment
    env = environment_update(user=bob, environment=env, version=1, variables=[
        {"key": "base", "value": "http://127.0.0.1:8", "secret": False, "enabled": True},
        {"key": "token", "value": "new-Secret-Value-5520", "secret": True, "enabled": True},
    ])
    env = environment_update(user=bob, environment=env, version=2, name="Staging EU")
    stored = json.dumps(list(Revision.objects.filter(environment=env).values_list("data", flat=True)))
    assert ENV_SECRET not in stored and "new-Secret-Value-5520" not in stored
    versions = revision_list(user=team.users["viewer"], obj=env)
    assert [v.changed_fields for v in versions[:2]] == [["name"], ["variables"]]
    rows = versions[1].changes[0].rows
    assert [(r["change"], r["key"]) for r in rows] == [("changed", "base"), ("changed", "token")]
    assert rows[1]["before"]["value"] == MASK and rows[1]["after"]["value"] == MASK
    restored = environment_version_restore(user=bob, environment=env, number=1)
    assert environment_values(restored) == {"base": "http://127.0.0.1:9", "token": ENV_SECRET}
    assert restored.name == "Staging" and restored.version == 4
    assert environment_variables(restored)[1]["value"] == MASK


def test_unchanged_secret_sent_back_as_the_mask_is_not_a_change(team: Team) -> None:
    env = environment_update(user=team.users["editor"], environment=team.environment, version=1,
                             variables=[*environment_variables(team.environment)[:1],
                                        {"key": "token", "value": MASK, "secret": True, "enabled": True}])
    assert revision_list(user=team.users["owner"], obj=env)[0].changes == []


def test_a_secret_retyped_with_another_value_is_a_change_even_though_both_show_masked(team: Team) -> None:
    rows = environment_variables(team.environment)
    rows[1]["value"] = "rotated-Secret-0042"
    env = environment_update(user=team.users["editor"], environment=team.environment, version=1, variables=rows)
    change = revision_list(user=team.users["owner"], obj=env)[0].changes[0]
    assert [(r["change"], r["key"]) for r in change.rows] == [("changed", "token")]


def test_objects_made_without_a_first_version_keep_their_content_at_the_first_save(team: Team) -> None:
    alice = team.users["owner"]
    copy = collection_duplicate(user=alice, collection=team.collection)  # deep copies are bulk inserts
    saved = SavedRequest.objects.get(collection=copy)
    assert not Revision.objects.filter(saved_request=saved).exists()
    assert [v.number for v in revision_list(user=alice, obj=saved)] == [1]  # shown from the object itself
    updated = request_update(user=alice, saved_request=saved, version=1, url="http://127.0.0.1:9/copy")
    versions = revision_list(user=alice, obj=updated)
    assert [v.number for v in versions] == [2, 1]
    assert versions[0].changes[0].before == "http://127.0.0.1:9/users"


def test_a_stale_restore_is_a_conflict_and_records_nothing(team: Team) -> None:
    saved = edit_three_times(team)
    with pytest.raises(VersionConflict):
        request_version_restore(user=team.users["editor"], saved_request=saved, number=1, version=2)
    assert Revision.objects.filter(saved_request=saved).count() == 4


def test_viewers_read_history_but_cannot_restore_and_outsiders_cannot_see_it(team: Team) -> None:
    saved = edit_three_times(team)
    assert revision_list(user=team.users["viewer"], obj=saved)
    with pytest.raises(Forbidden):
        request_version_restore(user=team.users["viewer"], saved_request=saved, number=1)
    with pytest.raises(NotFound):
        revision_list(user=team.users["other"], obj=saved)


def test_restoring_a_version_that_does_not_exist_is_named(team: Team) -> None:
    with pytest.raises(NotFound) as error:
        request_version_restore(user=team.users["owner"], saved_request=team.request, number=42)
    assert error.value.message == VERSION_NOT_FOUND


# ---------------------------------------------------------------- API


def test_api_lists_versions_and_restores_one(team: Team, api_client_for: Any) -> None:
    saved = edit_three_times(team)
    bob = api_client_for(team.users["editor"])
    listed = bob.get(f"/api/v1/requests/{saved.pk}/versions/").json()
    assert [v["version"] for v in listed["results"]] == [4, 3, 2, 1]
    assert [c["field"] for c in listed["results"][0]["changes"]] == ["body", "auth"]
    assert REQUEST_PASSWORD not in json.dumps(listed) and "other-Secret-9912" not in json.dumps(listed)
    restored = bob.post(f"/api/v1/requests/{saved.pk}/versions/1/restore/", {}, format="json")
    assert restored.status_code == 200, restored.content
    assert (restored.json()["version"], restored.json()["url"]) == (5, "http://127.0.0.1:9/users")
    stale = bob.post(f"/api/v1/requests/{saved.pk}/versions/2/restore/", {"version": 4}, format="json")
    assert stale.status_code == 409
    assert stale.json()["error"]["current"]["version"] == 5
    missing = bob.post(f"/api/v1/requests/{saved.pk}/versions/99/restore/", {}, format="json")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "version_not_found"


def test_api_environment_versions_never_show_a_secret(team: Team, api_client_for: Any) -> None:
    rows = environment_variables(team.environment)
    rows[1]["value"] = "rotated-Secret-0042"
    environment_update(user=team.users["editor"], environment=team.environment, version=1, variables=rows)
    body = api_client_for(team.users["viewer"]).get(f"/api/v1/environments/{team.environment.pk}/versions").json()
    text = json.dumps(body)
    assert ENV_SECRET not in text and "rotated-Secret-0042" not in text
    assert body["results"][0]["changes"][0]["rows"][0]["after"]["value"] == MASK


# ---------------------------------------------------------------- page


def test_history_tab_lists_versions_and_restore_reopens_the_request(team: Team, client_for: Any) -> None:
    saved = edit_three_times(team)
    bob = client_for(team.users["editor"])
    ws = team.workspace.pk
    panel = bob.get(reverse("request_versions", args=[ws, saved.pk]), **HTMX).content.decode()
    assert panel.count('data-version="') == 4 and "restored" not in panel
    assert REQUEST_PASSWORD not in panel and "other-Secret-9912" not in panel
    assert panel.count("Restore</button>") == 3  # not on the current version
    response = bob.post(reverse("request_version_restore", args=[ws, saved.pk, 1]), {"version": "4"}, **HTMX)
    assert response.status_code == 204
    assert json.loads(response["HX-Location"])["path"] == reverse("request_open", args=[ws, saved.pk])
    saved.refresh_from_db()
    assert (saved.version, saved.url) == (5, "http://127.0.0.1:9/users")


def test_viewer_sees_the_history_tab_without_restore_buttons(team: Team, client_for: Any) -> None:
    saved = edit_three_times(team)
    panel = client_for(team.users["viewer"]).get(
        reverse("request_versions", args=[team.workspace.pk, saved.pk]), **HTMX).content.decode()
    assert panel.count('data-version="') == 4 and "Restore</button>" not in panel


# ---------------------------------------------------------------- costs


def _count_update_queries(team: Team, saved: SavedRequest) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        request_update(user=team.users["editor"], saved_request=saved, version=saved.version,
                       url=f"http://127.0.0.1:9/v{saved.version}")
    return len(captured)


def test_a_save_costs_the_same_queries_however_long_the_history(team: Team) -> None:
    saved = request_update(user=team.users["editor"], saved_request=team.request, version=1, url="http://127.0.0.1:9/")
    first = _count_update_queries(team, saved)
    saved.refresh_from_db()
    for _ in range(40):
        saved = request_update(user=team.users["editor"], saved_request=saved, version=saved.version,
                               url=f"http://127.0.0.1:9/v{saved.version}")
    assert _count_update_queries(team, saved) == first <= 8


def test_listing_versions_costs_constant_queries(team: Team, django_assert_num_queries: Any) -> None:
    saved = team.request
    for _ in range(30):
        saved = request_update(user=team.users["editor"], saved_request=saved, version=saved.version,
                               url=f"http://127.0.0.1:9/v{saved.version}")
    with django_assert_num_queries(1):  # the object's role is already known: one query for the versions
        versions = revision_list(user=team.users["editor"], obj=saved)
    assert len(versions) == 31


def test_the_history_tab_shows_the_newest_versions_and_the_rest_on_demand(team: Team, client_for: Any) -> None:
    saved = team.request
    for _ in range(34):
        saved = request_update(user=team.users["editor"], saved_request=saved, version=saved.version,
                               url=f"http://127.0.0.1:9/v{saved.version}")
    client = client_for(team.users["viewer"])
    url = reverse("request_versions", args=[team.workspace.pk, saved.pk])
    first = client.get(url, **HTMX).content.decode()
    assert first.count('data-version="') == 30 and "Show older versions" in first
    next_url = html.unescape(re.search(r'class="btn btn-small versions-more" hx-get="([^"]+)"', first).group(1))
    rest = client.get(next_url, **HTMX).content.decode()
    assert re.findall(r'data-version="(\d+)"', rest) == ["5", "4", "3", "2", "1"]
    assert "older versions" not in rest and 'id="versions-panel"' not in rest  # the rows only, in place of the button
    assert rest.count("diff-initial") == rest.count('data-field=') - rest.count("diff-old")  # v1 shows every field


def test_the_history_tab_pages_cost_constant_queries_and_a_bad_cursor_is_named(
    team: Team, client_for: Any, settings: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    saved = team.request
    for _ in range(95):
        saved = request_update(user=team.users["editor"], saved_request=saved, version=saved.version,
                               url=f"http://127.0.0.1:9/v{saved.version}")
    client = client_for(team.users["viewer"])
    url = reverse("request_versions", args=[team.workspace.pk, saved.pk])
    counts, seen = [], []
    page = client.get(url, **HTMX).content.decode()
    seen += re.findall(r'data-version="(\d+)"', page)
    while (found := re.search(r'class="btn btn-small versions-more" hx-get="([^"]+)"', page)):
        with CaptureQueriesContext(connection) as captured:
            page = client.get(html.unescape(found.group(1)), **HTMX).content.decode()
        counts.append(len(captured))
        seen += re.findall(r'data-version="(\d+)"', page)
    assert seen == [str(n) for n in range(96, 0, -1)]
    assert len(counts) == 3 and len(set(counts)) == 1
    bad = client.get(url + "?cursor=not-a-cursor", **HTMX)
    assert bad.status_code == 400 and "cursor" in bad.content.decode()

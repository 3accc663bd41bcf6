"""The activity feed: the services record who created, changed, moved, deleted and ran what;
the page and the API show it newest first, paginated, to members only."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from requests_app.models import Activity
from requests_app.services.activity import describe
from requests_app.services.collections import collection_create, collection_delete
from requests_app.services.environments import environment_update, environment_variables
from requests_app.services.execution import request_execute
from requests_app.services.saved_requests import request_move, request_update
from requests_app.services.workspaces import member_add
from tests.teams.conftest import ENV_SECRET, Team


def feed(team: Team) -> list[str]:
    return [f"{a.actor_name} {describe(a)}" for a in Activity.objects.filter(workspace=team.workspace)]


def test_services_record_created_changed_moved_deleted_and_ran(team: Team, echo_server: Any) -> None:
    alice, bob, victor = team.users["owner"], team.users["editor"], team.users["viewer"]
    saved = request_update(user=bob, saved_request=team.request, version=1, url=echo_server.url("/get"))
    request_move(user=bob, saved_request=saved, folder=None, collection=team.collection)
    request_execute(user=victor, workspace=team.workspace, saved_request=saved)
    scratch = collection_create(user=bob, workspace=team.workspace, name="Scratch")
    collection_delete(user=alice, collection=scratch)
    member_add(user=alice, workspace=team.workspace, username="carol", role="viewer")
    lines = feed(team)
    assert lines[:6] == [
        "alice added member “carol” as viewer",
        "alice deleted collection “Scratch”",
        "bob created collection “Scratch”",
        "victor ran request “List users” → 200",
        "bob moved request “List users” to Users API",
        "bob changed request “List users” (url)",
    ]
    assert "alice created request “List users”" in lines and "alice created workspace “Acme”" in lines


def test_environment_changes_name_fields_but_never_values(team: Team) -> None:
    rows = environment_variables(team.environment)
    rows[1]["value"] = "rotated-Secret-0042"
    environment_update(user=team.users["editor"], environment=team.environment, version=1, variables=rows)
    entry = Activity.objects.filter(workspace=team.workspace).first()
    assert describe(entry) == "changed environment “Staging” (variables)"
    assert "rotated" not in str(entry.detail) and ENV_SECRET not in str(entry.detail)


def test_ad_hoc_sends_stay_out_of_the_shared_feed(team: Team, echo_server: Any) -> None:
    before = Activity.objects.count()
    request_execute(user=team.users["viewer"], workspace=team.workspace, spec={"method": "GET", "url": echo_server.url("/get")})
    assert Activity.objects.count() == before


def test_api_feed_is_paginated_newest_first_for_members_only(team: Team, api_client_for: Any) -> None:
    for number in range(30):
        collection_create(user=team.users["editor"], workspace=team.workspace, name=f"C{number}")
    url = f"/api/v1/workspaces/{team.workspace.pk}/activity/"
    page = api_client_for(team.users["viewer"]).get(url, {"limit": 10}).json()
    assert len(page["results"]) == 10 and "count" not in page  # keyset pages: no OFFSET, no COUNT
    assert [e["object_name"] for e in page["results"][:2]] == ["C29", "C28"]
    assert page["results"][0]["user"] == "bob" and page["results"][0]["text"] == "created collection “C29”"
    second = api_client_for(team.users["viewer"]).get(page["next"]).json()
    assert second["results"][0]["object_name"] == "C19"
    assert api_client_for(team.users["other"]).get(url).status_code == 404


def test_activity_page_lists_and_pages(team: Team, client_for: Any) -> None:
    for number in range(60):
        collection_create(user=team.users["editor"], workspace=team.workspace, name=f"C{number}")
    client = client_for(team.users["viewer"])
    first = client.get(reverse("activity", args=[team.workspace.pk])).content.decode()
    assert "created collection “C59”" in first and "C9”" not in first and "Older →" in first
    import html
    import re

    older = html.unescape(re.search(r'href="(\?cursor=[^"]+)">Older', first).group(1))
    second = client.get(reverse("activity", args=[team.workspace.pk]) + older).content.decode()
    assert "← Newest" in second
    assert "“C9”" in second and "alice</strong> created workspace" in second
    link = reverse("request_share", args=[team.request.pk])
    assert f'href="{link}"' in second  # requests link to their page


def test_activity_page_costs_constant_queries(team: Team, client_for: Any, django_assert_max_num_queries: Any) -> None:
    for number in range(60):
        collection_create(user=team.users["editor"], workspace=team.workspace, name=f"C{number}")
    client = client_for(team.users["viewer"])
    client.get(reverse("activity", args=[team.workspace.pk]))
    with django_assert_max_num_queries(8):
        client.get(reverse("activity", args=[team.workspace.pk]))

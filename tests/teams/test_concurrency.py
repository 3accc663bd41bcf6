"""Two people edit the same thing: the second save is refused with the current object, nothing is lost.

Through the API, through the page (the conflict view and its three ways out), and with two
threads racing on the real database.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any

import pytest
from django.db import OperationalError, connection
from django.urls import reverse
from django.utils import timezone

from requests_app.models import Environment, Revision, SavedRequest
from requests_app.services.environments import environment_values, environment_variables
from requests_app.services.errors import VersionConflict
from requests_app.services.revisions import revision_list
from requests_app.services.saved_requests import request_update
from requests_app.services.secrets import MASK
from tests.teams.conftest import ENV_SECRET, HTMX, Team


def test_api_second_save_of_the_same_version_gets_409_and_both_edits_survive(team: Team, api_client_for: Any) -> None:
    alice, bob = api_client_for(team.users["owner"]), api_client_for(team.users["editor"])
    url = f"/api/v1/requests/{team.request.pk}/"
    version = alice.get(url).json()["version"]
    assert bob.get(url).json()["version"] == version
    first = alice.patch(url, {"version": version, "url": "http://127.0.0.1:9/alice"}, format="json")
    assert first.status_code == 200
    second = bob.patch(url, {"version": version, "method": "DELETE", "url": "http://127.0.0.1:9/bob"}, format="json")
    assert second.status_code == 409
    current = second.json()["error"]["current"]
    assert (current["url"], current["version"], current["updated_by"]) == ("http://127.0.0.1:9/alice", version + 1, "alice")
    saved = SavedRequest.objects.get(pk=team.request.pk)
    assert (saved.method, saved.url) == ("GET", "http://127.0.0.1:9/alice")
    # bob merges onto the current version: both changes are kept, and each save is in the history
    merged = bob.patch(url, {"version": current["version"], "method": "DELETE"}, format="json")
    assert merged.status_code == 200
    assert (merged.json()["method"], merged.json()["url"]) == ("DELETE", "http://127.0.0.1:9/alice")
    assert [v.number for v in revision_list(user=team.users["owner"], obj=saved)] == [3, 2, 1]


def test_api_environment_conflict_answers_the_current_environment_masked(team: Team, api_client_for: Any) -> None:
    alice, bob = api_client_for(team.users["owner"]), api_client_for(team.users["editor"])
    url = f"/api/v1/environments/{team.environment.pk}"
    assert alice.patch(url, {"version": 1, "name": "Staging 2"}, format="json").status_code == 200
    refused = bob.patch(url, {"version": 1, "name": "Staging B"}, format="json")
    assert refused.status_code == 409
    current = refused.json()["error"]["current"]
    assert current["name"] == "Staging 2" and current["variables"][1]["value"] == MASK
    assert ENV_SECRET not in refused.content.decode()


def editor_form(saved: SavedRequest, url: str, **extra: str) -> dict[str, str]:
    return {"method": "GET", "url": url, "body_mode": "none", "auth_type": "basic", "auth_username": "admin",
            "auth_password": "", "saved_request": str(saved.pk), "version": str(saved.version), **extra}  # fmt: skip


def test_page_conflict_view_names_who_changed_it_and_shows_theirs_beside_yours(team: Team, client_for: Any) -> None:
    ws, saved = team.workspace.pk, team.request
    alice, bob = client_for(team.users["owner"]), client_for(team.users["editor"])
    save = reverse("request_save", args=[ws])
    # both opened version 1; alice saves first
    assert "Saved." in alice.post(save, editor_form(saved, "http://127.0.0.1:9/alice"), **HTMX).content.decode()
    Revision.objects.filter(saved_request=saved, version=2).update(created_at=timezone.now() - timedelta(minutes=2))
    response = bob.post(save, editor_form(saved, "http://127.0.0.1:9/bob"), **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Changed by alice 2 minutes ago." in html.replace("\xa0", " ")
    assert 'data-field="url"' in html
    assert "http://127.0.0.1:9/alice" in html and "http://127.0.0.1:9/bob" in html
    assert 'name="version" value="1"' in html  # a plain Save stays refused until bob chooses
    for action in ("conflict-reload", "conflict-overwrite", "conflict-save-copy"):
        assert f'id="{action}"' in html
    saved.refresh_from_db()
    assert (saved.url, saved.version) == ("http://127.0.0.1:9/alice", 2)
    # saving again with the old version is still refused
    assert "Changed by alice" in bob.post(save, editor_form(team.request, "http://127.0.0.1:9/bob",
                                                              version="1"), **HTMX).content.decode()


def test_page_overwrite_knowingly_saves_mine_and_keeps_theirs_in_history(team: Team, client_for: Any) -> None:
    ws, saved = team.workspace.pk, team.request
    alice, bob = client_for(team.users["owner"]), client_for(team.users["editor"])
    save = reverse("request_save", args=[ws])
    alice.post(save, editor_form(saved, "http://127.0.0.1:9/alice"), **HTMX)
    bob.post(save, editor_form(saved, "http://127.0.0.1:9/bob"), **HTMX)
    response = bob.post(save, editor_form(saved, "http://127.0.0.1:9/bob", version="1", overwrite_version="2"), **HTMX)
    assert "Saved over their version" in response.content.decode()
    saved.refresh_from_db()
    assert (saved.url, saved.version) == ("http://127.0.0.1:9/bob", 3)
    versions = revision_list(user=team.users["owner"], obj=saved)
    assert [(v.number, v.user) for v in versions] == [(3, "bob"), (2, "alice"), (1, "alice")]
    assert versions[1].changes[0].after == "http://127.0.0.1:9/alice"  # alice's save is not lost


def test_page_overwrite_of_a_version_that_moved_on_again_is_refused_again(team: Team, client_for: Any) -> None:
    ws, saved = team.workspace.pk, team.request
    request_update(user=team.users["owner"], saved_request=saved, version=1, url="http://127.0.0.1:9/a")
    request_update(user=team.users["owner"], saved_request=SavedRequest.objects.get(pk=saved.pk), version=2,
                   url="http://127.0.0.1:9/b")
    response = client_for(team.users["editor"]).post(
        reverse("request_save", args=[ws]), editor_form(saved, "http://127.0.0.1:9/bob", version="1",
                                                        overwrite_version="2"), **HTMX)
    assert "Changed by alice" in response.content.decode()
    assert SavedRequest.objects.get(pk=saved.pk).url == "http://127.0.0.1:9/b"


def test_page_save_mine_as_a_copy_keeps_theirs_and_creates_mine(team: Team, client_for: Any) -> None:
    ws, saved = team.workspace.pk, team.request
    bob = client_for(team.users["editor"])
    request_update(user=team.users["owner"], saved_request=saved, version=1, url="http://127.0.0.1:9/alice")
    data = {**editor_form(saved, "http://127.0.0.1:9/bob"), "save_as_name": "List users (bob)",
            "location": f"f:{team.folder.pk}"}
    assert bob.post(reverse("request_save_as", args=[ws]), data, **HTMX).status_code == 204
    assert SavedRequest.objects.get(pk=saved.pk).url == "http://127.0.0.1:9/alice"
    assert SavedRequest.objects.get(name="List users (bob)").url == "http://127.0.0.1:9/bob"


def env_form(env: Environment, name: str, token: str, **extra: str) -> dict[str, str]:
    return {"name": name, "version": str(env.version), "vars-0-key": "base", "vars-0-value": "http://127.0.0.1:9",
            "vars-0-enabled": "on", "vars-1-key": "token", "vars-1-value": token, "vars-1-secret": "on",
            "vars-1-enabled": "on", **extra}  # fmt: skip


def test_environment_dialog_conflict_offers_overwrite_and_copy_without_losing_a_secret(team: Team,
                                                                                       client_for: Any) -> None:
    ws, env = team.workspace.pk, team.environment
    alice, bob = client_for(team.users["owner"]), client_for(team.users["editor"])
    edit = reverse("environment_edit", args=[ws, env.pk])
    assert alice.post(edit, env_form(env, "Staging A", MASK), **HTMX).status_code == 204
    html = bob.post(edit, env_form(env, "Staging B", "typed-New-Secret-3318"), **HTMX).content.decode()
    assert "Changed by alice" in html and 'data-field="name"' in html and 'data-field="variables"' in html
    assert ENV_SECRET not in html
    assert "typed-New-Secret-3318" in html  # what bob typed is still in his form, not lost
    assert Environment.objects.get(pk=env.pk).name == "Staging A"
    copy = bob.post(reverse("environment_create", args=[ws]),
                    {**env_form(env, "Staging B", MASK), "secrets_from": str(env.pk)}, **HTMX)
    assert copy.status_code == 204
    assert environment_values(Environment.objects.get(name="Staging B (copy)"))["token"] == ENV_SECRET
    overwritten = bob.post(edit, env_form(env, "Staging B", MASK, overwrite_version="2"), **HTMX)
    assert overwritten.status_code == 204
    stored = Environment.objects.get(pk=env.pk)
    assert (stored.name, stored.version, environment_values(stored)["token"]) == ("Staging B", 3, ENV_SECRET)
    assert environment_variables(stored)[1]["value"] == MASK


@pytest.mark.django_db(transaction=True)
def test_two_threads_saving_the_same_version_at_once_one_wins_one_conflicts(team: Team) -> None:
    saved_id = team.request.pk
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def save(who: str) -> None:
        try:
            saved = SavedRequest.objects.get(pk=saved_id)
            barrier.wait(timeout=10)
            for _ in range(200):
                try:
                    request_update(user=team.users["editor"], saved_request=saved, version=1,
                                   url=f"http://127.0.0.1:9/{who}")
                    outcomes[who] = "saved"
                    return
                except OperationalError as error:  # SQLite's shared in-memory test database locks whole tables
                    if "locked" not in str(error):
                        raise
                    time.sleep(0.01)
        except VersionConflict as conflict:
            outcomes[who] = f"conflict:{conflict.current.url}"
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(who,)) for who in ("one", "two")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes.values())[1] == "saved"
    winner = next(who for who, outcome in outcomes.items() if outcome == "saved")
    assert sorted(outcomes.values())[0] == f"conflict:http://127.0.0.1:9/{winner}"
    stored = SavedRequest.objects.get(pk=saved_id)
    assert (stored.url, stored.version) == (f"http://127.0.0.1:9/{winner}", 2)
    assert list(Revision.objects.filter(saved_request_id=saved_id).order_by("version").values_list("version", flat=True)) == [1, 2]

"""Every account owns a personal workspace, however it was made (issue 12, item 11)."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command

from requests_app.models import Membership, Role, Workspace

pytestmark = pytest.mark.django_db


def owned_personal_workspaces(user: Any) -> list[Workspace]:
    return list(Workspace.objects.filter(is_personal=True, memberships__user=user, memberships__role=Role.OWNER))


def test_createsuperuser_gets_a_workspace_the_api_lists(monkeypatch, api_client_for, fast_password_hashing):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "correct-horse-battery-9")
    call_command("createsuperuser", "--noinput", "--username", "root", "--email", "root@example.com", verbosity=0)
    root = get_user_model().objects.get(username="root")
    [workspace] = owned_personal_workspaces(root)
    listed = api_client_for(root).get("/api/v1/workspaces").json()
    items = listed["results"] if isinstance(listed, dict) else listed
    assert [item["id"] for item in items] == [workspace.pk]


def test_an_account_saved_by_any_other_path_gets_a_workspace(fast_password_hashing):
    """The admin's user form, data scripts and third-party sign-in all end in a user save."""
    made = get_user_model().objects.create_user(username="made-elsewhere", password="x")
    [workspace] = owned_personal_workspaces(made)
    assert workspace.name == "made-elsewhere's workspace"


def test_sign_up_makes_exactly_one_workspace(make_account):
    dora = make_account("dora")
    assert owned_personal_workspaces(dora) == [dora.personal_workspace]
    assert Membership.objects.filter(user=dora).count() == 1


def test_saving_an_existing_account_makes_no_second_workspace(make_account):
    dora = make_account("dora")
    dora.email = "new@example.com"
    dora.save()
    assert len(owned_personal_workspaces(dora)) == 1


def test_the_migration_gives_accounts_made_earlier_a_workspace(make_account):
    dora = make_account("dora")
    Workspace.objects.filter(pk=dora.personal_workspace.pk).delete()  # as an account made before the fix
    assert owned_personal_workspaces(dora) == []
    migration = importlib.import_module("requests_app.migrations.0007_every_account_has_a_personal_workspace")
    migration.give_workspaces(apps, None)
    migration.give_workspaces(apps, None)  # idempotent
    assert len(owned_personal_workspaces(dora)) == 1

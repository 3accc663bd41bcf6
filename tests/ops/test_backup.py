"""export_workspace / import_workspace: a round trip to an install with another SECRET_KEY."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from requests_app.models import Collection, Environment, Folder, Membership, Revision, SavedRequest, Workspace
from requests_app.services.backup import FORMAT, REQUEST_FIELDS, BackupError, workspace_export, workspace_import
from requests_app.services.collections import collection_create
from requests_app.services.environments import environment_create, environment_update, environment_values
from requests_app.services.folders import folder_create
from requests_app.services.revisions import _comparable
from requests_app.services.saved_requests import request_create, request_update

PASSPHRASE = "a long backup passphrase"
OLD_KEY, NEW_KEY = "old-install-" + "a" * 50, "new-install-" + "b" * 50


@pytest.fixture
def filled(alice: Any, bob: Any, acme: Workspace, settings: Any) -> Workspace:
    settings.SECRET_KEY = OLD_KEY
    collection = collection_create(user=alice, workspace=acme, name="Shop API", description="the shop",
                                   variables=[{"key": "base", "value": "https://shop.example", "enabled": True}],
                                   auth={"type": "bearer", "token": "{{token}}"})
    outer = folder_create(user=alice, collection=collection, name="Orders", auth={"type": "bearer", "token": "{{orders}}"},
                          variables=[{"key": "page", "value": "1", "enabled": True}])
    inner = folder_create(user=alice, collection=collection, name="Refunds", parent=outer)
    request_create(user=alice, collection=collection, name="root", url="{{base}}/health")
    saved = request_create(
        user=bob, collection=collection, folder=inner, name="refund", method="POST", url="{{base}}/refunds",
        headers=[{"key": "X-Trace", "value": "1", "enabled": True}, {"key": "X-Trace", "value": "2", "enabled": False}],
        body={"mode": "raw", "raw": '{"amount": 5}', "content_type": "application/json"},
        auth={"type": "basic", "username": "shop", "password": "hunter2-secret"},
        assertions=[{"type": "status", "op": "equals", "expected": 201}],
        scripts={"test": "pm.test('ok', () => {})"},
    )
    request_update(user=alice, saved_request=saved, version=saved.version, url="{{base}}/v2/refunds")
    env = environment_create(user=alice, workspace=acme, name="Prod", variables=[
        {"key": "base", "value": "https://shop.example", "secret": False, "enabled": True},
        {"key": "token", "value": "tok-1", "secret": True, "enabled": True}])
    environment_update(user=alice, environment=env, version=env.version, variables=[
        {"key": "base", "value": "https://shop.example", "secret": False, "enabled": True},
        {"key": "token", "value": "tok-2", "secret": True, "enabled": True}])
    return acme


def _tree(workspace: Workspace) -> dict[str, Any]:
    """Every exported object of a workspace, by content (ids and timestamps left out)."""

    def fields(obj: Any, names: tuple[str, ...]) -> dict[str, Any]:
        return {name: _comparable(name, getattr(obj, name)) for name in names}

    def folder_path(folder: Folder | None) -> str:
        return "" if folder is None else f"{folder_path(folder.parent)}/{folder.name}"

    def versions(revisions: Any) -> list[Any]:
        return [(r.version, {k: _comparable(k, v) for k, v in r.data.items()}, r.user_id, r.restored_from)
                for r in revisions.order_by("version")]

    return {
        "members": sorted((m.user_id, m.role) for m in Membership.objects.filter(workspace=workspace)),
        "collections": [fields(c, ("name", "description", "variables", "auth", "scripts", "position", "version"))
                        for c in Collection.objects.filter(workspace=workspace).order_by("name")],
        "folders": sorted((folder_path(f), f.description, f.position, f.version, json.dumps(f.auth), json.dumps(f.variables))
                          for f in Folder.objects.filter(collection__workspace=workspace)),
        "requests": [
            {**fields(r, REQUEST_FIELDS), "folder": folder_path(r.folder), "created_by": r.created_by_id,
             "updated_by": r.updated_by_id, "versions": versions(r.revisions)}
            for r in SavedRequest.objects.filter(collection__workspace=workspace).order_by("name")
        ],
        "environments": [
            {"name": e.name, "version": e.version, "values": environment_values(e),
             "rows": [{k: v for k, v in row.items() if k != "encrypted"} for row in e.variables],
             "versions": versions(e.revisions)}
            for e in Environment.objects.filter(workspace=workspace).order_by("name")
        ],
    }


def test_round_trip_to_another_secret_key_restores_every_object(filled: Workspace, settings: Any) -> None:
    before = _tree(filled)
    assert before["environments"][0]["values"]["token"] == "tok-2"
    document = json.loads(json.dumps(workspace_export(workspace=filled, passphrase=PASSPHRASE, include_versions=True)))
    text = json.dumps(document)
    assert document["format"] == FORMAT and document["format_version"] == 1
    assert "tok-1" not in text and "tok-2" not in text and "hunter2-secret" not in json.dumps(
        [r.get("versions") for r in document["requests"]])  # versions keep request auth secrets sealed too

    settings.SECRET_KEY = NEW_KEY  # "another install": the old key is gone
    result = workspace_import(document=document, passphrase=PASSPHRASE)
    assert result.missing_members == [] and result.workspace.pk != filled.pk
    after = _tree(result.workspace)
    assert after == before
    assert Revision.objects.filter(environment__workspace=result.workspace).count() == 2


def test_members_without_an_account_are_listed_and_an_owner_is_required(filled: Workspace, bob: Any) -> None:
    document = workspace_export(workspace=filled, passphrase=PASSPHRASE)
    document["members"] = [m for m in document["members"] if m["role"] != "owner"] + [
        {"email": "gone@example.com", "username": "gone", "role": "editor"}]
    with pytest.raises(BackupError, match="--owner"):
        workspace_import(document=document, passphrase=PASSPHRASE)
    result = workspace_import(document=document, passphrase=PASSPHRASE, owner=bob)
    assert result.missing_members == ["gone@example.com"]
    assert Membership.objects.get(workspace=result.workspace, user=bob).role == "owner"


def test_wrong_passphrase_and_foreign_files_are_named_errors(filled: Workspace) -> None:
    document = workspace_export(workspace=filled, passphrase=PASSPHRASE)
    with pytest.raises(BackupError, match="passphrase does not open"):
        workspace_import(document=document, passphrase="another long phrase")
    with pytest.raises(BackupError, match="not a webclient workspace file"):
        workspace_import(document={"info": {"name": "postman"}}, passphrase=PASSPHRASE)
    with pytest.raises(BackupError, match="at least"):
        workspace_export(workspace=filled, passphrase="short")
    count = Workspace.objects.count()
    del document["collections"]
    with pytest.raises(BackupError, match="damaged"):
        workspace_import(document=document, passphrase=PASSPHRASE)
    assert Workspace.objects.count() == count  # nothing half-written


def test_commands_read_the_passphrase_from_stdin(filled: Workspace, tmp_path: Path, settings: Any,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "acme.json"
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSPHRASE + "\n"))
    call_command("export_workspace", str(filled.pk), "--out", str(out), "--versions", stdout=io.StringIO())
    assert out.stat().st_mode & 0o777 == 0o600
    settings.SECRET_KEY = NEW_KEY
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSPHRASE + "\n"))
    stdout = io.StringIO()
    call_command("import_workspace", str(out), "--name", "Acme restored", stdout=stdout)
    restored = Workspace.objects.get(name="Acme restored")
    assert "Restored workspace 'Acme restored'" in stdout.getvalue()
    assert environment_values(Environment.objects.get(workspace=restored))["token"] == "tok-2"
    monkeypatch.setattr("sys.stdin", io.StringIO("wrong wrong wrong\n"))
    with pytest.raises(CommandError, match="passphrase"):
        call_command("import_workspace", str(out))


def test_monitors_come_back_paused_with_their_target_and_a_sealed_webhook(filled: Workspace, alice: Any,
                                                                         settings: Any) -> None:
    from requests_app.models import Monitor
    from requests_app.services.monitors import monitor_create

    collection = Collection.objects.get(workspace=filled)
    refunds = Folder.objects.get(collection=collection, name="Refunds")
    env = Environment.objects.get(workspace=filled)
    webhook = "https://hooks.example/services/T000/B000/very-secret-token"
    monitor_create(user=alice, workspace=filled, name="Refunds up", folder=refunds, environment=env,
                   schedule_kind="cron", cron_expression="0 9 * * 1-5", timezone="Europe/Berlin",
                   notify_emails=["ops@example.com"], webhook_url=webhook, alert_on_shape_change=True)
    monitor_create(user=alice, workspace=filled, name="Shop up", collection=collection, every_minutes=15)

    document = json.loads(json.dumps(workspace_export(workspace=filled, passphrase=PASSPHRASE)))
    assert "very-secret-token" not in json.dumps(document)  # a webhook URL is a credential
    settings.SECRET_KEY = NEW_KEY
    result = workspace_import(document=document, passphrase=PASSPHRASE)
    assert result.counts["monitors"] == 2
    restored = {m.name: m for m in Monitor.objects.filter(workspace=result.workspace)}
    refunds_up, shop_up = restored["Refunds up"], restored["Shop up"]
    assert refunds_up.paused and shop_up.paused and refunds_up.next_run_at is None  # the old install may still run them
    assert refunds_up.folder is not None and refunds_up.folder.name == "Refunds"
    assert refunds_up.collection.workspace_id == result.workspace.pk and refunds_up.environment is not None
    assert refunds_up.environment.workspace_id == result.workspace.pk
    assert (refunds_up.schedule_kind, refunds_up.cron_expression, refunds_up.timezone) == (
        "cron", "0 9 * * 1-5", "Europe/Berlin")
    assert refunds_up.webhook_url == webhook and refunds_up.notify_emails == ["ops@example.com"]
    assert refunds_up.alert_on_shape_change and shop_up.folder is None and shop_up.every_minutes == 15
    assert refunds_up.created_by == alice  # a member here: runs still go out as the person who saved it

    del document["monitors"]  # a file from before monitors existed
    assert workspace_import(document=document, passphrase=PASSPHRASE).counts["monitors"] == 0

"""Operations: health probes, request logs, the 503 for a lost database, create_user, key rotation."""

from __future__ import annotations

import io
import json
import logging
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import OperationalError
from django.test import Client

from requests_app.models import Environment, Membership, Revision, Role
from requests_app.services.environments import environment_create, environment_update, environment_values
from requests_app.services.secrets import decrypt_secret, secrets_reencrypt
from tests.fixtures.accounts import PASSWORD
from webclient.observability import JsonFormatter

API_WORKSPACES = "/api/v1/workspaces/"


def test_healthz_answers_without_the_database(client: Client) -> None:
    # No db fixture: any query would fail the test.
    response = client.get("/healthz", HTTP_HOST="10.0.0.7")  # a balancer asks by address
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response["X-Webclient-Node"]


@pytest.mark.django_db
def test_readyz_names_each_check(client: Client) -> None:
    body = client.get("/readyz").json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] and body["checks"]["cache"]["ok"]
    assert "skipped" in body["checks"]["broker"]  # local mode: no broker, no worker check


@pytest.mark.django_db
def test_readyz_fails_with_503_when_the_broker_is_unreachable(client: Client, settings: Any) -> None:
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    from webclient.celery import app

    app.conf.broker_url = settings.CELERY_BROKER_URL
    try:
        response = client.get("/readyz")
    finally:
        app.conf.broker_url = None
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert body["checks"]["broker"]["ok"] is False and body["checks"]["workers"]["ok"] is False
    assert "redis://" not in response.content.decode()


def test_one_json_log_line_per_request_without_query_or_body(
    client: Client, alice: Any, caplog: pytest.LogCaptureFixture
) -> None:
    client.force_login(alice)
    with caplog.at_level(logging.INFO, logger="webclient.request"):
        client.post("/login/?token=s3cr3t-in-query", {"username": "alice", "password": PASSWORD})
        client.get("/")
    records = [r for r in caplog.records if r.name == "webclient.request"]
    assert len(records) == 2
    lines = [json.loads(JsonFormatter().format(record)) for record in records]
    assert lines[0]["method"] == "POST" and lines[0]["path"] == "/login/"
    assert lines[1]["user_id"] == alice.pk and lines[1]["status"] in (200, 302)
    assert {"duration_ms", "node", "time", "level"} <= set(lines[1])
    text = "\n".join(json.dumps(line) for line in lines)
    assert "s3cr3t" not in text and PASSWORD not in text


def test_a_lost_database_answers_503_on_pages_and_api(alice: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(alice)

    def unreachable(*args: Any, **kwargs: Any) -> None:
        raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")

    with monkeypatch.context() as patch:
        patch.setattr("django.db.backends.utils.CursorWrapper.execute", unreachable)
        page, api = client.get("/"), client.get(API_WORKSPACES)
    assert page.status_code == 503 and b"Temporarily unavailable" in page.content
    assert b"Traceback" not in page.content
    assert api.status_code == 503
    assert api.json()["error"]["code"] == "database_unavailable"


def test_create_user_makes_an_owner_with_a_personal_workspace(
    db: None, fast_password_hashing: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = io.StringIO()
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    call_command("create_user", "olga", "--email", "olga@example.com", "--password-stdin", "--staff", stdout=out)
    user = get_user_model().objects.get(username="olga")
    assert user.check_password(PASSWORD) and user.is_staff and user.email == "olga@example.com"
    membership = Membership.objects.get(user=user, workspace__is_personal=True)
    assert membership.role == Role.OWNER
    assert "olga" in out.getvalue()


def test_create_user_refuses_a_weak_password_by_name(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("123\n"))
    with pytest.raises(CommandError, match="password"):
        call_command("create_user", "olga", "--email", "olga@example.com", "--password-stdin")
    assert not get_user_model().objects.filter(username="olga").exists()


def test_rotated_secret_key_keeps_secrets_readable_and_reencrypt_moves_them(
    alice: Any, acme: Any, settings: Any
) -> None:
    settings.SECRET_KEY = "old-key-" + "x" * 50
    env = environment_create(user=alice, workspace=acme, name="Prod", variables=[
        {"key": "token", "value": "s3cr3t", "secret": True, "enabled": True}])
    environment_update(user=alice, environment=env, version=env.version, variables=[
        {"key": "token", "value": "n3w", "secret": True, "enabled": True}])
    settings.SECRET_KEY = "new-key-" + "y" * 50
    env.refresh_from_db()
    assert not environment_values(env).get("token")  # unreadable without the fallback

    settings.SECRET_KEY_FALLBACKS = ["old-key-" + "x" * 50]
    assert environment_values(env) == {"token": "n3w"}
    out = io.StringIO()
    call_command("reencrypt_secrets", stdout=out)
    assert "re-encrypted" in out.getvalue()
    assert secrets_reencrypt() == (0, 0)  # nothing left on the old key

    settings.SECRET_KEY_FALLBACKS = []
    env = Environment.objects.get(pk=env.pk)
    assert environment_values(env) == {"token": "n3w"}
    for revision in Revision.objects.filter(environment=env):
        for row in revision.data["variables"]:
            assert decrypt_secret(row["encrypted"]) in ("s3cr3t", "n3w")


def test_reencrypt_reports_secrets_no_key_can_read(alice: Any, acme: Any, settings: Any) -> None:
    settings.SECRET_KEY = "lost-key-" + "z" * 50
    environment_create(user=alice, workspace=acme, name="Prod", variables=[
        {"key": "token", "value": "s3cr3t", "secret": True, "enabled": True}])
    settings.SECRET_KEY = "new-key-" + "y" * 50
    with pytest.raises(CommandError, match="could not be read"):
        call_command("reencrypt_secrets", stdout=io.StringIO())

"""Issue 13 items 5–8: sign-in lockout, API throttles, the playground in team mode, trusted proxy headers."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.core.management import call_command

from tests.fixtures.accounts import PASSWORD

REDIS_12 = "redis://127.0.0.1:6379/12"


# ---------------------------------------------------------------- item 5: sign-in lockout
def sign_in(client, username, password, address="198.51.100.7"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def test_repeated_wrong_passwords_lock_the_account_even_for_the_right_one(client, alice, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, "alice", "wrong").status_code == 200  # the form again, with its error
    assert sign_in(client, "alice", "wrong").status_code == 429
    locked = sign_in(client, "alice", PASSWORD)
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_account_lock_holds_from_another_address(client, alice, settings):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "alice", "wrong", address=f"203.0.113.{attempt + 1}")
    assert sign_in(client, "alice", PASSWORD, address="192.0.2.99").status_code == 429


def test_one_address_guessing_many_accounts_is_locked(client, alice, make_account, settings):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, f"nobody{attempt}", "wrong")
    make_account("zoe")
    assert sign_in(client, "zoe", PASSWORD).status_code == 429


def test_an_admin_unlocks_the_account(client, alice, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "alice", "wrong", address="203.0.113.1")
    call_command("axes_reset_username", "alice")
    assert sign_in(client, "alice", PASSWORD, address="192.0.2.1").status_code == 302


def test_a_forged_forwarded_for_does_not_escape_the_address_lock(client, make_account, settings):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"username": f"x{attempt}", "password": "wrong"},
                    REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR=f"10.0.0.{attempt}")
    make_account("zoe")
    again = client.post("/login/", {"username": "zoe", "password": PASSWORD},
                        REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert again.status_code == 429


# ---------------------------------------------------------------- item 6: API throttles
@pytest.fixture
def shared_cache(settings):
    """Redis DB 12, as two web processes of a team install would share it."""
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS_12).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_12}}
    from django.core.cache import cache

    cache.clear()
    yield redis.Redis.from_url(REDIS_12)
    cache.clear()


@pytest.mark.parametrize("path, body", [
    ("/api/v1/execute", lambda w, e: {"workspace": w["workspace"].pk, "method": "GET", "url": e.url("/get")}),
    ("/api/v1/import", lambda w, e: {"workspace": w["workspace"].pk, "format": "curl", "content": "curl http://x.test/"}),
])
def test_expensive_operations_are_throttled_per_user_with_retry_after(
    world, alice_client, echo_server, settings, shared_cache, path, body
):
    settings.WEBCLIENT_API_RATES = {"execute": "3/min", "runs": "3/min", "import": "3/min"}
    for _ in range(3):
        assert alice_client.post(path, body(world, echo_server), format="json").status_code < 300
    limited = alice_client.post(path, body(world, echo_server), format="json")
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) > 0
    assert limited.json()["error"]["code"] == "throttled"
    # The counts are in Redis, where another web process reads them too.
    assert any(b"throttle:" in key for key in shared_cache.keys("*"))


def test_the_limit_is_per_person_across_their_tokens(world, alice, api_client_for, echo_server, settings,
                                                       shared_cache):
    settings.WEBCLIENT_API_RATES = {"execute": "2/min"}
    body = {"workspace": world["workspace"].pk, "method": "GET", "url": echo_server.url("/get")}
    first, second = api_client_for(alice), api_client_for(alice)
    assert first.post("/api/v1/execute", body, format="json").status_code == 200
    assert second.post("/api/v1/execute", body, format="json").status_code == 200
    assert second.post("/api/v1/execute", body, format="json").status_code == 429


def test_runs_are_throttled(world, alice_client, settings, shared_cache):
    settings.WEBCLIENT_API_RATES = {"runs": "1/min"}
    body = {"collection": world["collection"].pk}
    assert alice_client.post("/api/v1/runs", body, format="json").status_code == 202
    assert alice_client.post("/api/v1/runs", body, format="json").status_code == 429


# ---------------------------------------------------------------- item 7: the playground
def test_team_playground_needs_a_signed_in_user(client, alice, settings):
    settings.WEBCLIENT_PLAYGROUND = "signed-in"
    assert client.get("/echo/delay/0").status_code == 401
    assert client.get("/echo/gzip-bomb").status_code == 401
    client.force_login(alice)
    assert client.get("/echo/get").status_code == 200


def test_the_playground_can_be_off(client, alice, settings):
    settings.WEBCLIENT_PLAYGROUND = "off"
    client.force_login(alice)
    assert client.get("/echo/get").status_code == 404


def test_heavy_playground_routes_are_rate_limited(client, alice, settings, shared_cache):
    settings.WEBCLIENT_PLAYGROUND_HEAVY_PER_MINUTE = 2
    client.force_login(alice)
    assert client.get("/echo/delay/0").status_code == 200
    assert client.get("/echo/bytes/10").status_code == 200
    limited = client.get("/echo/delay/0")
    assert limited.status_code == 429 and int(limited["Retry-After"]) > 0
    assert client.get("/echo/get").status_code == 200  # light routes are not counted


# ---------------------------------------------------------------- item 8: X-Forwarded-Proto
def team_settings(**env):
    code = "from django.conf import settings as s; print(getattr(s, 'SECURE_PROXY_SSL_HEADER', None))"
    environment = {**os.environ, "WEBCLIENT_MODE": "team", "SECRET_KEY": "x" * 50,
                   "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/webclient_security", **env}
    environment.pop("WEBCLIENT_BEHIND_PROXY", None)
    environment.update(env)
    result = subprocess.run([sys.executable, "-c", "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', "
                             "'webclient.settings'); django.setup(); " + code],
                            capture_output=True, text=True, env=environment, check=True)
    return result.stdout.strip()


def test_forwarded_proto_is_ignored_unless_behind_a_proxy():
    assert team_settings() == "None"
    assert team_settings(WEBCLIENT_BEHIND_PROXY="1") == "('HTTP_X_FORWARDED_PROTO', 'https')"


def test_forwarded_for_counts_only_behind_a_proxy(rf, settings):
    from requests_app.client_ip import client_ip

    request = rf.get("/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="10.0.0.1, 198.51.100.2")
    settings.WEBCLIENT_BEHIND_PROXY = False
    assert client_ip(request) == "192.0.2.1"
    settings.WEBCLIENT_BEHIND_PROXY = True
    assert client_ip(request) == "198.51.100.2"


def test_an_unreachable_cache_lets_throttled_calls_through(settings, alice, api_client_for):
    """Redis down (team mode): the API's throttles count nothing rather than answering 500."""
    # Django's setting_changed signal rebuilds the cache handlers for the new CACHES
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": "redis://127.0.0.1:1/0"}}  # nothing listens on port 1
    from requests_app.services.rate_window import count_this_minute

    assert count_this_minute("echo-heavy:u1")[0] == 0
    response = api_client_for(alice).post("/api/v1/execute", {"workspace": alice.personal_workspace.pk,
                                                              "url": "http://127.0.0.1:9/x"}, format="json")
    assert response.status_code != 500 and response.status_code != 429

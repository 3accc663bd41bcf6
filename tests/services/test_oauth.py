"""OAuth 2.0 judged by a real provider (django-oauth-toolkit in its own process, tests/oauth_provider/):
every grant, refresh, a wrong secret, a wrong state, an expired code, a denied consent."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from requests_app.engine.spec import Auth, auth_from_dict
from requests_app.models import HistoryEntry, OAuthToken
from requests_app.services import oauth
from requests_app.services.collections import collection_create
from requests_app.services.execution import request_execute
from requests_app.services.saved_requests import request_create
from requests_app.services.secrets import decrypt_secret
from tests.fixtures.oauth_provider import consent

CALLBACK = "http://testserver/oauth/callback/"


def _auth(provider, **changes) -> Auth:
    fields = {"type": "oauth2", "grant_type": "client_credentials", "token_url": provider.url("/o/token/"),
                  "auth_url": provider.url("/o/authorize/"), "client_id": "wc-cc", "client_secret": "cc-secret", "scope": "read"}
    fields.update(changes)
    return Auth(**fields)


def _introspect_headers(entry: HistoryEntry) -> str:
    return str(entry.exchange)


def test_client_credentials_token_is_stored_encrypted_and_used(oauth_provider, alice, acme, echo_server):
    auth = _auth(oauth_provider)
    token = oauth.oauth_token_get(user=alice, workspace=acme, auth=auth)
    plain = decrypt_secret(token.access_token)
    assert plain and plain not in token.access_token
    assert token.expires_at is not None and token.refresh_token == ""

    exchange_entry = HistoryEntry.objects.filter(user=alice).latest("id")
    assert exchange_entry.url == oauth_provider.url("/o/token/")
    stored = str(exchange_entry.exchange) + str(exchange_entry.spec)
    assert "cc-secret" not in stored and plain not in stored and "{{oauth_client_secret}}" in stored

    collection = collection_create(user=alice, workspace=acme, name="API", auth={
        "type": "oauth2", "grant_type": "client_credentials", "token_url": oauth_provider.url("/o/token/"),
        "client_id": "wc-cc", "client_secret": "cc-secret", "scope": "read"})
    saved = request_create(user=alice, collection=collection, name="Me", url=echo_server.url("/anything"))
    entry = request_execute(user=alice, workspace=acme, saved_request=saved)
    full = str(entry.exchange)
    assert "Bearer {{oauth2_access_token}}" in full and plain not in full
    assert "Bearer " + plain in _sent_authorization(entry, plain)


def _sent_authorization(entry: HistoryEntry, plain: str) -> str:
    # The playground echoed what it received; history masks it, so unmask for the check.
    body = entry.exchange["response"].get("body_text", "")
    return body.replace("{{oauth2_access_token}}", plain)


def test_password_grant_and_refresh(oauth_provider, alice, acme):
    auth = _auth(oauth_provider, grant_type="password", client_id="wc-pw", client_secret="pw-secret",
                 username="ada", password="lovelace-pw", client_auth="basic")
    first = oauth.oauth_token_get(user=alice, workspace=acme, auth=auth)
    assert first.refresh_token
    old = decrypt_secret(first.access_token)
    refreshed = oauth.oauth_token_get(user=alice, workspace=acme, auth=_auth(
        oauth_provider, grant_type="refresh_token", client_id="wc-pw", client_secret="pw-secret", client_auth="basic"))
    assert decrypt_secret(refreshed.access_token) != old
    assert OAuthToken.objects.filter(user=alice, workspace=acme).count() == 1


def test_an_expired_token_is_refreshed_before_sending(oauth_provider, alice, acme):
    auth = _auth(oauth_provider, grant_type="password", client_id="wc-pw", client_secret="pw-secret",
                 username="ada", password="lovelace-pw")
    first = oauth.oauth_token_get(user=alice, workspace=acme, auth=auth)
    OAuthToken.objects.filter(pk=first.pk).update(expires_at=first.expires_at.replace(year=2000))
    oauth_provider.expire_tokens()
    value, warnings = oauth.oauth_token_for_send(user=alice, workspace=acme, auth=auth)
    assert value and value != decrypt_secret(first.access_token)
    assert "refreshed" in warnings[0]


def test_wrong_secret_is_invalid_client(oauth_provider, alice, acme):
    with pytest.raises(oauth.OAuthFailed) as error:
        oauth.oauth_token_get(user=alice, workspace=acme, auth=_auth(oauth_provider, client_secret="nope"))
    assert error.value.code == "invalid_client"
    assert "invalid_client" in error.value.message
    assert not OAuthToken.objects.exists()


def test_wrong_password_is_invalid_grant(oauth_provider, alice, acme):
    auth = _auth(oauth_provider, grant_type="password", client_id="wc-pw", client_secret="pw-secret",
                 username="ada", password="wrong")
    with pytest.raises(oauth.OAuthFailed) as error:
        oauth.oauth_token_get(user=alice, workspace=acme, auth=auth)
    assert error.value.code == "invalid_grant"


def test_refresh_without_a_refresh_token_is_named(oauth_provider, alice, acme):
    with pytest.raises(oauth.OAuthFailed) as error:
        oauth.oauth_token_get(user=alice, workspace=acme, auth=_auth(oauth_provider, grant_type="refresh_token"))
    assert error.value.code == "no_refresh_token"


def _code_auth(provider) -> Auth:
    return _auth(provider, grant_type="authorization_code", client_id="wc-code", client_secret="code-secret")


def test_authorization_code_with_pkce(oauth_provider, alice, acme, client):
    url = oauth.oauth_authorize_start(user=alice, workspace=acme, auth=_code_auth(oauth_provider), redirect_uri=CALLBACK)
    query = parse_qs(urlsplit(url).query)
    assert query["code_challenge_method"] == ["S256"] and "code_verifier" not in query
    location = consent(url)
    assert location.startswith(CALLBACK) and "code=" in location
    client.force_login(alice)
    page = client.get(reverse("oauth_callback") + "?" + urlsplit(location).query)
    assert page.status_code == 200 and "Token stored" in page.content.decode()
    token = OAuthToken.objects.get(user=alice, workspace=acme)
    assert token.refresh_token
    status = oauth.oauth_token_status(user=alice, workspace=acme, auth=_code_auth(oauth_provider))
    assert status["has_refresh_token"] and not status["expired"]
    assert decrypt_secret(token.access_token) not in status["token"]


def test_wrong_state_is_refused(oauth_provider, alice, acme, client):
    url = oauth.oauth_authorize_start(user=alice, workspace=acme, auth=_code_auth(oauth_provider), redirect_uri=CALLBACK)
    code = parse_qs(urlsplit(consent(url)).query)["code"][0]
    client.force_login(alice)
    page = client.get(reverse("oauth_callback"), {"code": code, "state": "forged"})
    assert page.status_code == 400 and "unknown or expired state" in page.content.decode()
    assert not OAuthToken.objects.exists()


def test_state_of_another_user_is_refused(oauth_provider, alice, bob, acme, client):
    url = oauth.oauth_authorize_start(user=alice, workspace=acme, auth=_code_auth(oauth_provider), redirect_uri=CALLBACK)
    client.force_login(bob)
    page = client.get(reverse("oauth_callback") + "?" + urlsplit(consent(url)).query)
    assert page.status_code == 400 and not OAuthToken.objects.exists()


def test_expired_code_is_invalid_grant(oauth_provider, alice, acme, client):
    url = oauth.oauth_authorize_start(user=alice, workspace=acme, auth=_code_auth(oauth_provider), redirect_uri=CALLBACK)
    location = consent(url)
    oauth_provider.expire_codes()
    client.force_login(alice)
    page = client.get(reverse("oauth_callback") + "?" + urlsplit(location).query)
    assert page.status_code == 400 and "invalid_grant" in page.content.decode()


def test_denied_consent_is_access_denied(oauth_provider, alice, acme, client):
    url = oauth.oauth_authorize_start(user=alice, workspace=acme, auth=_code_auth(oauth_provider), redirect_uri=CALLBACK)
    location = consent(url, allow=False)
    assert "error=access_denied" in location
    client.force_login(alice)
    page = client.get(reverse("oauth_callback") + "?" + urlsplit(location).query)
    assert page.status_code == 400 and "access_denied" in page.content.decode()


def test_a_run_step_refreshes_an_expired_token_and_stores_it_masked(oauth_provider, alice, acme, echo_server):
    from requests_app.models import RunResult
    from requests_app.services import runs

    auth = {"type": "oauth2", "grant_type": "password", "token_url": oauth_provider.url("/o/token/"),
            "client_id": "wc-pw", "client_secret": "pw-secret", "username": "ada", "password": "lovelace-pw", "scope": "read"}
    collection = collection_create(user=alice, workspace=acme, name="Run API", auth=auth)
    request_create(user=alice, collection=collection, name="Me", url=echo_server.url("/bearer"))
    first = oauth.oauth_token_get(user=alice, workspace=acme, auth=auth_from_dict(auth))
    OAuthToken.objects.filter(pk=first.pk).update(expires_at=first.expires_at.replace(year=2000))
    run = runs.run_execute(runs.run_create(workspace=acme, created_by=alice, collection=collection).pk, worker="t:h:1")
    result = RunResult.objects.get(run=run)
    assert result.status == 200
    fresh = decrypt_secret(OAuthToken.objects.get(pk=first.pk).access_token)
    assert fresh != decrypt_secret(first.access_token)
    stored = str(RunResult.objects.filter(run=run).values().first())
    assert fresh not in stored


def test_reencrypt_moves_oauth_tokens_to_the_new_key(alice, acme, settings):
    from requests_app.models import OAuthToken
    from requests_app.services.secrets import decrypt_secret, encrypt_secret, secrets_reencrypt

    settings.SECRET_KEY = "old-key-" + "x" * 50
    token = OAuthToken.objects.create(user=alice, workspace=acme, config_key="k", access_token=encrypt_secret("at-1"),
                                      refresh_token=encrypt_secret("rt-1"))
    settings.SECRET_KEY = "new-key-" + "y" * 50
    settings.SECRET_KEY_FALLBACKS = ["old-key-" + "x" * 50]
    assert secrets_reencrypt() == (2, 0)
    settings.SECRET_KEY_FALLBACKS = []
    token.refresh_from_db()
    assert (decrypt_secret(token.access_token), decrypt_secret(token.refresh_token)) == ("at-1", "rt-1")

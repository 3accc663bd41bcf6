"""The OAuth 2.0 token box of the Auth tab against the real provider: get, status (masked, expiry), clear."""

from __future__ import annotations

from django.urls import reverse

from requests_app.models import OAuthToken
from requests_app.services.secrets import decrypt_secret
from tests.pages.test_editor import HTMX, alice_client, form  # noqa: F401  (fixture)


def _oauth_form(provider, **extra):
    fields = {"auth_type": "oauth2", "auth_grant_type": "client_credentials", "auth_token_url": provider.url("/o/token/"),
                  "auth_client_id": "wc-cc", "auth_client_secret": "cc-secret", "auth_scope": "read", "auth_client_auth": "body",
                  "auth_token_in": "header"}
    return form("http://127.0.0.1:9/", **{**fields, **extra})


def test_get_status_and_clear_a_token(alice_client, acme_content, oauth_provider):
    url = reverse("oauth_token_box", args=[acme_content.workspace.pk])
    html = alice_client.post(url, _oauth_form(oauth_provider, oauth_action="status"), **HTMX).content.decode()
    assert "No token yet" in html and "/oauth/callback/" in html
    html = alice_client.post(url, _oauth_form(oauth_provider, oauth_action="get"), **HTMX).content.decode()
    assert "Token stored." in html and "expires in" in html
    plain = decrypt_secret(OAuthToken.objects.get().access_token)
    assert plain not in html
    html = alice_client.post(url, _oauth_form(oauth_provider, oauth_action="clear"), **HTMX).content.decode()
    assert "Token cleared." in html and not OAuthToken.objects.exists()


def test_wrong_secret_and_bad_extra_params_are_named(alice_client, acme_content, oauth_provider):
    url = reverse("oauth_token_box", args=[acme_content.workspace.pk])
    response = alice_client.post(url, _oauth_form(oauth_provider, oauth_action="get", auth_client_secret="x"), **HTMX)
    assert response.status_code == 400 and "invalid_client" in response.content.decode()
    response = alice_client.post(url, _oauth_form(oauth_provider, oauth_action="get", auth_extra_params="no equals"), **HTMX)
    assert response.status_code == 400 and "Line 1 of the extra parameters" in response.content.decode()


def test_authorization_code_gives_a_link_to_the_provider(alice_client, acme_content, oauth_provider):
    url = reverse("oauth_token_box", args=[acme_content.workspace.pk])
    data = _oauth_form(oauth_provider, oauth_action="get", auth_grant_type="authorization_code",
                       auth_auth_url=oauth_provider.url("/o/authorize/"), auth_client_id="wc-code")
    html = alice_client.post(url, data, **HTMX).content.decode()
    assert "Sign in at the provider" in html and "code_challenge_method=S256" in html

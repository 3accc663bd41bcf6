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


def test_a_request_inheriting_oauth2_gets_its_token_from_its_auth_tab(alice, alice_client, acme_content, oauth_provider, echo_server):
    from requests_app.services.collections import collection_update
    from requests_app.services.execution import request_execute
    from requests_app.services.saved_requests import request_create

    collection = acme_content.collection
    collection_update(user=alice, collection=collection, version=collection.version, auth={
        "type": "oauth2", "grant_type": "client_credentials", "token_url": oauth_provider.url("/o/token/"),
        "client_id": "wc-cc", "client_secret": "cc-secret", "scope": "read"})  # fmt: skip
    saved = request_create(user=alice, collection=collection, name="Me", url=echo_server.url("/anything"), auth={"type": "inherit"})
    workspace = acme_content.workspace.pk
    page = alice_client.get(reverse("request_open", args=[workspace, saved.pk])).content.decode()
    assert "Inherit from collection “Users API” (OAuth 2.0)" in page
    assert 'data-show-if="auth_type=oauth2|inherit" class="oauth2-fields oauth2-token-box"' in page
    data = form(echo_server.url("/anything"), auth_type="inherit", saved_request=str(saved.pk), oauth_action="get")
    html = alice_client.post(reverse("oauth_token_box", args=[workspace]), data, **HTMX).content.decode()
    assert "Token stored." in html
    plain = decrypt_secret(OAuthToken.objects.get().access_token)
    entry = request_execute(user=alice, workspace=acme_content.workspace, saved_request=saved)
    sent = entry.exchange["response"].get("body_text", "").replace("{{oauth2_access_token}}", plain)
    assert "Bearer " + plain in sent
    # under a folder with a bearer token, "inherit" is not OAuth 2.0: no token box for it
    from requests_app.services.folders import folder_update

    folder = acme_content.folder
    folder_update(user=alice, folder=folder, version=folder.version, auth={"type": "bearer", "token": "t"})
    other = alice_client.get(reverse("request_open", args=[workspace, acme_content.request.pk])).content.decode()
    assert 'data-show-if="auth_type=oauth2" class="oauth2-fields oauth2-token-box"' in other

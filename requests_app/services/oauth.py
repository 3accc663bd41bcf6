"""OAuth 2.0 tokens: get, refresh, store (encrypted, per user and workspace), clear, use.

Usage::

    from requests_app.services import oauth
    auth = oauth.resolved_auth(spec.auth, variables)              # {{variables}} filled in
    token = oauth.oauth_token_get(user=u, workspace=w, auth=auth)  # client credentials, password, refresh
    url = oauth.oauth_authorize_start(user=u, workspace=w, auth=auth, redirect_uri=callback)
    token = oauth.oauth_authorize_finish(user=u, state=..., code=..., error=...)   # the callback
    oauth.oauth_token_status(user=u, workspace=w, auth=auth)       # masked, expiry; None without one
    value, warnings = oauth.oauth_token_for_send(user=u, workspace=w, auth=auth)   # refreshes if due
    oauth.oauth_token_clear(user=u, workspace=w, auth=auth)

Every token request is an HTTP exchange like any other: sent by the engine under the server's
outbound policy and kept in the user's history with the client secret, password, code,
verifier and tokens masked. Authorization code uses PKCE S256; the verifier and state stay on
the server (cache, ten minutes) and the state is checked on the way back. Provider errors come
back as OAuthFailed with the provider's code (invalid_client, invalid_grant, access_denied …).
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from datetime import timedelta
from typing import Any
from urllib.parse import quote_plus, urlencode

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.cache import cache
from django.utils import timezone

from requests_app.engine import send
from requests_app.engine.exchange import Exchange
from requests_app.engine.spec import Auth, Body, FormField, KeyValue, RequestSpec, auth_from_dict, auth_to_dict
from requests_app.engine.variables import resolve_spec
from requests_app.models import OAuthToken, Workspace
from requests_app.services.errors import ServiceError, ValidationFailed
from requests_app.services.secrets import MASK, decrypt_secret, encrypt_secret

STATE_TTL_SECONDS = 600
REFRESH_MARGIN = timedelta(seconds=30)
NEEDS_TOKEN_URL = "The token URL is empty: set it in the OAuth 2.0 settings."
NEEDS_AUTH_URL = "The authorization URL is empty: authorization code needs it."
NEEDS_CLIENT_ID = "The client id is empty."
NO_REFRESH_TOKEN = "There is no refresh token: get a new token first."
STATE_UNKNOWN = "The sign-in came back with an unknown or expired state: start again with Get new token."
CODE_MISSING = "The provider sent no authorization code back."
NOT_JSON = "The token endpoint answered {status} without a JSON token: {snippet}"
NO_TOKEN_YET = "OAuth 2.0: no token yet for this configuration; the request was sent without one (use Get new token)."


class OAuthFailed(ServiceError):
    code = "oauth_failed"
    default_message = "Getting an OAuth 2.0 token failed."
    http_status = 400


def resolved_auth(auth: Auth, variables: list[dict[str, str]]) -> Auth:
    """The auth settings with {{variables}} filled in (the values the provider sees)."""
    resolved, _ = resolve_spec(RequestSpec(url="", auth=auth), variables)
    return resolved.auth


def config_key(auth: Auth) -> str:
    identity = [auth.token_url, auth.client_id, auth.scope, auth.audience, auth.resource]
    return hashlib.sha256(json.dumps(identity).encode()).hexdigest()


def _stored(user: AbstractBaseUser, workspace: Workspace, auth: Auth) -> OAuthToken | None:
    return OAuthToken.objects.filter(user_id=user.pk, workspace=workspace, config_key=config_key(auth)).first()


def _check(auth: Auth) -> None:
    if not auth.token_url.strip():
        raise ValidationFailed.for_field("auth.token_url", NEEDS_TOKEN_URL, code="oauth_config")
    if not auth.client_id.strip():
        raise ValidationFailed.for_field("auth.client_id", NEEDS_CLIENT_ID, code="oauth_config")


def _token_request(auth: Auth, fields: list[tuple[str, str]]) -> RequestSpec:
    form = [FormField(k, v) for k, v in fields]
    for name, value in (("scope", auth.scope), ("audience", auth.audience), ("resource", auth.resource)):
        if value and not any(k == name for k, _ in fields):
            form.append(FormField(name, value))
    form += [FormField(p.key, p.value) for p in auth.extra_params if p.enabled and p.key]
    request_auth = Auth()
    if auth.client_auth == "basic" and auth.client_secret:
        # RFC 6749 section 2.3.1: each part form-encoded, then HTTP Basic.
        request_auth = Auth(type="basic", username=quote_plus(auth.client_id), password=quote_plus(auth.client_secret))
    else:
        form.append(FormField("client_id", auth.client_id))
        if auth.client_secret:
            form.append(FormField("client_secret", auth.client_secret))
    return RequestSpec(method="POST", url=auth.token_url.strip(), headers=[KeyValue("Accept", "application/json")],
                       body=Body(mode="urlencoded", fields=form), auth=request_auth)


def _exchange(
    *, user: AbstractBaseUser, workspace: Workspace, auth: Auth, fields: list[tuple[str, str]]
) -> dict[str, Any]:
    """Send one token request through the engine, record it (masked) in history, read the answer."""
    from requests_app.services.execution import outbound_policy
    from requests_app.services.history import history_record

    spec = _token_request(auth, fields)
    exchange: Exchange = send(spec, policy=outbound_policy())
    masked = {"oauth_client_secret": auth.client_secret, "oauth_password": auth.password}
    masked.update({f"oauth_{k}": v for k, v in fields if k in ("code", "code_verifier", "refresh_token", "password")})
    data: dict[str, Any] = {}
    response = exchange.response
    if response is not None:
        try:
            parsed = json.loads(response.body.decode("utf-8")) if response.body else {}
            data = parsed if isinstance(parsed, dict) else {}
        except (ValueError, UnicodeDecodeError, RecursionError):
            data = {}
    for name in ("access_token", "refresh_token", "id_token"):
        if isinstance(data.get(name), str):
            masked[f"oauth_{name}"] = data[name]
    from requests_app.engine.spec import spec_to_dict

    history_record(user=user, workspace=workspace, asked=spec_to_dict(spec), exchange=exchange,
                   secrets={k: v for k, v in masked.items() if v})
    if exchange.error is not None:
        raise OAuthFailed(f"The token request to {auth.token_url} failed: {exchange.error.message}",
                          code=f"oauth_{exchange.error.kind}")
    assert response is not None
    if "error" in data:
        description = data.get("error_description") or ""
        raise OAuthFailed(f"The provider refused ({data['error']}){': ' + description if description else ''}.",
                          code=str(data["error"])[:60])
    if response.status != 200 or not isinstance(data.get("access_token"), str):
        snippet = response.body[:200].decode("utf-8", "replace")
        raise OAuthFailed(NOT_JSON.format(status=response.status, snippet=snippet), code="oauth_bad_response")
    return data


def _save(user: AbstractBaseUser, workspace: Workspace, auth: Auth, data: dict[str, Any]) -> OAuthToken:
    existing = _stored(user, workspace, auth)
    expires_in = data.get("expires_in")
    expires_at = None
    if isinstance(expires_in, (int, float)) and not isinstance(expires_in, bool) and expires_in > 0:
        expires_at = timezone.now() + timedelta(seconds=int(expires_in))
    refresh = data.get("refresh_token")
    if not isinstance(refresh, str) or not refresh:
        # A refresh answer without a new refresh token keeps the old one (RFC 6749 section 6).
        refresh = decrypt_secret(existing.refresh_token) if existing and existing.refresh_token else ""
    token, _ = OAuthToken.objects.update_or_create(
        user_id=user.pk, workspace=workspace, config_key=config_key(auth),
        defaults={
            "access_token": encrypt_secret(data["access_token"]),
            "refresh_token": encrypt_secret(refresh) if refresh else "",
            "token_type": str(data.get("token_type") or "")[:40],
            "scope": str(data.get("scope") or auth.scope),
            "expires_at": expires_at,
        },
    )
    return token


def oauth_token_get(*, user: AbstractBaseUser, workspace: Workspace, auth: Auth) -> OAuthToken:
    """Client credentials, password, or refresh token (the stored one): ask the provider, store."""
    _check(auth)
    if auth.grant_type == "authorization_code":
        raise ValidationFailed.for_field("auth.grant_type", "Authorization code is started in the browser.")
    if auth.grant_type == "refresh_token":
        return _refresh(user=user, workspace=workspace, auth=auth)
    fields = [("grant_type", auth.grant_type)]
    if auth.grant_type == "password":
        fields += [("username", auth.username), ("password", auth.password)]
    return _save(user, workspace, auth, _exchange(user=user, workspace=workspace, auth=auth, fields=fields))


def _refresh(*, user: AbstractBaseUser, workspace: Workspace, auth: Auth) -> OAuthToken:
    stored = _stored(user, workspace, auth)
    refresh = decrypt_secret(stored.refresh_token) if stored and stored.refresh_token else None
    if not refresh:
        raise OAuthFailed(NO_REFRESH_TOKEN, code="no_refresh_token")
    data = _exchange(user=user, workspace=workspace, auth=auth,
                     fields=[("grant_type", "refresh_token"), ("refresh_token", refresh)])
    return _save(user, workspace, auth, data)


def _challenge(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).decode("ascii").rstrip("=")


def oauth_authorize_start(*, user: AbstractBaseUser, workspace: Workspace, auth: Auth, redirect_uri: str) -> str:
    """The provider's sign-in URL to open in a new window; state and PKCE verifier kept here."""
    _check(auth)
    if not auth.auth_url.strip():
        raise ValidationFailed.for_field("auth.auth_url", NEEDS_AUTH_URL, code="oauth_config")
    state = secrets.token_urlsafe(24)
    verifier = secrets.token_urlsafe(48)
    pending = {"user": user.pk, "workspace": workspace.pk, "verifier": verifier, "redirect_uri": redirect_uri,
               "auth": encrypt_secret(json.dumps(auth_to_dict(auth)))}
    cache.set(f"oauth-state:{state}", pending, STATE_TTL_SECONDS)
    query = [("response_type", "code"), ("client_id", auth.client_id), ("redirect_uri", redirect_uri),
             ("state", state), ("code_challenge", _challenge(verifier)), ("code_challenge_method", "S256")]
    for name, value in (("scope", auth.scope), ("audience", auth.audience), ("resource", auth.resource)):
        if value:
            query.append((name, value))
    base = auth.auth_url.strip()
    return f"{base}{'&' if '?' in base else '?'}{urlencode(query)}"


def oauth_authorize_finish(
    *, user: AbstractBaseUser, state: str, code: str, error: str = "", error_description: str = ""
) -> OAuthToken:
    """The callback: check the state, exchange the code with the kept verifier, store the token."""
    pending = cache.get(f"oauth-state:{state}") if state else None
    if not pending or pending.get("user") != user.pk:
        raise OAuthFailed(STATE_UNKNOWN, code="bad_state")
    cache.delete(f"oauth-state:{state}")
    if error:
        raise OAuthFailed(f"The provider said no ({error}){': ' + error_description if error_description else ''}.",
                          code=error[:60])
    if not code:
        raise OAuthFailed(CODE_MISSING, code="no_code")
    auth = auth_from_dict(json.loads(decrypt_secret(pending["auth"]) or "{}"))
    workspace = Workspace.objects.get(pk=pending["workspace"])
    fields = [("grant_type", "authorization_code"), ("code", code), ("redirect_uri", pending["redirect_uri"]),
              ("code_verifier", pending["verifier"])]
    return _save(user, workspace, auth, _exchange(user=user, workspace=workspace, auth=auth, fields=fields))


def oauth_token_status(*, user: AbstractBaseUser, workspace: Workspace, auth: Auth) -> dict[str, Any] | None:
    stored = _stored(user, workspace, auth)
    if stored is None:
        return None
    plain = decrypt_secret(stored.access_token) or ""
    return {
        "token": (plain[:4] + MASK) if len(plain) > 12 else MASK,
        "token_type": stored.token_type,
        "scope": stored.scope,
        "expires_at": stored.expires_at,
        "expired": stored.expires_at is not None and stored.expires_at <= timezone.now(),
        "has_refresh_token": bool(stored.refresh_token),
        "updated_at": stored.updated_at,
    }


def oauth_token_clear(*, user: AbstractBaseUser, workspace: Workspace, auth: Auth) -> None:
    OAuthToken.objects.filter(user_id=user.pk, workspace=workspace, config_key=config_key(auth)).delete()


def oauth_token_for_send(*, user: AbstractBaseUser, workspace: Workspace, auth: Auth) -> tuple[str, list[str]]:
    """The access token to send, refreshed first when it expires within 30 s and can be."""
    stored = _stored(user, workspace, auth)
    if stored is None:
        return "", [NO_TOKEN_YET]
    warnings: list[str] = []
    due = stored.expires_at is not None and stored.expires_at - REFRESH_MARGIN <= timezone.now()
    if due and stored.refresh_token:
        try:
            stored = _refresh(user=user, workspace=workspace, auth=auth)
            warnings.append("OAuth 2.0: the token was expiring and was refreshed first (see History).")
        except (OAuthFailed, ValidationFailed) as error:
            warnings.append(f"OAuth 2.0: refreshing the token failed: {error.message}")
    elif due:
        warnings.append("OAuth 2.0: the token has expired and there is no refresh token; use Get new token.")
    return decrypt_secret(stored.access_token) or "", warnings

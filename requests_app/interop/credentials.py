"""Credentials in exports: one rule for every format (Postman, .http, HAR, snippets).

Usage::

    from requests_app.interop.credentials import TEMPLATE, SHELL, mask_credentials, mask_header_pairs

    mask_credentials(spec, TEMPLATE)    # password → {{password}}, token → {{accessToken}}, API key → {{apiKey}}
    mask_credentials(spec, SHELL)       # the same as "$WEBCLIENT_PASSWORD"… for a shell command
    mask_header_pairs([("Authorization", "Basic YWxp…")], TEMPLATE)   # [("Authorization", "Basic {{credentials}}")]

What is secret: the password of basic and digest auth, the bearer token, the API key's value,
AWS's secret key and session token, OAuth 2.0's client secret, password and token, and the credentials of an Authorization or Proxy-Authorization header typed by hand (the
scheme word is kept). A value that is already a `{{variable}}` reference is not a secret
and stays as it is. The placeholders are the variable names the OpenAPI import uses, so a
file exported without secrets runs once those variables are set (in an environment, or
in the shell for commands). Those allowed to see secrets may ask for the real values: the
callers check that (editors and owners only).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from requests_app.engine.spec import Auth, KeyValue, RequestSpec

# Variable name of each secret (the first four as the OpenAPI import names them).
SECRET_NAMES = {
    "password": "password",
    "token": "accessToken",
    "value": "apiKey",
    "header": "credentials",
    "secret_key": "awsSecretKey",
    "session_token": "awsSessionToken",
    "client_secret": "clientSecret",
}
# The Auth fields each type keeps secret.
_SECRET_FIELDS = {
    "basic": ("password",),
    "digest": ("password",),
    "bearer": ("token",),
    "apikey": ("value",),
    "awsv4": ("secret_key", "session_token"),
    "oauth2": ("client_secret", "password", "token"),
}
_CREDENTIAL_HEADERS = frozenset({"authorization", "proxy-authorization"})

Placeholder = Callable[[str], str]


def TEMPLATE(name: str) -> str:
    return "{{" + name + "}}"


def SHELL(name: str) -> str:
    """`$WEBCLIENT_ACCESS_TOKEN` for accessToken: a shell variable the person sets before running."""
    snake = "".join(f"_{c}" if c.isupper() else c for c in name).upper()
    return f"$WEBCLIENT_{snake}"




def _secret(value: str) -> bool:
    return bool(value) and "{{" not in value


def mask_auth(auth: Auth, placeholder: Placeholder) -> Auth:
    secret = [name for name in _SECRET_FIELDS.get(auth.type, ()) if _secret(getattr(auth, name))]
    masked: dict[str, Any] = {name: placeholder(SECRET_NAMES[name]) for name in secret}
    return replace(auth, **masked) if secret else auth


def _masked_header_value(value: str, placeholder: Placeholder) -> str:
    scheme, space, credentials = value.partition(" ")
    if not space:
        return value if not _secret(value) else placeholder(SECRET_NAMES["header"])
    return value if not _secret(credentials) else f"{scheme} {placeholder(SECRET_NAMES['header'])}"


def mask_header_pairs(headers: list[tuple[str, str]] | list[list[str]], placeholder: Placeholder) -> list[tuple[str, str]]:
    return [
        (name, _masked_header_value(value, placeholder) if name.lower() in _CREDENTIAL_HEADERS else value)
        for name, value in headers
    ]


def credential_values(spec: RequestSpec) -> dict[str, str]:
    """{placeholder name: secret value} of the credentials in `spec`, to mask them wherever they
    were sent or echoed (an exchange, a response body)."""
    auth = spec.auth
    values = {SECRET_NAMES[name]: getattr(auth, name) for name in _SECRET_FIELDS.get(auth.type, ())}
    for header in spec.headers:
        if header.key.lower() in _CREDENTIAL_HEADERS:
            values[SECRET_NAMES["header"]] = header.value.partition(" ")[2] or header.value
    return {name: value for name, value in values.items() if _secret(value)}


def mask_credentials(spec: RequestSpec, placeholder: Placeholder) -> RequestSpec:
    """A copy of `spec` with every credential replaced by its placeholder."""
    headers = [
        KeyValue(h.key, _masked_header_value(h.value, placeholder), h.enabled)
        if h.key.lower() in _CREDENTIAL_HEADERS
        else h
        for h in spec.headers
    ]
    return spec.copy(auth=mask_auth(spec.auth, placeholder), headers=headers)

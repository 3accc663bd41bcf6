"""Postman auth blocks ↔ engine Auth: basic, bearer, apikey, digest, awsv4, oauth2 (others reported)."""

from __future__ import annotations

from typing import Any

from requests_app.engine.spec import Auth, KeyValue
from requests_app.interop.model import Report
from requests_app.interop.postman.common import _join, _list, _obj, _text


def auth_from_postman(value: Any, path: str, report: Report) -> Auth | None:
    """None when the source says nothing (inherit from the parent); Auth() for noauth."""
    if value is None:
        return None
    auth = _obj(value, path)
    kind = _text(auth.get("type"), _join(path, "type"))
    if kind in ("", "noauth"):
        return Auth()
    if kind == "inherit":
        return None
    attributes = _auth_attributes(auth.get(kind), _join(path, kind))
    if kind in ("basic", "digest"):
        return Auth(type=kind, username=attributes.get("username", ""), password=attributes.get("password", ""))
    if kind == "bearer":
        return Auth(type="bearer", token=attributes.get("token", ""))
    if kind == "apikey":
        location = "query" if attributes.get("in", "header") == "query" else "header"
        return Auth(type="apikey", key=attributes.get("key", ""), value=attributes.get("value", ""), location=location)
    if kind == "awsv4":
        return Auth(
            type="awsv4",
            access_key=attributes.get("accessKey", ""),
            secret_key=attributes.get("secretKey", ""),
            session_token=attributes.get("sessionToken", ""),
            region=attributes.get("region", ""),
            service=attributes.get("service", ""),
        )
    if kind == "oauth2" and attributes.get("accessTokenUrl"):
        return _oauth2(attributes, auth.get(kind), path, report)
    if kind == "oauth2" and attributes.get("accessToken"):
        report.downgraded(path, "OAuth 2.0: the saved access token is sent as a bearer token; it is not refreshed")
        return Auth(type="bearer", token=attributes["accessToken"])
    report.dropped(path, f"auth type {kind!r} is not supported; the request is imported without auth")
    return Auth()


# Postman's grant names ↔ ours; PKCE is always used for authorization code here.
_POSTMAN_GRANTS = {
    "client_credentials": "client_credentials",
    "authorization_code": "authorization_code",
    "authorization_code_with_pkce": "authorization_code",
    "password_credentials": "password",
}


def _oauth2(attributes: dict[str, str], raw: Any, path: str, report: Report) -> Auth:
    grant = _POSTMAN_GRANTS.get(attributes.get("grant_type", "authorization_code"))
    if grant is None:
        report.dropped(path, f"OAuth 2.0 grant {attributes.get('grant_type')!r} is not supported; imported as client credentials")
        grant = "client_credentials"
    if attributes.get("accessToken"):
        report.note(path, "OAuth 2.0: the saved access token is not imported (tokens are per person): use Get new token")
    extra: list[KeyValue] = []
    audience = resource = ""
    entries = raw if isinstance(raw, list) else []
    for entry in entries:  # tokenRequestParams: [{key, value, enabled, send_as}]
        if isinstance(entry, dict) and entry.get("key") == "tokenRequestParams" and isinstance(entry.get("value"), list):
            for param in entry["value"]:
                if not isinstance(param, dict) or not isinstance(param.get("key"), str):
                    continue
                key, value = param["key"], str(param.get("value", ""))
                if key == "audience":
                    audience = value
                elif key == "resource":
                    resource = value
                else:
                    extra.append(KeyValue(key, value, param.get("enabled", True) is not False))
    return Auth(
        type="oauth2",
        grant_type=grant,
        token_url=attributes.get("accessTokenUrl", ""),
        auth_url=attributes.get("authUrl", ""),
        client_id=attributes.get("clientId", ""),
        client_secret=attributes.get("clientSecret", ""),
        scope=attributes.get("scope", ""),
        audience=audience,
        resource=resource,
        client_auth="basic" if attributes.get("client_authentication") == "header" else "body",
        username=attributes.get("username", ""),
        password=attributes.get("password", ""),
        extra_params=extra,
        location="query" if attributes.get("addTokenTo") == "queryParams" else "header",
        header_prefix=attributes.get("headerPrefix", "Bearer"),
    )


def _export_oauth2(auth: Auth) -> list[dict[str, Any]]:
    grant = {"authorization_code": "authorization_code_with_pkce", "password": "password_credentials"}.get(
        auth.grant_type, auth.grant_type
    )
    values: dict[str, Any] = {
        "grant_type": grant, "accessTokenUrl": auth.token_url, "authUrl": auth.auth_url, "clientId": auth.client_id,
        "clientSecret": auth.client_secret, "scope": auth.scope, "username": auth.username, "password": auth.password,
        "client_authentication": "header" if auth.client_auth == "basic" else "body",
        "addTokenTo": "queryParams" if auth.location == "query" else "header", "headerPrefix": auth.header_prefix,
        "challengeAlgorithm": "S256",
    }
    params = [{"key": p.key, "value": p.value, "enabled": p.enabled, "send_as": "request_body"} for p in auth.extra_params]
    params += [{"key": k, "value": v, "enabled": True, "send_as": "request_body"}
               for k, v in (("audience", auth.audience), ("resource", auth.resource)) if v]
    out: list[dict[str, Any]] = [{"key": k, "value": v, "type": "string"} for k, v in values.items()]
    if params:
        out.append({"key": "tokenRequestParams", "value": params, "type": "any"})
    return out


def _auth_attributes(value: Any, path: str) -> dict[str, str]:
    if value is None:
        return {}
    if isinstance(value, dict):  # v2.0: {"username": "...", "password": "..."}
        return {str(k): _text(v, _join(path, str(k))) for k, v in value.items() if not isinstance(v, (dict, list))}
    attributes = {}
    for index, raw in enumerate(_list(value, path)):  # v2.1: [{"key": ..., "value": ...}]
        entry = _obj(raw, f"{path}[{index}]")
        val = entry.get("value")
        if isinstance(val, (dict, list)):
            continue
        attributes[_text(entry.get("key"), f"{path}[{index}].key")] = _text(val, f"{path}[{index}].value")
    return attributes


def auth_to_postman(auth: Auth) -> dict[str, Any]:
    def attrs(**values: str) -> list[dict[str, str]]:
        return [{"key": k, "value": v, "type": "string"} for k, v in values.items()]

    if auth.type in ("basic", "digest"):
        return {"type": auth.type, auth.type: attrs(username=auth.username, password=auth.password)}
    if auth.type == "bearer":
        return {"type": "bearer", "bearer": attrs(token=auth.token)}
    if auth.type == "apikey":
        return {"type": "apikey", "apikey": attrs(key=auth.key, value=auth.value, **{"in": auth.location})}
    if auth.type == "awsv4":
        values = attrs(
            accessKey=auth.access_key,
            secretKey=auth.secret_key,
            region=auth.region,
            service=auth.service,
            sessionToken=auth.session_token,
        )
        return {"type": "awsv4", "awsv4": values}
    if auth.type == "oauth2":
        return {"type": "oauth2", "oauth2": _export_oauth2(auth)}
    return {"type": "noauth"}

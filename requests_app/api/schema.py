"""OpenAPI pieces drf-spectacular can't infer: JSON shapes of request parts, Bearer auth.

The shapes are those of engine.spec.spec_to_dict; services validate them and name bad fields.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

from requests_app.engine.spec import AUTH_TYPES, BODY_MODES, OAUTH2_CLIENT_AUTH, OAUTH2_GRANTS

# The `id` in a path such as requests/<id>/examples, for views without a queryset to read it from.
PATH_ID = [OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)]


class BearerTokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = "requests_app.api.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token: `python manage.py create_api_token <username>`.",
        }


def _obj(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return schema


STRING = {"type": "string"}
BOOLEAN = {"type": "boolean"}

KEY_VALUE = _obj({"key": STRING, "value": STRING, "enabled": BOOLEAN}, ["key"])
KEY_VALUE_LIST = {"type": "array", "items": KEY_VALUE}
VARIABLE = _obj(
    {
        "key": STRING,
        "value": STRING,
        "secret": BOOLEAN,
        "enabled": BOOLEAN,
        "hosts": {
            "type": "array",
            "items": STRING,
            "description": "Secrets only: the hosts the value may be sent to (api.example.com, *.example.com). "
            "Without hosts, in team mode only editors and owners can send the secret.",
        },
    },
    ["key"],
)
VARIABLE_LIST = {
    "type": "array",
    "items": VARIABLE,
    "description": "Secret values read back as '••••••'; sending the mask back keeps the stored secret.",
}
FILE = _obj({"name": STRING, "content_type": STRING, "base64": {"type": "string", "format": "byte"}})
FORM_FIELD = _obj({"key": STRING, "value": STRING, "enabled": BOOLEAN, "file": FILE}, ["key"])


def _mode(mode: str, **properties: Any) -> dict[str, Any]:
    return _obj({"mode": {"type": "string", "enum": [mode]}, **properties}, ["mode"])


BODY = {
    "oneOf": [
        _mode("none"),
        _mode("raw", text=STRING, content_type=STRING),
        _mode("json", text=STRING),
        _mode("urlencoded", fields={"type": "array", "items": KEY_VALUE}, encoding={"type": "string", "enum": ["plus", "percent"]}),
        _mode("multipart", fields={"type": "array", "items": FORM_FIELD}),
        _mode("binary", base64={"type": "string", "format": "byte"}, content_type=STRING),
        _mode("graphql", query=STRING, variables=STRING),
    ],
    "description": f"One of the modes {', '.join(BODY_MODES)}.",
}


def _auth(kind: str, **properties: Any) -> dict[str, Any]:
    return _obj({"type": {"type": "string", "enum": [kind]}, **properties}, ["type"])


AUTH = {
    "oneOf": [
        _auth("none"),
        _auth("inherit"),
        _auth("basic", username=STRING, password=STRING),
        _auth("bearer", token=STRING),
        _auth("apikey", key=STRING, value=STRING, **{"in": {"type": "string", "enum": ["header", "query"]}}),
        _auth("digest", username=STRING, password=STRING),
        _auth(
            "awsv4",
            access_key=STRING,
            secret_key=STRING,
            session_token=STRING,
            region=STRING,
            service=STRING,
            unsigned_payload=BOOLEAN,
        ),
        _auth(
            "oauth2",
            grant_type={"type": "string", "enum": list(OAUTH2_GRANTS)},
            token_url=STRING, auth_url=STRING, client_id=STRING, client_secret=STRING, scope=STRING,
            audience=STRING, resource=STRING, client_auth={"type": "string", "enum": list(OAUTH2_CLIENT_AUTH)},
            username=STRING, password=STRING, extra_params=KEY_VALUE_LIST,
            header_prefix=STRING, query_param=STRING, **{"in": {"type": "string", "enum": ["header", "query"]}},
        ),
    ],
    "description": f"One of {', '.join(AUTH_TYPES)}; saved requests and folders may also say 'inherit' (the nearest folder's auth that is not 'inherit', else the collection's; a folder's 'none' sends none below it).",
}
OPTIONS = _obj(
    {
        "follow_redirects": BOOLEAN,
        "max_redirects": {"type": "integer", "minimum": 0, "maximum": 50},
        "timeout_ms": {"type": "integer", "minimum": 1, "maximum": 600000},
        "verify_tls": BOOLEAN,
        "use_cookies": BOOLEAN,
        "max_response_bytes": {"type": "integer", "minimum": 1, "maximum": 104857600},
    }
)
ANY_LIST = {"type": "array", "items": {}}
ANY_OBJECT = {"type": "object", "additionalProperties": True}

_PAIR = {"type": "array", "items": STRING, "minItems": 2, "maxItems": 2}
EXCHANGE_REQUEST = {
    "type": "object",
    "nullable": True,
    "properties": {
        "method": STRING,
        "url": STRING,
        "headers": {"type": "array", "items": _PAIR},
        "body_size": {"type": "integer"},
        "wire": STRING,
    },
}
EXCHANGE_RESPONSE = {"type": "object", "nullable": True, "additionalProperties": True,
                     "description": "http_version, status, reason, headers, cookies, content_type, charset, kind, "
                                    "body_text or body_base64, size, truncated, wire_head"}
_MS = {"type": "number", "nullable": True}
TIMINGS = _obj({name: _MS for name in ("dns_ms", "connect_ms", "tls_ms", "ttfb_ms", "download_ms", "total_ms")})
REDIRECTS = {"type": "array", "items": _obj({"status": {"type": "integer"}, "url": STRING, "location": STRING})}
ERROR = {"type": "object", "nullable": True, "properties": {
    "kind": STRING, "code": STRING, "message": STRING, "field": STRING, "hint": STRING}}

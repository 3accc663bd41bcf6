"""Postman auth types with more than a token: `awsv4` and `oauth2`, read from Postman's own attribute names, exported back."""

from __future__ import annotations

import json

from requests_app.engine.spec import Auth
from requests_app.interop.postman import export_postman, parse_postman
from tests.interop.test_postman import schema_errors

POSTMAN_AWSV4 = {
    "info": {"name": "aws", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
    "item": [
        {
            "name": "list",
            "request": {
                "method": "GET",
                "url": "https://abc.execute-api.eu-west-1.amazonaws.com/prod/items",
                "auth": {
                    "type": "awsv4",
                    "awsv4": [
                        {"key": "accessKey", "value": "AKIDEXAMPLE", "type": "string"},
                        {"key": "secretKey", "value": "{{aws_secret}}", "type": "string"},
                        {"key": "region", "value": "eu-west-1", "type": "string"},
                        {"key": "service", "value": "execute-api", "type": "string"},
                        {"key": "sessionToken", "value": "tok", "type": "string"},
                    ],
                },
            },
        }
    ],
}


def test_awsv4_import_reads_postmans_fields_and_export_round_trips():
    collection = parse_postman(json.dumps(POSTMAN_AWSV4)).collections[0]
    auth = collection.requests()[0].spec.auth
    assert auth == Auth(
        type="awsv4", access_key="AKIDEXAMPLE", secret_key="{{aws_secret}}", region="eu-west-1",
        service="execute-api", session_token="tok",
    )
    exported = export_postman(collection)
    assert schema_errors(exported) == []
    assert exported["item"][0]["request"]["auth"]["type"] == "awsv4"
    assert parse_postman(json.dumps(exported)).collections[0] == collection


POSTMAN_OAUTH2 = {
    "info": {"name": "oauth", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
    "auth": {
        "type": "oauth2",
        "oauth2": [
            {"key": "grant_type", "value": "authorization_code_with_pkce", "type": "string"},
            {"key": "accessTokenUrl", "value": "{{idp}}/o/token/", "type": "string"},
            {"key": "authUrl", "value": "{{idp}}/o/authorize/", "type": "string"},
            {"key": "clientId", "value": "wc-code", "type": "string"},
            {"key": "clientSecret", "value": "{{secret}}", "type": "string"},
            {"key": "scope", "value": "read write", "type": "string"},
            {"key": "client_authentication", "value": "header", "type": "string"},
            {"key": "addTokenTo", "value": "header", "type": "string"},
            {"key": "accessToken", "value": "old-token", "type": "string"},
            {"key": "tokenRequestParams", "type": "any", "value": [
                {"key": "audience", "value": "https://api.example.com", "enabled": True, "send_as": "request_body"},
                {"key": "prompt", "value": "consent", "enabled": True, "send_as": "request_body"}]},
        ],
    },
    "item": [{"name": "me", "request": {"method": "GET", "url": "https://api.example.com/me"}}],
}


def test_oauth2_import_reads_postmans_fields_and_export_round_trips():
    result = parse_postman(json.dumps(POSTMAN_OAUTH2))
    collection = result.collections[0]
    auth = collection.auth
    assert (auth.type, auth.grant_type, auth.token_url, auth.client_id, auth.client_auth) == (
        "oauth2", "authorization_code", "{{idp}}/o/token/", "wc-code", "basic")
    assert auth.audience == "https://api.example.com"
    assert [(p.key, p.value) for p in auth.extra_params] == [("prompt", "consent")]
    assert auth.token == ""  # tokens are per person; the saved one is reported, not imported
    assert any("access token is not imported" in str(item) for item in result.report)
    exported = export_postman(collection)
    assert schema_errors(exported) == []
    assert parse_postman(json.dumps(exported)).collections[0] == collection

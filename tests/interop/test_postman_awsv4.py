"""Postman's `awsv4` auth: imported from Postman's own attribute names, exported back."""

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

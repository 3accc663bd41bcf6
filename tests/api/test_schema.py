"""The OpenAPI schema is valid, and no generated request makes the API answer 5xx.

The schemathesis run is bounded (a few examples per operation, no deadline per example) and
talks to the WSGI app in-process. Execute endpoints are included: name resolution is made to
fail for every host, so whatever URL the generator invents, nothing leaves the machine.
"""

import socket

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from webclient.wsgi import application

EXAMPLES_PER_OPERATION = 4


def test_schema_is_served_and_valid(client):
    from drf_spectacular.validation import validate_schema

    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    validate_schema(response.json())  # raises on anything OpenAPI 3 does not allow


def test_schema_generates_without_warnings():
    """drf-spectacular's warnings (colliding operationIds, unresolvable types) are what
    `manage.py check --deploy` reports: each operation must have its own id."""
    import subprocess
    import sys
    from pathlib import Path

    done = subprocess.run([sys.executable, "manage.py", "spectacular", "--validate", "--fail-on-warn"],
                          cwd=Path(__file__).resolve().parents[2], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]


def test_every_operation_has_its_own_id(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    ids = [op["operationId"] for path in schema["paths"].values() for op in path.values() if "operationId" in op]
    assert len(ids) == len(set(ids))
    assert not [i for i in ids if i[-1].isdigit() and i.rstrip("0123456789").endswith("_")]


def test_swagger_ui_is_served(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert b"swagger" in response.content.lower()


def _no_dns(*args, **kwargs):
    raise socket.gaierror(socket.EAI_NONAME, "name resolution disabled in the schema fuzz test")


# Only the fuzzing phase, bounded by max_examples: the coverage phase alone generates every
# boundary case of every field (minutes on a small machine). Fuzzing still sends wrong types,
# huge numbers, odd strings and missing fields within the schema's shapes.
CONFIG = schemathesis.config.SchemathesisConfig.from_str(
    "[phases.coverage]\nenabled = false\n[phases.stateful]\nenabled = false\n"
)

# Serving the schema touches no database table, so it can be loaded at collection time.
schema = schemathesis.openapi.from_wsgi("/api/schema/", application, config=CONFIG)


@pytest.fixture
def keep_test_connection():
    """Calling the WSGI app directly would close the test's database connection after each
    request (request_finished → close_old_connections); Django's test client avoids it the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def real_ids(world, bob):
    """Path ids of existing objects, by the resource a path starts with."""
    return {
        "workspaces": world["workspace"].pk,
        "collections": world["collection"].pk,
        "folders": world["folder"].pk,
        "requests": world["request"].pk,
        "environments": world["environment"].pk,
        "user_id": bob.pk,
    }


@schema.parametrize()
@settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_no_generated_request_causes_a_server_error(case, world, bob, alice_client, monkeypatch,
                                                    keep_test_connection):
    monkeypatch.setattr(socket, "getaddrinfo", _no_dns)
    headers = {"Authorization": alice_client._credentials["HTTP_AUTHORIZATION"]}
    check(case.call(headers=headers), case)
    # Generated ids almost never exist: send the same input to existing objects too.
    if case.path_parameters:
        ids = real_ids(world, bob)
        resource = case.path.split("/")[3]
        case.path_parameters = {
            name: ids["user_id"] if name == "user_id" else ids.get(resource, value)
            for name, value in case.path_parameters.items()
        }
        check(case.call(headers=headers), case)


def check(response, case):
    assert response.status_code < 500, (case.method, case.formatted_path, case.body, response.text[:500])
    if response.status_code >= 400 and response.headers.get("Content-Type", [""])[0].startswith("application/json"):
        assert set(response.json()) == {"error"}

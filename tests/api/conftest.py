import pytest

from requests_app.services.collections import collection_create
from requests_app.services.environments import environment_create
from requests_app.services.folders import folder_create
from requests_app.services.saved_requests import request_create

SECRET = "sk_test_Marmot-Lantern-55190"


@pytest.fixture
def world(alice, bob, victor, carol, acme, echo_server):
    """Acme's content: a collection with a folder and a request, an environment with a secret."""
    collection = collection_create(user=alice, workspace=acme, name="API")
    folder = folder_create(user=alice, collection=collection, name="Users")
    saved = request_create(user=alice, collection=collection, folder=folder, name="Echo", method="POST",
                           url=echo_server.url("/anything?t={{token}}"),
                           headers=[{"key": "X-Token", "value": "{{token}}"}])
    environment = environment_create(user=alice, workspace=acme, name="Local", variables=[
        {"key": "token", "value": SECRET, "secret": True, "enabled": True},
        {"key": "plain", "value": "visible", "secret": False, "enabled": True},
    ])
    return {"workspace": acme, "collection": collection, "folder": folder, "request": saved,
            "environment": environment}

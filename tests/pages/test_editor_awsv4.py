"""AWS Signature v4 from the editor form: the page sends a signed request, the secret key is not echoed."""

from __future__ import annotations

from typing import Any

from requests_app.models import HistoryEntry
from tests.pages.test_editor import alice_client, form, send  # noqa: F401  (fixture)


def test_editor_sends_an_awsv4_signed_request(
    alice_client, acme_content: Any, echo_server: Any
) -> None:
    data = form(
        echo_server.url("/anything?b=2&a=1"),
        auth_type="awsv4", auth_access_key="AKIDPAGE", auth_secret_key="page-secret-key-123",
        auth_region="eu-west-1", auth_service="execute-api", auth_session_token="",
    )  # fmt: skip
    response = send(alice_client, acme_content, data)
    html = response.content.decode()
    assert "AWS4-HMAC-SHA256 Credential=AKIDPAGE/" in html
    entry = HistoryEntry.objects.latest("id")
    assert entry.spec["auth"]["type"] == "awsv4"
    assert "page-secret-key-123" not in html


def test_editor_names_a_missing_service(alice_client, acme_content: Any, echo_server: Any) -> None:
    data = form(echo_server.url("/anything"), auth_type="awsv4", auth_access_key="AK", auth_secret_key="sk", auth_region="eu-west-1")
    html = send(alice_client, acme_content, data).content.decode()
    assert "AWS Signature v4 needs the service." in html

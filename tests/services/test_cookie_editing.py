"""Adding and editing cookies in the jar by hand (issue 19, item 8): service and API agree,
and the cookie typed in is the one sent (checked against the echo server)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from requests_app.services.cookies import cookie_list, cookie_set
from requests_app.services.errors import NotFound, ValidationFailed
from requests_app.services.execution import request_execute
from requests_app.services.history import history_exchange


def sent_cookies(alice: Any, acme: Any, url: str) -> list[list[str]]:
    entry = request_execute(user=alice, workspace=acme, spec={"method": "GET", "url": url})
    headers = json.loads(history_exchange(entry)["response"]["body_text"])["headers"]
    return [value for name, value in headers if name.lower() == "cookie"]


def test_a_cookie_added_by_hand_is_sent_and_can_be_edited(alice: Any, acme: Any, echo_server: Any) -> None:
    cookie_set(user=alice, workspace=acme, name="session", value="abc", domain="127.0.0.1", path="/")
    assert sent_cookies(alice, acme, echo_server.url("/anything")) == ["session=abc"]
    later = datetime.now(UTC) + timedelta(days=2)
    cookie_set(user=alice, workspace=acme, name="sid", value="xyz", domain="127.0.0.1", path="/anything",
               expires=later, http_only=True, replaces=("127.0.0.1", "/", "session"))
    [cookie] = cookie_list(user=alice, workspace=acme)
    assert (cookie["name"], cookie["value"], cookie["path"], cookie["http_only"]) == ("sid", "xyz", "/anything", True)
    assert cookie["expires"] == later.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert sent_cookies(alice, acme, echo_server.url("/anything/x")) == ["sid=xyz"]
    assert sent_cookies(alice, acme, echo_server.url("/headers")) == []


@pytest.mark.parametrize(("parts", "field"), [
    ({"name": "a b"}, "name"), ({"value": "a;b"}, "value"), ({"domain": "exa mple"}, "domain"),
    ({"path": "x"}, "path"), ({"expires": datetime(2000, 1, 1, tzinfo=UTC)}, "expires"),
])  # fmt: skip
def test_a_cookie_that_could_not_be_sent_is_refused_naming_the_field(alice: Any, acme: Any, parts: dict, field: str) -> None:
    with pytest.raises(ValidationFailed) as error:
        cookie_set(user=alice, workspace=acme, **{"name": "n", "value": "v", "domain": "127.0.0.1", **parts})
    assert list(error.value.fields) == [field]
    assert cookie_list(user=alice, workspace=acme) == []


def test_editing_a_cookie_that_is_gone_is_not_found(alice: Any, acme: Any) -> None:
    with pytest.raises(NotFound):
        cookie_set(user=alice, workspace=acme, name="n", value="v", domain="h", replaces=("h", "/", "gone"))


def test_the_api_adds_and_edits_cookies_in_your_own_jar(alice: Any, bob: Any, acme: Any, api_client_for: Any) -> None:
    client = api_client_for(bob)
    answer = client.post("/api/v1/cookies/set", {"workspace": acme.pk, "name": "t", "value": "1", "domain": "api.test"},
                         format="json")
    assert answer.status_code == 204, answer.content
    answer = client.post("/api/v1/cookies/set", {"workspace": acme.pk, "name": "t", "value": "2", "domain": "api.test",
                                                 "replaces": {"domain": "api.test", "path": "/", "name": "t"}}, format="json")
    assert answer.status_code == 204
    assert [(c["name"], c["value"]) for c in client.get(f"/api/v1/cookies?workspace={acme.pk}").json()["results"]] == [("t", "2")]
    assert cookie_list(user=alice, workspace=acme) == []  # bob's jar, not alice's
    bad = client.post("/api/v1/cookies/set", {"workspace": acme.pk, "name": "a b", "domain": "api.test"}, format="json")
    assert bad.status_code == 400 and "name" in json.dumps(bad.json())

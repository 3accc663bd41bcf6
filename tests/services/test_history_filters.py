"""History filters (q, method, status, host): one service for the page and the API."""

from __future__ import annotations

from typing import Any

import pytest

from requests_app.models import HistoryEntry
from requests_app.services.errors import ValidationFailed
from requests_app.services.history import STATUS_FILTER_INVALID, history_hosts, history_list


@pytest.fixture
def entries(alice: Any, acme: Any, bob: Any) -> dict[str, HistoryEntry]:
    def add(user: Any, method: str, url: str, status: int | None, error: str = "") -> HistoryEntry:
        return HistoryEntry.objects.create(workspace=acme, user=user, method=method, url=url, status=status, error_kind=error)

    return {
        "get": add(alice, "GET", "https://api.example.com/users?page=2", 200),
        "post": add(alice, "POST", "https://api.example.com:8443/orders", 201),
        "missing": add(alice, "GET", "http://other.test/users/9", 404),
        "refused": add(alice, "DELETE", "http://127.0.0.1:9/x", None, "refused"),
        "lookalike": add(alice, "GET", "https://api.example.com.evil.test/users", 500),
        "bobs": add(bob, "GET", "https://api.example.com/users", 200),
    }


def names(queryset: Any, entries: dict[str, HistoryEntry]) -> set[str]:
    ids = {e.pk for e in queryset}
    return {name for name, e in entries.items() if e.pk in ids}


@pytest.mark.parametrize(("filters", "expected"), [
    ({}, {"get", "post", "missing", "refused", "lookalike"}),
    ({"q": "users"}, {"get", "missing", "lookalike"}),
    ({"q": "delete"}, {"refused"}),
    ({"method": "get"}, {"get", "missing", "lookalike"}),
    ({"status": "2xx"}, {"get", "post"}),
    ({"status": "4xx"}, {"missing"}),
    ({"status": "error"}, {"refused"}),
    ({"status": "201"}, {"post"}),
    ({"host": "api.example.com"}, {"get", "post"}),
    ({"host": "API.EXAMPLE.COM", "method": "POST"}, {"post"}),
    ({"host": "127.0.0.1"}, {"refused"}),
    ({"host": "example.com"}, set()),
    ({"q": "", "method": "", "status": "", "host": ""}, {"get", "post", "missing", "refused", "lookalike"}),
])
def test_filters_narrow_the_callers_own_entries(alice: Any, acme: Any, entries: dict[str, HistoryEntry],
                                                filters: dict[str, str], expected: set[str]) -> None:
    assert names(history_list(user=alice, workspace=acme, filters=filters), entries) == expected


def test_a_status_that_is_not_a_class_or_code_is_a_named_error(alice: Any, acme: Any) -> None:
    with pytest.raises(ValidationFailed) as failure:
        history_list(user=alice, workspace=acme, filters={"status": "teapot"})
    assert failure.value.message == STATUS_FILTER_INVALID


def test_hosts_are_listed_once_each(entries: dict[str, HistoryEntry]) -> None:
    assert history_hosts(entries.values()) == ["127.0.0.1", "api.example.com", "api.example.com.evil.test", "other.test"]


def test_the_api_applies_the_same_filters_and_names_a_bad_one(alice: Any, acme: Any, entries: dict[str, HistoryEntry],
                                                             api_client_for: Any) -> None:
    client = api_client_for(alice)
    answer = client.get("/api/v1/history", {"workspace": acme.pk, "host": "api.example.com", "status": "2xx"})
    assert answer.status_code == 200
    rows = answer.json()["results"] if isinstance(answer.json(), dict) else answer.json()
    assert {row["id"] for row in rows} == {entries["get"].pk, entries["post"].pk}
    bad = client.get("/api/v1/history", {"status": "teapot"})
    assert bad.status_code == 400
    assert STATUS_FILTER_INVALID in bad.content.decode()

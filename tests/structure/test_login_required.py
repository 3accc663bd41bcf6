"""Signing in is the default (LoginRequiredMiddleware): only the views named here are public."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

PUBLIC = {"home", "login", "logout", "signup", "invitation_accept", "playground", "mock_root", "mock_call"}


def page_views(patterns: list[Any] | None = None, prefix: str = "") -> Iterator[tuple[str, str | None, Any]]:
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from page_views(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern) and not prefix.startswith("api/"):  # DRF authenticates in its views
            yield prefix + str(pattern.pattern), pattern.name, pattern.callback


def test_exactly_the_public_pages_skip_the_sign_in():
    public = {name for _route, name, view in page_views() if not getattr(view, "login_required", True)}
    assert public == PUBLIC


@pytest.mark.django_db
def test_an_anonymous_visit_to_a_page_is_sent_to_sign_in_and_a_public_one_is_not(client, alice):
    runs = reverse("runner", args=[1])
    assert client.get(runs).headers["Location"] == f"{reverse('login')}?next={runs}"
    assert client.get(reverse("login")).status_code == 200
    assert client.get("/echo/get").status_code == 200
    assert client.get("/api/v1/workspaces/").status_code in (401, 403)  # the API answers, never redirects

"""Issue 13 item 9: a strict Content-Security-Policy on every page, and nothing in our pages that it would block."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
# Script elements that run: without src, and not a data block (json_script's type="application/json").
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\b(?:src=|type=\"application/json\"))[^>]*>", re.IGNORECASE)
HANDLER_ATTRIBUTE = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
EVALUATED_BY_HTMX = re.compile(r"""hx-vals=['"]js:|hx-trigger="[^"]*\[|hx-on""")


def directives(response):
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.parametrize("path", ["/login/", "/signup/", "/api/docs/", "/api/v1/workspaces"])
def test_every_page_gets_a_strict_policy(client, db, path):
    policy = directives(client.get(path))
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]


@pytest.mark.parametrize("path", ["/echo/html", "/echo/anything"])
def test_the_playground_keeps_its_stricter_policy(client, db, path):
    assert directives(client.get(path))["default-src"] == ["'none'"]


def test_signed_in_pages_too(client, alice, acme):
    client.force_login(alice)
    response = client.get(f"/w/{acme.pk}/")
    assert response.status_code == 200
    assert directives(response)["script-src"] == ["'self'"]
    assert not INLINE_SCRIPT.search(response.content.decode())


def test_api_docs_have_no_inline_script(client, db):
    assert not INLINE_SCRIPT.search(client.get("/api/docs/").content.decode())


@pytest.mark.parametrize("template", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_templates_hold_no_inline_script_handlers_or_eval(template):
    text = template.read_text()
    assert not INLINE_SCRIPT.search(text)
    assert not HANDLER_ATTRIBUTE.search(re.sub(r"\{%.*?%\}|\{\{.*?\}\}", "", text))
    assert not EVALUATED_BY_HTMX.search(text)

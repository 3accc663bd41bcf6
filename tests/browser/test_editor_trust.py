"""Issue 19, "defects that break trust" and "also wrong today": what the editor shows is what is
sent, nothing typed is lost. Each test failed before its fix.

Screenshots (git-ignored) land in screenshots/ at 1400 px and 390 px, light and dark.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client
from playwright.sync_api import expect

from requests_app.models import HistoryEntry
from requests_app.services.collections import collection_create
from requests_app.services.history import history_exchange
from requests_app.services.saved_requests import request_create
from tests.browser.test_request_builder import open_request, send
from tests.browser.tree_rows import tree_menu, tree_node
from tests.fixtures.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WIDE = {"width": 1400, "height": 900}
PHONE = {"width": 390, "height": 844}


def sign_in(page: Any, live_server: Any, user: Any) -> None:
    """A session for `user` without the sign-in form (the form has its own tests)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])


def last_received(user: Any) -> dict[str, Any]:
    """What the echo server said it received for the user's last send."""
    entry = HistoryEntry.objects.filter(user=user).order_by("-pk").first()
    assert entry is not None
    return json.loads(history_exchange(entry)["response"]["body_text"])  # type: ignore[no-any-return]


def shots(page: Any, name: str) -> None:
    """The page as it is, at 1400 px and 390 px, light and dark."""
    for scheme in ("light", "dark"):
        page.evaluate("scheme => document.documentElement.dataset.theme = scheme", scheme)
        for label, size in (("wide", WIDE), ("phone", PHONE)):
            page.set_viewport_size(size)
            screenshot(page, f"19-{name}-{label}-{scheme}")
    page.evaluate("() => delete document.documentElement.dataset.theme")
    page.set_viewport_size(WIDE)


@pytest.fixture
def acme_api(alice: Any, acme: Any, echo_server: Any) -> Any:
    """A collection with a Bearer token at collection level and one request that inherits it."""
    collection = collection_create(
        user=alice, workspace=acme, name="Acme API",
        variables=[{"key": "base", "value": echo_server.url(), "enabled": True}],
        auth={"type": "bearer", "token": "s3cret-collection-token"},
    )  # fmt: skip
    request_create(user=alice, collection=collection, name="Who am I", url="{{base}}/anything/me",
                   auth={"type": "inherit"})
    request_create(user=alice, collection=collection, name="Orders", url="{{base}}/anything/orders")
    return collection


@pytest.fixture
def on_acme(page: Any, live_server: Any, alice: Any, acme: Any, acme_api: Any) -> None:
    """Alice signed in, on the workspace page of Acme (the Acme API collection in its tree)."""
    sign_in(page, live_server, alice)
    page.goto(f"/w/{acme.pk}/")


VALUES = ["rock&roll", "#1", "a=b", "1+1", "100%", "hello world", "why?", "a/b", "é", "😀", "%41"]


def test_params_table_round_trips_any_value_and_the_server_receives_it(
    page: Any, live_server: Any, alice: Any, acme: Any, acme_api: Any
) -> None:
    sign_in(page, live_server, alice)
    page.set_viewport_size(WIDE)
    page.goto(f"/w/{acme.pk}/")
    open_request(page, "Orders")
    table = page.locator('[data-kv-table="params"]')
    for index, value in enumerate(VALUES):
        table.locator('input[name$="-key"]').last.fill(f"k{index}")
        table.locator('input[name$="-value"]').nth(-2).fill(value)
    url = page.get_by_label("URL", exact=True)
    expect(url).to_have_value(re.compile(r"k0=rock%26roll&k1=%231&k2=a=b&k3=1%2B1&k4=100%25&k5=hello%20world"))
    send(page)
    assert last_received(alice)["query"] == [[f"k{i}", v] for i, v in enumerate(VALUES)]
    shots(page, "params-encoded")

    # the way out: a pair typed into the URL shows decoded in the table and stays as typed
    url.fill("{{base}}/anything/orders?q=rock%26roll&tag=%231&s=a+b&t={{base}}")
    values = table.locator('input[name$="-value"]')
    expect(values.nth(0)).to_have_value("rock&roll")
    expect(values.nth(1)).to_have_value("#1")
    expect(values.nth(2)).to_have_value("a+b")
    expect(values.nth(3)).to_have_value("{{base}}")
    values.nth(1).fill("#2 é")
    expect(url).to_have_value("{{base}}/anything/orders?q=rock%26roll&tag=%232%20%C3%A9&s=a+b&t={{base}}")
    send(page)
    assert last_received(alice)["query"][:3] == [["q", "rock&roll"], ["tag", "#2 é"], ["s", "a b"]]
    assert page.errors == []


def test_inherited_auth_is_shown_sent_and_saved_unchanged(page: Any, alice: Any, acme_api: Any, on_acme: None) -> None:
    open_request(page, "Who am I")
    page.locator("#editor").get_by_role("tab", name=re.compile("^Auth")).click()
    expect(page.get_by_label("Auth type")).to_have_value("inherit")
    expect(page.locator("#inherited-auth")).to_have_text(
        "Inherit from collection “Acme API” (Bearer s3cr…): sends Authorization: Bearer …")
    shots(page, "auth-inherited")
    send(page)
    headers = {name.lower(): value for name, value in last_received(alice)["headers"]}
    assert headers["authorization"] == "Bearer s3cret-collection-token"

    page.get_by_label("URL", exact=True).fill("{{base}}/anything/me?v=2")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".editor-head .notice")).to_have_text("Saved.")
    saved = acme_api.requests.get(name="Who am I")
    assert saved.url == "{{base}}/anything/me?v=2"
    assert saved.auth == {"type": "inherit"}
    assert page.errors == []


def test_unsaved_edits_are_kept_in_their_tab_and_closing_the_browser_tab_warns(page: Any, alice: Any, acme_api: Any, on_acme: None) -> None:
    open_request(page, "Orders")
    url = page.get_by_label("URL", exact=True)
    url.fill("{{base}}/anything/orders?edited=1")
    questions: list[str] = []
    page.on("dialog", lambda dialog: (questions.append(dialog.type), dialog.dismiss()))
    open_request(page, "Who am I")  # request tabs: another tab, nothing asked, nothing lost
    page.get_by_role("link", name="New", exact=True).click()
    expect(page.locator("#request-name")).to_have_text("Untitled request")
    page.locator("#request-tabs [role=tab]", has_text="Orders").click()
    expect(page.locator("#request-name")).to_have_text("Orders")
    expect(url).to_have_value("{{base}}/anything/orders?edited=1")
    assert questions == []

    # closing the browser tab warns
    page.close(run_before_unload=True)
    page.wait_for_timeout(300)
    assert questions == ["beforeunload"]


def test_save_as_keeps_the_response_just_received(page: Any, alice: Any, acme_api: Any, on_acme: None) -> None:
    open_request(page, "Orders")
    page.get_by_label("URL", exact=True).fill("{{base}}/anything/orders?copy=1")
    send(page)
    expect(page.locator("#body-pretty")).to_contain_text("copy=1")
    page.get_by_role("button", name="Save as…").click()
    dialog = page.locator("dialog")
    dialog.get_by_label("Name").fill("Orders copy")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#request-name")).to_have_text("Orders copy")
    expect(page.locator("#body-pretty")).to_contain_text("copy=1")
    expect(page.locator(".status-line")).to_have_text("HTTP/1.1 200 OK")
    expect(page.locator(".editor-head .dirty-mark")).to_be_hidden()
    shots(page, "save-as-kept-response")
    assert page.errors == []


def test_runner_defaults_to_the_active_environment_and_undefined_variables_are_named(
    page: Any, live_server: Any, alice: Any, acme: Any, echo_server: Any, settings: Any
) -> None:
    from requests_app.services.environments import environment_create

    settings.CELERY_BROKER_URL = ""
    collection = collection_create(user=alice, workspace=acme, name="Env API")
    request_create(user=alice, collection=collection, name="Needs base", url="{{base}}/anything/env",
                   assertions=[{"type": "status", "op": "equals", "expected": 200}])
    local = environment_create(user=alice, workspace=acme, name="Local",
                               variables=[{"key": "base", "value": echo_server.url(), "enabled": True}])
    sign_in(page, live_server, alice)
    page.goto(f"/w/{acme.pk}/")
    open_request(page, "Needs base")
    send(page)
    expect(page.locator(".exchange-error .error-message")).to_have_text(re.compile(r"^\{\{base\}\} is not defined"))

    page.get_by_label("Environment", exact=True).select_option(label="Local")
    env_api = tree_node(page, "Env API")
    tree_menu(page, "Env API").click()
    env_api.get_by_role("link", name="Run", exact=True).first.click()
    expect(page.get_by_label("Environment", exact=True)).to_have_value(str(local.pk))
    shots(page, "runner-active-environment")
    page.get_by_role("button", name="Start run").click()
    expect(page.locator("#run-state")).to_have_text("Passed")

    # without an environment the runner names the variable too
    page.goto(f"/w/{acme.pk}/runs/?collection={collection.pk}")
    page.get_by_label("Environment", exact=True).select_option(label="No environment")
    page.get_by_role("button", name="Start run").click()
    expect(page.locator("#run-state")).to_have_text("Failed")
    expect(page.locator("#run-results")).to_contain_text("{{base}} is not defined")
    assert page.errors == []


def test_the_bad_part_of_a_refused_url_is_marked_and_focused_and_a_missing_scheme_means_http(page: Any, alice: Any, acme_api: Any, echo_server: Any, on_acme: None) -> None:
    url = page.get_by_label("URL", exact=True)
    url.fill("http://127.0.0.1:9/a b")
    send(page)
    expect(page.locator(".exchange-error")).to_contain_text("a space at position 21")
    expect(url).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".url-field mark.bad-part")).to_have_text(" ")
    expect(url).to_be_focused()
    assert page.evaluate("[document.activeElement.selectionStart, document.activeElement.selectionEnd]") == [20, 21]
    shots(page, "url-bad-part")
    url.press("End")
    url.type("c")
    expect(url).not_to_have_attribute("aria-invalid", "true")
    expect(page.locator(".url-field mark.bad-part")).to_have_count(0)

    url.fill("{{nowhere}}/x")
    send(page)
    expect(page.locator(".url-field mark.bad-part")).to_have_text("{{nowhere}}")

    url.fill(f"127.0.0.1:{echo_server.port}/anything/no-scheme")
    send(page)
    expect(page.locator(".status-line")).to_have_text("HTTP/1.1 200 OK")
    assert last_received(alice)["path"] == "/anything/no-scheme"
    assert page.errors == []


def test_cookies_set_on_a_redirect_hop_are_shown_and_the_jar_can_be_added_to_and_edited(page: Any, alice: Any, acme_api: Any, on_acme: None) -> None:
    open_request(page, "Orders")
    page.get_by_label("URL", exact=True).fill("{{base}}/cookies/set?flavour=choc")
    send(page)
    expect(page.locator(".status-line")).to_have_text("HTTP/1.1 200 OK")
    page.locator("#response-tabs").get_by_role("tab", name=re.compile("^Cookies")).click()
    row = page.locator(".cookies-table tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("flavour")
    expect(row.locator(".set-by")).to_have_text(re.compile(r"^302 http://127\.0\.0\.1:\d+/cookies/set\?flavour=choc$"))
    shots(page, "cookies-redirect-hop")

    page.get_by_role("button", name="Cookies", exact=True).click()
    jar = page.locator("#cookie-jar")
    jar.get_by_role("button", name="Edit cookie flavour of 127.0.0.1").click()
    expect(jar.get_by_role("heading", name="Edit cookie flavour")).to_be_visible()
    jar.get_by_label("Value").fill("vanilla")
    jar.get_by_role("button", name="Save cookie").click()
    expect(jar.locator("table")).to_contain_text("vanilla")
    jar.get_by_label("Name").fill("bad name")
    jar.get_by_label("Domain").fill("127.0.0.1")
    jar.get_by_role("button", name="Add cookie").click()
    expect(jar.get_by_role("alert")).to_contain_text("A cookie name is one word")
    expect(jar.get_by_label("Name")).to_have_attribute("aria-invalid", "true")
    jar.get_by_label("Name").fill("lang")
    jar.get_by_label("Value").fill("fr")
    jar.get_by_role("button", name="Add cookie").click()
    expect(jar.locator("table")).to_contain_text("lang")
    shots(page, "cookie-jar-editor")
    jar.get_by_role("button", name="Close").click()

    page.get_by_label("URL", exact=True).fill("{{base}}/cookies")
    send(page)
    assert last_received(alice)["cookies"] == {"flavour": "vanilla", "lang": "fr"}
    assert page.errors == []


def test_raw_as_sent_says_which_values_are_masked(
    page: Any, live_server: Any, alice: Any, acme: Any, acme_api: Any
) -> None:
    from requests_app.services.environments import environment_create

    environment_create(user=alice, workspace=acme, name="Secrets",
                       variables=[{"key": "token", "value": "hunter2-secret", "enabled": True, "secret": True}])
    sign_in(page, live_server, alice)
    page.goto(f"/w/{acme.pk}/")
    page.get_by_label("Environment", exact=True).select_option(label="Secrets")
    open_request(page, "Orders")
    page.locator("#editor").get_by_role("tab", name=re.compile("^Auth")).click()
    page.get_by_label("Auth type").select_option("basic")
    page.locator("input[name=auth_username]").fill("u")
    page.locator("input[name=auth_password]").fill("{{token}}")
    page.get_by_label("URL", exact=True).fill("{{base}}/anything?unset={{nobody}}")
    send(page)
    page.locator("#response-tabs").get_by_role("tab", name="Raw").click()
    notes = page.locator(".masked-notes")
    expect(notes).to_contain_text("Authorization: the Basic credentials shown are base64 of “u:{{token}}”: {{token}} masked")
    expect(notes).not_to_contain_text("nobody")  # undefined, really sent as written: not called masked
    expect(page.locator("#panel-res-raw .wire").first).to_contain_text("Basic dTp7e3Rva2VufX0=")
    shots(page, "raw-masked-note")
    assert page.errors == []


def test_a_large_json_response_keeps_pretty_folded_and_loads_parts_as_they_open(
    page: Any, live_server: Any, alice: Any, acme: Any, acme_api: Any
) -> None:
    # over the 20,000 values a page renders at once (pretty.PRETTY_LIMIT_NODES), not over 1 MB:
    # a lighter page for the test, the same folded view as a 2.8 MB body gets
    items = [{"id": i, "name": f"item {i}", "tags": ["a", "b"], "price": {"amount": i, "currency": "EUR"}}
             for i in range(5_000)]
    body = json.dumps({"items": items}, separators=(",", ":"))
    request_create(user=alice, collection=acme_api, name="Big", method="POST", url="{{base}}/anything",
                   body={"mode": "raw", "text": body, "content_type": "application/json"})
    sign_in(page, live_server, alice)
    page.goto(f"/w/{acme.pk}/")
    open_request(page, "Big")
    send(page)
    pretty = page.locator("#body-pretty")
    expect(page.locator("#tab-body-pretty")).to_have_attribute("aria-selected", "true")
    expect(pretty).to_contain_text("A large body: parts load as you open them")
    expect(pretty.locator(".j-cut")).to_have_text(re.compile(r"^ \([\d,]+ more characters: see Raw\)$"))  # "data"
    parsed = pretty.locator('details[data-pointer="/json"]')
    parsed.locator(":scope > summary").click()
    listing = pretty.locator('details[data-pointer="/json/items"]')
    expect(listing.locator(":scope > summary")).to_contain_text("5,000 items")
    listing.locator(":scope > summary").click()
    more = pretty.locator("button.j-more")
    expect(more).to_have_text("Show the next 500 of 4,500 more")
    first = pretty.locator('details[data-pointer="/json/items/0"]')
    first.locator(":scope > summary").click()
    expect(first.locator(".j-body")).to_contain_text('"name": "item 0"')
    more.click()
    expect(pretty.locator("button.j-more")).to_have_text("Show the next 500 of 4,000 more")
    expect(pretty.locator('details[data-pointer="/json/items/999"]')).to_have_count(1)
    shots(page, "large-json-pretty")
    assert page.errors == []


def test_the_new_request_dialog_shows_no_error_before_anyone_typed(page: Any, alice: Any, acme_api: Any, on_acme: None) -> None:
    api = tree_node(page, "Acme API")
    tree_menu(page, "Acme API").click()
    api.get_by_role("button", name="New request").first.click()
    dialog = page.locator("dialog")
    expect(dialog.get_by_label("Name")).to_be_visible()
    expect(dialog.locator(".error")).to_have_count(0)
    expect(dialog).not_to_contain_text("This field is required.")
    shots(page, "new-request-dialog")
    assert page.errors == []


def test_tests_tab_greys_out_meaningless_fields_keeps_what_was_typed_and_the_operator(page: Any, alice: Any, acme_api: Any, on_acme: None) -> None:
    open_request(page, "Orders")
    page.locator("#editor").get_by_role("tab", name=re.compile("^Tests")).click()
    page.get_by_role("button", name="+ Assertion").click()
    row = page.locator("#assertions-table tbody tr").last
    target, expected = row.get_by_label("Target (header name or JSON path)"), row.get_by_label("Expected")
    op = row.get_by_label("Operator")
    expect(target).to_have_attribute("aria-disabled", "true")  # status: no target
    row.get_by_label("Assertion type").select_option("header")
    expect(target).not_to_have_attribute("aria-disabled", "true")
    target.fill("Content-Type")
    op.select_option("contains")
    expected.fill("json")
    row.get_by_label("Assertion type").select_option("jsonpath")
    expect(op).to_have_value("contains")  # jsonpath has "contains" too: kept
    row.get_by_label("Assertion type").select_option("status")
    expect(target).to_have_value("Content-Type")  # greyed out, not cleared
    expect(target).to_have_attribute("aria-disabled", "true")
    row.get_by_label("Assertion type").select_option("header")
    op.select_option("exists")
    expect(expected).to_have_attribute("aria-disabled", "true")
    expect(expected).to_have_value("json")
    shots(page, "tests-tab-unused-fields")
    page.get_by_role("button", name="Save tests").click()
    expect(page.locator("#tests-panel .notice")).to_be_visible()
    saved = acme_api.requests.get(name="Orders")
    assert saved.assertions[-1]["type"] == "header" and saved.assertions[-1]["op"] == "exists"
    assert saved.assertions[-1]["target"] == "Content-Type"
    assert page.errors == []

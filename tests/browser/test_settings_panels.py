"""Collection and folder settings, reachable from the tree's menus: description, default auth,
variables (used by the collection's requests), the folder showing what it inherits."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from requests_app.models import Collection, Folder
from tests.browser.test_accessibility import serious_violations
from tests.browser.test_examples_mock_oauth import send_and_expect_the_token_accepted
from tests.browser.test_request_builder import open_tour_request, send, sign_up
from tests.browser.tree_rows import tree_node, tree_row
from tests.fixtures.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def open_menu_item(page: Any, row: Any, item: str) -> None:
    row.hover()
    row.locator("details.item-menu > summary").first.click()
    row.locator(".menu-items").first.get_by_role("button", name=item).click()


def test_collection_settings_save_description_auth_and_variables_the_folder_shows_them(page: Any, live_server: Any) -> None:
    sign_up(page, "setty")
    collection_row = tree_row(page, "HTTP tour")
    open_menu_item(page, collection_row, "Settings…")
    dialog = page.locator("dialog#dialog")
    expect(dialog.get_by_role("heading", name="Collection settings")).to_be_visible()
    dialog.get_by_label("Description").fill("Everything the tour shows.")
    dialog.get_by_label("Type", exact=True).select_option("bearer")
    dialog.get_by_label("Token", exact=True).fill("{{greeting}}-token")
    keys = dialog.locator('[data-kv-table="vars"] input[name$="-key"]')
    keys.last.fill("greeting")
    dialog.locator('[data-kv-table="vars"] input[name$="-value"]').nth(keys.count() - 2).fill("hello")
    screenshot(page, "comforts-collection-settings")
    page.locator("#tree").evaluate("(tree) => tree.dataset.before = 'save'")
    dialog.get_by_role("button", name="Save settings").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#tree[data-before]")).to_have_count(0)  # the tree was reloaded

    collection = Collection.objects.get(name="HTTP tour")
    assert collection.description == "Everything the tour shows."
    assert collection.auth["type"] == "bearer" and collection.auth["token"] == "{{greeting}}-token"
    assert {"key": "greeting", "value": "hello", "enabled": True} in collection.variables
    assert any(v["key"] == "baseUrl" for v in collection.variables)  # the tour's own variable kept

    # the collection's variables reach its requests
    open_tour_request(page, "1 · Methods and query", "GET with query params")
    page.get_by_label("URL", exact=True).fill("{{baseUrl}}/anything?g={{greeting}}")
    expect(page.locator(".url-field .var-known")).to_have_count(2)
    send(page)
    expect(page.locator("#body-pretty")).to_contain_text("g=hello")

    # the folder's settings: its own description, and what it inherits
    folder_row = tree_row(page, "1 · Methods and query", "folder")
    open_menu_item(page, folder_row, "Settings…")
    expect(dialog.get_by_role("heading", name="Folder settings")).to_be_visible()
    expect(dialog.get_by_label("Type", exact=True)).to_have_value("inherit")
    expect(dialog.locator("#folder-auth-parent")).to_contain_text(
        "Inherit from parent: the collection “HTTP tour” sends a bearer token in the Authorization header.")
    dialog.get_by_label("Description").fill("Methods first.")
    page.locator("#tree").evaluate("(tree) => tree.dataset.before = 'save'")
    dialog.get_by_role("button", name="Save settings").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#tree[data-before]")).to_have_count(0)  # the save reloads the tree: a menu opened before closes
    assert collection.folders.get(name="1 · Methods and query").description == "Methods first."

    # reopened, the collection dialog shows what was saved
    open_menu_item(page, collection_row, "Settings…")
    expect(dialog.get_by_label("Token", exact=True)).to_have_value("{{greeting}}-token")
    expect(dialog.get_by_label("Description")).to_have_value("Everything the tour shows.")
    assert page.errors == []


def test_a_folder_bearer_token_set_in_its_dialog_reaches_the_echo_from_a_request_inside(
    page: Any, live_server: Any
) -> None:
    sign_up(page, "folda")
    folder_row = tree_row(page, "1 · Methods and query", "folder")
    open_menu_item(page, folder_row, "Settings…")
    dialog = page.locator("dialog#dialog")
    expect(dialog.get_by_role("heading", name="Folder settings")).to_be_visible()
    expect(dialog.locator("#folder-auth-now")).to_have_text(
        "As saved, requests in this folder that inherit send no credentials.")
    dialog.get_by_label("Type", exact=True).select_option("bearer")
    expect(dialog.locator("#folder-auth-now")).to_be_hidden()  # Bearer is chosen, not saved: no stale "as saved"
    dialog.get_by_label("Token", exact=True).fill("folder-{{flavour}}-token")
    keys = dialog.locator('[data-kv-table="vars"] input[name$="-key"]')
    keys.last.fill("flavour")
    dialog.locator('[data-kv-table="vars"] input[name$="-value"]').nth(keys.count() - 2).fill("mint")
    screenshot(page, "comforts-folder-settings")
    assert serious_violations(page) == []
    page.locator("#tree").evaluate("(tree) => tree.dataset.before = 'save'")
    dialog.get_by_role("button", name="Save settings").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#tree[data-before]")).to_have_count(0)  # the tree was reloaded: click the new one
    folder = Folder.objects.get(name="1 · Methods and query")
    assert folder.auth == {"type": "bearer", "token": "folder-{{flavour}}-token"}
    assert {"key": "flavour", "value": "mint", "enabled": True} in folder.variables

    # a request inside, its Auth set to inherit, names the folder and sends the folder's token
    open_request_in(page, "1 · Methods and query", "GET with query params")
    page.locator("#editor").get_by_role("tab", name=re.compile("^Auth")).click()
    page.get_by_label("Auth type").select_option("inherit")
    expect(page.locator("#inherited-auth")).to_contain_text(
        "Inherit from folder “1 · Methods and query” (Bearer folder-{{flavour}}-token)")
    send(page)
    expect(page.locator("#body-pretty")).to_contain_text("Bearer folder-mint-token")
    assert page.errors == []


def test_oauth2_set_on_a_folder_gives_the_requests_inside_a_token_box(page: Any, live_server: Any, oauth_provider: Any) -> None:
    sign_up(page, "oauthy")
    open_menu_item(page, tree_row(page, "1 · Methods and query", "folder"), "Settings…")
    dialog = page.locator("dialog#dialog")
    expect(dialog.get_by_role("heading", name="Folder settings")).to_be_visible()
    dialog.get_by_label("Type", exact=True).select_option("oauth2")
    dialog.get_by_label("Grant type").select_option("client_credentials")
    expect(dialog.get_by_label("Authorization URL")).to_be_hidden()  # authorization code only
    dialog.get_by_label("Token URL").fill(oauth_provider.url("/o/token/"))
    dialog.get_by_label("Client id", exact=True).fill("wc-cc")
    dialog.get_by_label("Client secret", exact=True).fill("cc-secret")
    dialog.get_by_label("Scope").fill("read")
    screenshot(page, "comforts-folder-settings-oauth2")
    assert serious_violations(page) == []
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "comforts-folder-settings-oauth2-narrow")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.locator("#tree").evaluate("(tree) => tree.dataset.before = 'save'")
    dialog.get_by_role("button", name="Save settings").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#tree[data-before]")).to_have_count(0)
    folder = Folder.objects.get(name="1 · Methods and query")
    assert folder.auth["type"] == "oauth2" and folder.auth["client_id"] == "wc-cc"

    # a request inside that inherits gets its token from its own Auth tab, and sends it
    open_request_in(page, "1 · Methods and query", "GET with query params")
    page.get_by_label("URL", exact=True).fill(f"{live_server.url}/echo/bearer")
    page.locator("#editor").get_by_role("tab", name=re.compile("^Auth")).click()
    page.get_by_label("Auth type").select_option("inherit")
    expect(page.locator("#inherited-auth")).to_contain_text("Inherit from folder “1 · Methods and query” (OAuth 2.0)")
    page.get_by_role("button", name="Get new token").click()
    expect(page.locator("#oauth-token")).to_contain_text("expires in")
    screenshot(page, "comforts-inherited-oauth2-token")
    send_and_expect_the_token_accepted(page)
    assert page.errors == []


def open_request_in(page: Any, folder: str, name: str) -> None:
    """The folder may be open already (the dialog's save reloads the tree as it was)."""
    if tree_node(page, folder, "folder").get_attribute("aria-expanded") != "true":
        tree_row(page, folder, "folder").click()
    page.locator(".item.request", has_text=name).get_by_role("link").click()
    expect(page.locator("#request-name")).to_have_text(name)


def test_a_mistake_in_the_dialog_is_shown_in_view_and_keeps_what_was_typed(page: Any, live_server: Any) -> None:
    sign_up(page, "typo")
    open_menu_item(page, tree_row(page, "HTTP tour"), "Settings…")
    dialog = page.locator("dialog#dialog")
    dialog.get_by_label("Description").fill("Typed description")
    dialog.get_by_label("Type", exact=True).select_option("oauth2")
    dialog.get_by_label("Token URL").fill("https://id.example.com/token")
    dialog.locator('textarea[name="auth_extra_params"]').fill("# debug=1\nno equals here")
    dialog.get_by_role("button", name="Save settings").click()  # at the bottom of a long dialog
    error = dialog.locator(".alert-error")
    expect(error).to_have_text("Line 2 of the extra parameters has no '=': write one name=value per line.")
    # the answer comes back scrolled where the button was: the error is brought into view
    assert error.evaluate("(el) => { const r = el.getBoundingClientRect(), d = el.closest('dialog').getBoundingClientRect();"
                          " return r.top >= d.top && r.bottom <= d.bottom; }")
    expect(dialog.get_by_label("Description")).to_have_value("Typed description")
    expect(dialog.locator('textarea[name="auth_extra_params"]')).to_have_value("# debug=1\nno equals here")
    screenshot(page, "comforts-collection-settings-mistake")
    assert Collection.objects.get(name="HTTP tour").description != "Typed description"

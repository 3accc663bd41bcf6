"""Teams in Debian's chromium: people in separate browser contexts share one workspace.

The viewer sees no edit controls; an editor whose save comes after someone else's gets the
conflict view, overwrites knowingly, and finds both saves in History. Screenshots of the
members page and the conflict view land in screenshots/ (git-ignored) to be looked at.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from requests_app.models import Membership
from requests_app.services.invitations import invitation_create
from tests.fixtures.accounts import PASSWORD
from tests.fixtures.browser import WIDE, check_csp_violations, screenshot, watched_tab
from tests.teams.conftest import REQUEST_PASSWORD, Team, team  # noqa: F401 - the shared Acme fixture

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def sign_in(browser: Any, live_server: Any, transactional_db: None) -> Iterator[Any]:
    """sign_in(user) -> a page in a fresh browser context, signed in as `user`."""
    contexts, tabs = [], []

    def open_as(user: Any) -> Any:
        context = browser.new_context(viewport=WIDE, color_scheme="light", base_url=live_server.url)
        context.set_default_timeout(15_000)
        contexts.append(context)
        tab = watched_tab(context)
        tabs.append(tab)
        tab.goto("/login/")
        tab.get_by_label("Username").fill(user.username)
        tab.get_by_label("Password").fill(PASSWORD)
        tab.get_by_role("button", name="Sign in").click()
        expect(tab.locator("#tree")).to_be_visible()
        tab.wait_for_load_state("load")  # the deferred scripts have run: clicks do something
        return tab

    yield open_as
    for tab in tabs:
        check_csp_violations(tab)
    for context in contexts:
        context.close()


def test_viewer_sees_no_edit_controls_and_an_editors_late_save_shows_the_conflict_view(
    sign_in: Any, team: Team
) -> None:
    viewer = sign_in(team.users["viewer"])
    editor = sign_in(team.users["editor"])
    share = f"/r/{team.request.pk}/"

    # the viewer opens the shared link: everything readable, nothing to change with
    viewer.goto(share)
    expect(viewer.locator("#request-name")).to_have_text("List users")
    expect(viewer.locator("#view-only")).to_be_visible()
    for control in ("#save-button", "#save-as-button"):
        expect(viewer.locator(control)).to_have_count(0)
    expect(viewer.get_by_role("button", name="+ Collection")).to_have_count(0)
    expect(viewer.locator(".item.request .item-menu")).to_have_count(0)
    viewer.locator("#editor").get_by_role("tab", name="History").click()
    expect(viewer.locator("#versions-panel [data-version]")).to_have_count(1)
    expect(viewer.locator("#versions-panel .restore-btn")).to_have_count(0)
    screenshot(viewer, "teams-00-viewer")
    viewer.goto(f"/w/{team.workspace.pk}/members/")
    expect(viewer.locator(".members-table")).to_contain_text("alice")
    expect(viewer.locator('input[name="who"]')).to_have_count(0)
    expect(viewer.locator(".members-table select")).to_have_count(0)

    # the editor opens version 1 and starts editing
    editor.goto(share)
    expect(editor.locator("#save-button")).to_be_visible()
    editor.get_by_label("URL", exact=True).fill("http://127.0.0.1:9/users?mine=bob")

    # meanwhile alice saves her change from her own browser
    owner = sign_in(team.users["owner"])
    owner.goto(share)
    owner.get_by_label("URL", exact=True).fill("http://127.0.0.1:9/users?mine=alice")
    owner.locator("#save-button").click()
    expect(owner.locator("#editor-head .notice")).to_have_text("Saved.")

    # bob's save comes second: the conflict view, nothing overwritten
    editor.locator("#save-button").click()
    conflict = editor.locator("#conflict")
    expect(conflict).to_contain_text("Changed by alice just now.")
    url_row = conflict.locator('tr[data-field="url"]')
    expect(url_row.locator(".diff-old")).to_have_text("http://127.0.0.1:9/users?mine=alice")
    expect(url_row.locator(".diff-new")).to_have_text("http://127.0.0.1:9/users?mine=bob")
    expect(editor.get_by_label("URL", exact=True)).to_have_value("http://127.0.0.1:9/users?mine=bob")
    expect(conflict).not_to_contain_text(REQUEST_PASSWORD)
    conflict.scroll_into_view_if_needed()
    screenshot(editor, "teams-02-conflict")

    # overwrite knowingly: bob's version is saved, alice's stays in History
    editor.locator("#conflict-overwrite").click()
    expect(editor.locator("#editor-head .notice")).to_contain_text("Saved over their version")
    expect(editor.locator("#conflict")).to_have_count(0)
    editor.locator("#editor").get_by_role("tab", name="History").click()
    versions = editor.locator("#versions-panel [data-version]")
    expect(versions).to_have_count(3)
    expect(versions.nth(1)).to_contain_text("alice")
    expect(versions.nth(1).locator('tr[data-field="url"]')).to_contain_text("mine=alice")
    screenshot(editor, "teams-03-history")

    # restore alice's version: a new version, and the editor shows it
    editor.once("dialog", lambda dialog: dialog.accept())
    versions.nth(1).locator(".restore-btn").click()
    expect(editor.get_by_label("URL", exact=True)).to_have_value("http://127.0.0.1:9/users?mine=alice")
    for tab in (viewer, editor, owner):
        assert tab.errors == []


def test_owner_manages_members_and_invitation_links_on_the_members_page(sign_in: Any, team: Team) -> None:
    invitation_create(user=team.users["owner"], workspace=team.workspace, role="viewer", email="old@example.com")
    owner = sign_in(team.users["owner"])
    owner.get_by_label("Workspace", exact=True).select_option(label="Acme")
    expect(owner).to_have_url(re.compile(rf"/w/{team.workspace.pk}/$"))
    owner.locator(".workspace-menu summary").click()
    owner.get_by_role("link", name="Members").click()
    expect(owner.get_by_role("heading", name="Members")).to_be_visible()
    owner.get_by_label("Username or e-mail of an existing account").fill("carol@example.com")
    owner.get_by_role("region", name="Add a member").get_by_label("Role").select_option("viewer")
    owner.get_by_role("button", name="Add").click()
    expect(owner.locator("#members-panel .alert-ok")).to_have_text("carol is now a member (viewer).")
    owner.get_by_label("Role of carol").select_option("editor")
    expect(owner.locator("#members-panel .alert-ok")).to_have_text("carol is now editor.")
    owner.get_by_label("For (e-mail, optional)").fill("dora@example.com")
    owner.get_by_role("button", name="Create link").click()
    expect(owner.locator("#new-link")).to_contain_text("/invite/")
    screenshot(owner, "teams-01-members", full_page=True)
    link = owner.locator("#new-link").inner_text()

    # the link, opened in a fresh browser, creates dora's account and joins her to Acme
    stranger = owner.context.browser.new_context(viewport=WIDE, base_url=owner.url)
    try:
        tab = stranger.new_page()
        tab.goto(link)
        expect(tab.get_by_role("heading", name="Join “Acme”")).to_be_visible()
        tab.get_by_label("Username").fill("dora")
        tab.get_by_label("Password", exact=True).fill(PASSWORD)
        tab.get_by_label("Password (again)").fill(PASSWORD)
        tab.get_by_role("button", name="Create account and join").click()
        expect(tab.locator("#workspace-switch")).to_contain_text("Acme")
        tab.goto(link)
        expect(tab.get_by_role("heading", name="This link can't be used")).to_be_visible()
        expect(tab.locator(".alert-error")).to_contain_text("already been used")
    finally:
        stranger.close()
    owner.reload()
    expect(owner.get_by_label("Role of dora")).to_have_value("editor")
    assert owner.errors == []


def test_a_role_change_queued_right_behind_a_swap_reaches_the_swapped_in_form(sign_in: Any, team: Team) -> None:
    """Input that lands just after a swap (queued on a busy page, or sent by a test the moment
    the new content shows) must find the new form wired up by htmx, not wait for a settle timer."""
    owner = sign_in(team.users["owner"])
    owner.goto(f"/w/{team.workspace.pk}/members/")
    victor = team.users["viewer"]
    # the moment the panel from bob's change is in place, victor's role is changed too: a
    # microtask runs after the swap's task and before any timer htmx may have set
    owner.evaluate(
        """(victorId) => document.addEventListener("htmx:afterSwap", (event) => {
            if (event.target.id !== "members-panel") return;
            queueMicrotask(() => {
                const select = document.getElementById("role-" + victorId);
                select.value = "editor";
                select.dispatchEvent(new Event("change", { bubbles: true }));
            });
        }, { once: true })""",
        victor.pk,
    )
    owner.get_by_label("Role of bob").select_option("viewer")
    expect(owner.locator("#members-panel .alert-ok")).to_have_text("victor is now editor.")
    expect(owner.get_by_label("Role of bob")).to_have_value("viewer")
    assert Membership.objects.get(workspace=team.workspace, user=victor).role == "editor"
    assert owner.errors == []


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_on_a_phone_the_workspace_pages_show_their_current_tab_and_the_account_menu(
    sign_in: Any, team: Team, theme: str
) -> None:
    owner = sign_in(team.users["owner"])
    owner.emulate_media(color_scheme=theme)
    owner.set_viewport_size({"width": 390, "height": 844})
    for section, name in (("monitors", "Monitors"), ("settings", "Settings")):
        owner.goto(f"/w/{team.workspace.pk}/{section}/")
        nav = owner.get_by_role("navigation", name="Workspace")
        current = nav.get_by_role("link", name=name, exact=True)
        expect(current).to_have_attribute("aria-current", "page")
        expect(current).to_be_in_viewport(ratio=0.95)  # its underline tucks 1 px under the strip's border
        # more tabs hidden before it: the strip fades out at that edge
        expect(nav).to_have_class(re.compile("strip-more-before"))
        assert owner.evaluate("document.documentElement.scrollWidth") <= 390
        screenshot(owner, f"teams-nav-390-{section}-{theme}")
    # the account menu, as on the editor's page: sign out from here
    owner.get_by_label("Account menu").click()
    screenshot(owner, f"teams-account-menu-390-{theme}")
    owner.get_by_role("button", name="Sign out").click()
    expect(owner).to_have_url(re.compile("/login/"))
    assert owner.errors == []

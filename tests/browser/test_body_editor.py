"""The body editor: CodeMirror (vendored) with line numbers and highlighting, JSON checked before
sending (a warning, the request still goes, exactly as typed), Beautify."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.test_request_builder import send, sign_up
from tests.fixtures.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_json_body_is_highlighted_checked_before_sending_and_beautified(page: Any, live_server: Any) -> None:
    sign_up(page, "cody")
    page.get_by_label("Method", exact=True).select_option("POST")
    page.get_by_label("URL", exact=True).fill(f"{live_server.url}/echo/anything")
    page.locator("#editor-tabs").get_by_role("tab", name=re.compile("^Body")).click()
    page.get_by_label("Raw", exact=True).check()
    editor = page.locator(".body-raw .CodeMirror")
    expect(editor).to_be_visible()
    editor.click()
    page.keyboard.insert_text('{"name": "Ada",\n"langs": ["en", "fr"], "age": 36,}')
    # line numbers and highlighting
    expect(editor.locator(".CodeMirror-linenumber", has_text="2")).to_be_visible()
    expect(editor.locator(".cm-property").first).to_have_text('"name"')
    expect(editor.locator(".cm-string").first).to_be_visible()
    # the trailing comma: a warning that names the place, and Send still sends it as written
    warning = page.locator(".body-raw .json-warning")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("not valid JSON (line 2")
    expect(page.locator(".editor-head .dirty-mark")).to_be_visible()
    screenshot(page, "comforts-editor-invalid-json")
    send(page)
    expect(page.locator("#body-pretty")).to_contain_text('"age\\": 36,}')

    # fixed, then beautified: two-space indentation, the warning gone, the server gets the new text
    editor.click()
    page.keyboard.press("Control+End")
    page.keyboard.press("Backspace")
    page.keyboard.press("Backspace")
    page.keyboard.insert_text("}")
    expect(warning).to_be_hidden()
    page.get_by_role("button", name="Beautify").click()
    expected = json.dumps({"name": "Ada", "langs": ["en", "fr"], "age": 36}, indent=2)
    assert page.locator('textarea[name="body_text"]').input_value() == expected
    expect(editor.locator(".CodeMirror-linenumber", has_text="8")).to_be_visible()
    send(page)
    echoed = json.loads(page.locator("#body-raw-text").text_content())
    assert echoed["data"] == expected
    assert echoed["json"] == {"name": "Ada", "langs": ["en", "fr"], "age": 36}

    # {{variables}} outside strings count as values, not as errors
    page.locator('textarea[name="body_text"]').evaluate("(t) => t.codeMirror.setValue('{\"id\": {{id}}}')")
    expect(warning).to_be_hidden()
    screenshot(page, "comforts-editor-beautified")
    assert page.errors == []

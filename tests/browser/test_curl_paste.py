"""A curl command pasted into the URL field becomes the request (through the cURL importer);
one it cannot read is said, and the pasted text is kept."""

from __future__ import annotations

import json
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.test_request_builder import send, sign_up

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def paste(page: Any, text: str) -> None:
    """A real paste event carrying `text` (as Ctrl+V from the clipboard delivers it)."""
    page.get_by_label("URL", exact=True).focus()
    page.evaluate("""(text) => {
        const data = new DataTransfer();
        data.setData("text/plain", text);
        document.activeElement.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true}));
    }""", text)


def test_a_pasted_curl_command_becomes_the_request_and_sends_the_same(page: Any, live_server: Any) -> None:
    sign_up(page, "curly")
    target = f"{live_server.url}/echo/anything?from=curl"
    paste(page, f"curl -X PUT '{target}' -H 'X-Pasted: yes' -H 'Content-Type: application/json' --data-raw '{{\"a\": 1}}'")
    expect(page.get_by_label("URL", exact=True)).to_have_value(target)
    expect(page.get_by_label("Method", exact=True)).to_have_value("PUT")
    expect(page.locator(".editor-head .notice")).to_contain_text("Made from the pasted curl command")
    send(page)
    echoed = json.loads(page.locator("#body-raw-text").text_content())
    assert echoed["method"] == "PUT"
    assert ["X-Pasted", "yes"] in echoed["headers"]
    assert echoed["json"] == {"a": 1}

    # not a command it can read: said, and the text is in the field as pasted
    page.locator("[data-new-tab]").first.click()
    expect(page.locator("#request-tabs [role=tab]")).to_have_count(2)
    paste(page, "curl 'unterminated")
    expect(page.locator("#toast")).to_contain_text("This curl command could not be read")
    expect(page.get_by_label("URL", exact=True)).to_have_value("curl 'unterminated")
    assert page.errors == []

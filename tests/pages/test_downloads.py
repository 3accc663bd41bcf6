"""Every download (exports, reports, HAR, response bodies) is built by requests_app.web."""

from __future__ import annotations

from requests_app.web import DOWNLOAD_CSP, download_response


def test_a_hostile_file_name_cannot_break_the_header():
    response = download_response('shop"\r\nSet-Cookie: x=1.json', "application/json", "{}")
    disposition = response["Content-Disposition"]
    assert "\r" not in disposition and "\n" not in disposition
    assert disposition.startswith("attachment; ")
    assert response["Content-Security-Policy"] == DOWNLOAD_CSP and response["X-Content-Type-Options"] == "nosniff"


def test_a_non_ascii_name_is_sent_as_rfc_6266_filename_star():
    response = download_response("Café API.postman_collection.json", "application/json", b"{}")
    assert "filename*=utf-8''Caf%C3%A9%20API.postman_collection.json" in response["Content-Disposition"]


def test_inline_downloads_are_sandboxed_too():
    response = download_response("run-1.xml", "application/xml", "<x/>", inline=True)
    assert response["Content-Disposition"].startswith("inline; ")
    assert "sandbox" in response["Content-Security-Policy"]

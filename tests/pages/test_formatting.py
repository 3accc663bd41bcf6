"""Template filters and body prettifiers: readable, and never a way to inject markup."""

from __future__ import annotations

import json

import pytest

from requests_app.templatetags.pretty import PRETTY_LIMIT_NODES, pretty_body, pretty_html, pretty_json, pretty_xml
from requests_app.templatetags.webclient import bytes as size_filter
from requests_app.templatetags.webclient import cookie_host, duration, status_class, url_breaks
from requests_app.views.response_view import ResponseView


@pytest.mark.parametrize(("value", "text"), [(0, "0 B"), (512, "512 B"), (1536, "1.5 KB"), (3 * 1024**2, "3.0 MB"), ("x", "")])
def test_sizes_read_as_bytes_kilobytes_megabytes(value: object, text: str) -> None:
    assert size_filter(value) == text


@pytest.mark.parametrize(("value", "text"), [(0.42, "0.4 ms"), (84.2, "84 ms"), (1200, "1.20 s"), (None, "")])
def test_durations(value: object, text: str) -> None:
    assert duration(value) == text


@pytest.mark.parametrize(("code", "css"), [(200, "s2xx"), (302, "s3xx"), (404, "s4xx"), (503, "s5xx"), (99, "s-none"), (None, "s-none")])
def test_status_classes(code: object, css: str) -> None:
    assert status_class(code) == css


def test_urls_may_break_between_their_parts_and_stay_escaped() -> None:
    assert url_breaks("302 http://h:1/a/b?x=<i>&y=1") == "302 http://<wbr>h:1/<wbr>a/<wbr>b?<wbr>x=&lt;i&gt;&amp;<wbr>y=1"


@pytest.mark.parametrize(("domain", "shown"), [("localhost.local", "localhost"), ("api.example.com", "api.example.com"), (None, "")])
def test_cookie_hosts_read_as_the_host_the_request_went_to(domain: object, shown: str) -> None:
    assert cookie_host(domain) == shown


def test_json_strings_with_markup_are_escaped() -> None:
    html = pretty_json(json.dumps({"<b>key</b>": "<script>alert(1)</script>", "n": [1, 2.5, None, True]}))
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<span class="j-null">null</span>' in html and '<span class="j-bool">true</span>' in html


def test_nested_json_folds_and_deep_levels_start_closed() -> None:
    deep = {"a": {"b": {"c": {"d": {"e": [1, 2, 3, 4, 5, 6, 7]}}}}}
    html = pretty_json(json.dumps(deep))
    assert html.count("<details") == 6  # the 7-item list is too long for one line
    assert html.count("<details class=\"j-fold\" open>") == 3
    assert 'data-close="}"' in html


def test_huge_or_invalid_json_is_not_prettified() -> None:
    assert pretty_json("{nope") is None
    assert pretty_json(json.dumps(list(range(PRETTY_LIMIT_NODES + 10)))) is None
    assert pretty_json("[" * 100_000 + "]" * 100_000) is None


def test_xml_is_indented_and_escaped() -> None:
    html = pretty_xml("<a><b x=\"1\">t &amp; u</b><!-- c --></a>")
    assert '<span class="x-tag">&lt;a&gt;</span>\n  <span class="x-tag">&lt;b x=&quot;1&quot;&gt;</span>' in html
    assert "t &amp;amp; u" in html  # shown as the source wrote it: t &amp; u
    assert pretty_xml("<a><b></a>") is None


def test_xml_entity_expansion_is_not_a_bomb() -> None:
    bomb = '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">' \
           '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">' \
           '<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">' \
           '<!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;"><!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">]><l>&h;&h;&h;</l>'  # fmt: skip
    result = pretty_xml(bomb)
    assert result is None or len(result) < 1_000_000


def test_html_is_indented_with_script_text_kept_and_everything_escaped() -> None:
    html = pretty_html("<html><body><p>Hi <b>there</b></p><script>if (a < b) go()</script><br></body></html>")
    lines = html.split("\n")
    assert lines[0] == '<span class="x-tag">&lt;html&gt;</span>'
    assert '    <span class="x-tag">&lt;p&gt;</span>' in lines
    assert "if (a &lt; b) go()" in html
    assert "<script>" not in html and "<p>" not in html


def test_unknown_kinds_are_shown_raw() -> None:
    assert pretty_body("plain", "text") is None
    assert pretty_body("x" * 2_000_000, "json") is None


def test_response_view_reads_an_exchange_dict() -> None:
    view = ResponseView.from_exchange({
        "response": {"http_version": "HTTP/1.1", "status": 404, "reason": "Not Found", "status_name": "NOT_FOUND",
                     "status_description": "Nothing matches the given URI", "headers": [["A", "1"], ["A", "2"]],
                     "kind": "image", "content_type": "image/png", "body_base64": "iVBORw0KGgo=",
                     "size": {"headers": 100, "body": 8, "wire_body": 8}},
        "timings": {"dns_ms": 1.0, "connect_ms": 1.0, "tls_ms": None, "ttfb_ms": 2.0, "download_ms": 0.0, "total_ms": 4.0},
    })  # fmt: skip
    assert view.status_line == "HTTP/1.1 404 Not Found"
    assert view.headers == [("A", "1"), ("A", "2")]
    assert view.image_data_url == "data:image/png;base64,iVBORw0KGgo="
    assert [s.label for s in view.timing_segments] == ["DNS", "Connect", "Waiting", "Download"]
    assert view.timing_segments[2].percent == 50.0
    assert not view.is_compressed and view.size_total_wire == 108


def test_image_data_urls_only_for_image_media_types() -> None:
    view = ResponseView.from_exchange({"response": {"status": 200, "kind": "image", "content_type": "text/html",
                                                    "body_base64": "PGI+"}})  # fmt: skip
    assert view.image_data_url is None


def test_an_error_exchange_carries_its_hint() -> None:
    view = ResponseView.from_exchange({"error": {"kind": "timeout", "message": "Timed out after 1 s", "code": ""}})
    assert view.error["hint"].startswith("The server took too long")
    assert not view.has_response

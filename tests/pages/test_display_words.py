"""Display filters for people: error sentences, short error words, URL parts, day headings."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from requests_app.templatetags.webclient import day_heading, error_short, error_title, url_host, url_path


def test_errors_are_sentences_with_finer_codes_preferred() -> None:
    assert error_title({"kind": "timeout", "code": "response_timeout"}) == "The server took too long to answer"
    assert error_title({"kind": "timeout", "code": "other"}) == "The server did not answer in time"
    assert error_title({"kind": "refused"}) == "Nothing answered at that address"
    assert error_title({"kind": "new_kind"}) == "The request failed"
    assert error_short("dns") == "Unknown host" and error_short("") == "Failed"


def test_url_parts() -> None:
    assert url_path("https://u:p@api.example.com:8443/a/b?x=1#f") == "/a/b?x=1#f"
    assert url_path("https://api.example.com") == "/"
    assert url_path("{{base}}/x") == "{{base}}/x"
    assert url_host("https://u:p@api.example.com:8443/a") == "api.example.com:8443"


def test_day_headings_always_carry_the_date() -> None:
    now = timezone.now()
    today = day_heading(now)
    assert today.startswith("Today · ") and str(timezone.localdate().year) in today
    assert day_heading(now - timedelta(days=1)).startswith("Yesterday · ")
    older = day_heading(now - timedelta(days=9))
    assert str((timezone.localdate() - timedelta(days=9)).day) in older and "·" not in older


def test_a_description_shows_backtick_spans_as_code_and_nothing_else_as_markup() -> None:
    from requests_app.templatetags.webclient import inline_code

    assert inline_code("the echo shows `args` as received") == "the echo shows <code>args</code> as received"
    assert inline_code("<b>`<i>x</i>`</b> and a lone ` tick") == (
        "&lt;b&gt;<code>&lt;i&gt;x&lt;/i&gt;</code>&lt;/b&gt; and a lone ` tick")

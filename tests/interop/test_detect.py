from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from requests_app.interop.detect import detect_format, import_content
from requests_app.interop.model import ImportFormatError

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("curl/chrome_bash.sh", "curl"),
        ("curl/chrome_cmd.txt", "curl"),
        ("curl/firefox_multi.sh", "curl"),
        ("postman/shop-api.postman_collection.json", "postman"),
        ("postman/echo-v2.0.postman_collection.json", "postman"),
        ("postman/staging.postman_environment.json", "postman_environment"),
        ("http/shop.http", "http"),
        ("http/jetbrains.http", "http"),
        ("har/browser-session.har", "har"),
        ("openapi/petstore-3.0.yaml", "openapi"),
        ("openapi/events-3.1.json", "openapi"),
    ],
)
def test_every_fixture_is_recognised_and_imports_the_same_as_its_own_reader(path, expected):
    content = (FIXTURES / path).read_bytes()
    assert detect_format(content) == expected
    auto = import_content(content, format="auto", name=Path(path).name)
    chosen = import_content(content, format=expected, name=Path(path).name)
    assert auto.format == expected
    assert auto == chosen


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$ curl http://h/", "curl"),
        ("/usr/bin/curl -s http://h/", "curl"),
        ("GET http://h/\nAccept: */*\n", "http"),
        ("@host = http://h\n\nGET {{host}}/x", "http"),
        ("# comment\nswagger: '2.0'\n", "openapi"),
    ],
)
def test_short_pastes_are_recognised(text, expected):
    assert detect_format(text) == expected


def test_the_persons_choice_overrides_detection():
    with pytest.raises(ImportFormatError, match="^cURL command: no curl command found"):
        import_content("GET http://h/", format="curl")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "Import: there is nothing to import"),
        ("hello world", "Import: the format was not recognised"),
        ('{"a": 1}', "Import: this JSON is not a Postman collection or environment, a HAR file or an OpenAPI document"),
        ('{"info": {"name": "x"}, "item": [', "Import: line 1, column 34: is not valid JSON"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "Import: byte 0: is not UTF-8 text"),
        ("[" * 10_000 + "]" * 10_000, "Import: line 1, column 65: nesting is deeper than 64 levels"),
    ],
)
def test_unreadable_content_gets_a_named_error(content, message):
    with pytest.raises(ImportFormatError) as caught:
        import_content(content)
    assert str(caught.value).startswith(message)


def test_an_unknown_format_name_is_refused():
    with pytest.raises(ImportFormatError, match="Import: format: unknown format 'insomnia'"):
        import_content("curl http://h/", format="insomnia")


def test_fifty_megabyte_paste_is_refused_without_reading_it_all():
    with pytest.raises(ImportFormatError, match="is 50.0 MiB; imports are limited to 10 MiB"):
        import_content("x" * (50 * 1024 * 1024))


def test_truncated_collection_is_refused_and_names_the_position():
    text = (FIXTURES / "postman/shop-api.postman_collection.json").read_text()
    with pytest.raises(ImportFormatError) as caught:
        import_content(text[: len(text) // 2])
    assert "is not valid JSON" in str(caught.value) and "line " in caught.value.position


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=300), st.text(max_size=300), st.builds(json.dumps, st.recursive(st.none() | st.integers() | st.text(max_size=4), lambda c: st.lists(c, max_size=3) | st.dictionaries(st.sampled_from(["log", "entries", "info", "item", "openapi", "paths", "values", "request"]), c, max_size=3)))))
def test_any_input_imports_or_raises_import_format_error(content):
    try:
        import_content(content)
    except ImportFormatError:
        pass

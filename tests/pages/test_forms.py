"""The editor form <-> RequestSpec, without a browser."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import QueryDict
from django.template.loader import render_to_string
from django.utils.datastructures import MultiValueDict

from requests_app.engine.spec import Auth, Body, FilePart, FormField, KeyValue, RequestSpec
from requests_app.forms import (
    FILE_KEEP_INVALID,
    METHOD_INVALID,
    METHOD_MISSING,
    NUMBER_INVALID,
    URL_MISSING,
    EditorInputError,
    editor_fields,
    encode_kept_file,
    spec_from_editor,
    split_query,
    url_with_params,
)


def post(**data: Any) -> QueryDict:
    query = QueryDict(mutable=True)
    for key, value in {"method": "GET", "url": "http://127.0.0.1:9/x", **data}.items():
        query.setlist(key, value if isinstance(value, list) else [str(value)])
    return query


def test_rows_keep_index_order_duplicates_and_enabled_flags() -> None:
    spec = spec_from_editor(post(**{
        "headers-10-key": "X-B", "headers-10-value": "2", "headers-10-enabled": "on",
        "headers-2-key": "X-A", "headers-2-value": "1", "headers-2-enabled": "on",
        "headers-5-key": "X-A", "headers-5-value": "dup",
        "headers-7-key": "", "headers-7-value": "",
    }))  # fmt: skip
    assert spec.headers == [KeyValue("X-A", "1", True), KeyValue("X-A", "dup", False), KeyValue("X-B", "2", True)]


def test_the_url_keeps_enabled_params_and_the_table_keeps_disabled_ones() -> None:
    spec = spec_from_editor(post(url="http://h/p?a=1&b={{v}}", **{
        "params-0-key": "a", "params-0-value": "1", "params-0-enabled": "on",
        "params-1-key": "off", "params-1-value": "x",
    }))  # fmt: skip
    assert spec.url == "http://h/p?a=1&b={{v}}"
    assert spec.params == [KeyValue("off", "x", False)]
    fields = editor_fields(spec)
    assert fields.url == "http://h/p?a=1&b={{v}}"
    assert fields.params == [KeyValue("a", "1"), KeyValue("b", "{{v}}"), KeyValue("off", "x", False)]


def test_a_spec_with_enabled_params_shows_them_in_the_url_as_the_engine_encodes_them() -> None:
    spec = RequestSpec(url="http://h/p?z=0#frag", params=[KeyValue("q", "a b"), KeyValue("n", "1", False)])
    assert editor_fields(spec).url == "http://h/p?z=0&q=a%20b#frag"
    assert url_with_params("http://h/p", [KeyValue("flag", "")]) == "http://h/p?flag"
    assert split_query("http://h/p?a=1&&b#f") == ("http://h/p", [KeyValue("a", "1"), KeyValue("b", "")])


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"url": "  "}, "url", URL_MISSING),
        ({"method": "__custom__", "method_custom": ""}, "method_custom", METHOD_MISSING),
        ({"method": "__custom__", "method_custom": "GET /x"}, "method_custom", METHOD_INVALID),
        ({"opt_timeout_ms": "soon"}, "opt_timeout_ms", NUMBER_INVALID.format(low=1, high=600_000)),
        ({"body_mode": "multipart", "multipart-0-key": "f", "multipart-0-keep": "{bad"}, "multipart-0-file", FILE_KEEP_INVALID),
        ({"body_mode": "graphql", "graphql_query": "{a}", "graphql_variables": "[1]"}, "graphql_variables", None),
        ({"body_mode": "stream"}, "body_mode", None),
    ],
)
def test_bad_input_raises_a_named_error(data: dict[str, Any], field: str, message: str | None) -> None:
    with pytest.raises(EditorInputError) as raised:
        spec_from_editor(post(**data))
    assert raised.value.field == field
    if message:
        assert raised.value.message == message


def test_custom_methods_are_kept_as_typed_and_standard_ones_upper_cased() -> None:
    assert spec_from_editor(post(method="__custom__", method_custom="PropFind")).method == "PropFind"
    assert spec_from_editor(post(method="__custom__", method_custom="patch")).method == "PATCH"


@pytest.mark.parametrize(
    ("raw_type", "body"),
    [
        ("json", Body(mode="json", text="t")),
        ("xml", Body(mode="raw", text="t", content_type="application/xml")),
        ("javascript", Body(mode="raw", text="t", content_type="application/javascript")),
        ("ct:application/vnd.api+json", Body(mode="raw", text="t", content_type="application/vnd.api+json")),
    ],
)
def test_raw_body_types_round_trip(raw_type: str, body: Body) -> None:
    spec = spec_from_editor(post(body_mode="raw", raw_type=raw_type, body_text="t"))
    assert spec.body == body
    fields = editor_fields(spec)
    assert (fields.body_mode, fields.raw_type) == ("raw", raw_type)


def test_multipart_files_upload_and_are_kept_when_sent_again() -> None:
    files = MultiValueDict({"multipart-1-file": [SimpleUploadedFile("a.txt", b"hello", content_type="text/plain")]})
    spec = spec_from_editor(post(body_mode="multipart", **{
        "multipart-0-key": "title", "multipart-0-value": "x", "multipart-0-enabled": "on",
        "multipart-1-key": "doc", "multipart-1-enabled": "on",
    }), files)  # fmt: skip
    assert spec.body.fields == [
        FormField("title", "x", True),
        FormField("doc", "", True, FilePart("a.txt", b"hello", "text/plain")),
    ]
    fields = editor_fields(spec)
    keep = fields.multipart[1]["keep"]
    again = spec_from_editor(post(body_mode="multipart", **{"multipart-0-key": "doc", "multipart-0-keep": keep}))
    assert again.body.fields[0].file == FilePart("a.txt", b"hello", "text/plain")
    # the editor's Type select: File keeps the stored file, Text drops it for the typed value
    as_file = spec_from_editor(post(body_mode="multipart", **{"multipart-0-key": "doc", "multipart-0-type": "file", "multipart-0-keep": keep}))
    assert as_file.body.fields[0].file == FilePart("a.txt", b"hello", "text/plain")
    as_text = spec_from_editor(post(body_mode="multipart", **{
        "multipart-0-key": "doc", "multipart-0-value": "typed", "multipart-0-type": "text", "multipart-0-keep": keep,
        "multipart-1-type": "text", "multipart-1-keep": keep,
    }), MultiValueDict({"multipart-0-file": [SimpleUploadedFile("b.txt", b"bye")]}))  # fmt: skip
    assert as_text.body.fields == [FormField("doc", "typed", False)]


def test_a_file_row_with_no_file_yet_comes_back_as_a_file_row() -> None:
    spec = spec_from_editor(post(body_mode="multipart", **{"multipart-0-key": "doc", "multipart-0-type": "file", "multipart-0-enabled": "on"}))
    assert spec.body.fields == [FormField("doc", "", True, FilePart("", b""))]  # as a Postman import has it
    row = editor_fields(spec).multipart[0]
    again = spec_from_editor(post(body_mode="multipart", **{"multipart-0-key": "doc", "multipart-0-type": "file", "multipart-0-keep": row["keep"]}))
    assert again.body.fields[0].file == FilePart("", b"")
    html = render_to_string("requests_app/editor/multipart_value.html", {"table": "multipart", "index": 0, "file": row["file"], "keep": row["keep"]})
    assert '<option value="file" selected>File</option>' in html and "No file chosen yet" in html and "Replace" not in html


def test_binary_body_from_an_upload_or_the_kept_content() -> None:
    files = MultiValueDict({"body_file": [SimpleUploadedFile("b.bin", b"\x00\x01", content_type="application/x-thing")]})
    spec = spec_from_editor(post(body_mode="binary"), files)
    assert spec.body == Body(mode="binary", data=b"\x00\x01", content_type="application/x-thing")
    keep = encode_kept_file(FilePart("body.bin", b"\x02", "application/octet-stream"))
    kept = spec_from_editor(post(body_mode="binary", body_file_keep=keep, binary_content_type="image/png"))
    assert kept.body == Body(mode="binary", data=b"\x02", content_type="image/png")
    assert base64.b64decode(editor_fields(kept).binary["keep"].split('"base64": "')[1].split('"')[0]) == b"\x02"


def test_auth_and_options() -> None:
    spec = spec_from_editor(post(auth_type="apikey", auth_key="X-Key", auth_value="{{k}}", auth_in="query",
                                 opt_max_redirects="3", opt_timeout_ms="2500", opt_use_cookies="on"))  # fmt: skip
    assert spec.auth == Auth(type="apikey", key="X-Key", value="{{k}}", location="query")
    assert (spec.options.follow_redirects, spec.options.max_redirects, spec.options.timeout_ms) == (False, 3, 2500)
    assert (spec.options.verify_tls, spec.options.use_cookies) == (False, True)
    basic = spec_from_editor(post(auth_type="basic", auth_username="u", auth_password="p"))
    assert basic.auth == Auth(type="basic", username="u", password="p")


def test_params_decode_from_the_url_and_encode_into_it_round_trip_any_value() -> None:
    values = ["rock&roll", "#1", "a=b", "1+1", "100%", "hello world", "why?", "a/b", "é", "😀", "%41", "{{v}} x"]
    spec = RequestSpec(url="http://h/p", params=[KeyValue(f"k{i}", v) for i, v in enumerate(values)])
    url = editor_fields(spec).url
    assert "k0=rock%26roll&k1=%231&k2=a=b&k3=1%2B1&k4=100%25&k5=hello%20world" in url
    assert "{{v}}%20x" in url
    assert [p.value for p in editor_fields(spec).params] == [v if v != "%41" else "A" for v in values]
@pytest.mark.parametrize("encoding", ["plus", "percent"])
def test_a_forms_space_encoding_survives_the_editor(encoding: str) -> None:
    """A Postman import sends a space as %20 (as newman does); saving it in the editor keeps that."""
    spec = RequestSpec(body=Body(mode="urlencoded", fields=[FormField("a", "b c")], form_encoding=encoding))
    fields = editor_fields(spec)
    assert fields.form_encoding == encoding
    again = spec_from_editor(post(body_mode="urlencoded", form_encoding=fields.form_encoding, **{
        "urlencoded-0-key": "a", "urlencoded-0-value": "b c", "urlencoded-0-enabled": "on",
    }))
    assert again.body == spec.body

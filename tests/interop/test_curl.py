from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from requests_app.engine.spec import Auth, Body, FilePart, FormField, KeyValue, Options, RequestSpec
from requests_app.interop.curl import parse_curl, parse_curl_command, to_curl
from requests_app.interop.model import ImportFormatError
from tests.interop.strategies import request_specs, wire_signature

FIXTURES = Path(__file__).parent / "fixtures" / "curl"


def one(command: str) -> RequestSpec:
    return parse_curl_command(command).spec


def report_of(command: str) -> list[str]:
    return [f"{item.level}: {item}" for item in parse_curl(command).report]


def header(spec: RequestSpec, name: str) -> str | None:
    return next((h.value for h in spec.headers if h.key.lower() == name.lower()), None)


# ---------------------------------------------------------------- real-world pastes


def test_chrome_copy_as_bash_keeps_every_header_and_the_ansi_c_json_body():
    result = parse_curl((FIXTURES / "chrome_bash.sh").read_text())
    request = result.collections[0].requests()[0]
    spec = request.spec
    assert result.collections[0].name == "Imported"
    assert spec.method == "POST"
    assert spec.url == "https://api.example.com/v1/orders?page=2&sort=-created"
    assert header(spec, "authorization") == "Bearer eyJhbGciOiJIUzI1NiJ9.e30.abc"
    assert header(spec, "cookie") == "session=abc123; theme=dark"
    assert header(spec, "content-type") == "application/json;charset=UTF-8"
    assert len(spec.headers) == 8
    assert spec.body.mode == "json"
    assert spec.body.text == '{"note":"it\'s \\"quoted\\"","lines":"a\\nb","emoji":"\u2603"}'
    assert [str(r) for r in result.report] == [
        "line 11: --compressed: compressed responses are always accepted and decoded"
    ]


def test_chrome_copy_as_cmd_undoes_carets_and_c_runtime_quotes():
    spec = one((FIXTURES / "chrome_cmd.txt").read_text(encoding="utf-8"))
    assert spec.url == "https://api.example.com/v1/search?q=caf%C3%A9&limit=5"
    assert spec.body.mode == "json"
    assert spec.body.text == '{"query":"café & tea","tags":["a","b"]}'
    assert header(spec, "accept") == "application/json"


def test_several_commands_in_one_paste_become_several_requests():
    result = parse_curl((FIXTURES / "firefox_multi.sh").read_text())
    login, me = result.collections[0].requests()
    assert (login.spec.method, me.spec.method) == ("POST", "HEAD")
    assert login.spec.body.mode == "urlencoded"
    assert [(f.key, f.value) for f in login.spec.body.fields] == [("user", "alice"), ("pass", "p@ss word")]
    assert header(me.spec, "Cookie") == "sid=xyz"
    assert login.source_path == "command 1, line 2"


def test_upload_script_maps_auth_files_and_reports_every_unsent_file():
    result = parse_curl((FIXTURES / "docs_upload.sh").read_text())
    spec = result.collections[0].requests()[0].spec
    assert spec.url == "https://uploads.example.com/releases"
    assert spec.auth == Auth(type="basic", username="deploy", password="{{DEPLOY_TOKEN}}")
    assert spec.options.follow_redirects and spec.options.max_redirects == 5
    fields = spec.body.fields
    assert [f.key for f in fields] == ["release", "notes", "artifact", "meta"]
    assert fields[2].file == FilePart(filename="app.tar.gz", content=b"", content_type="application/gzip")
    assert fields[3].value == '{"draft": false}'
    messages = [str(r) for r in result.report]
    assert "line 5: -F artifact: file field — attach the file dist/app.tar.gz before sending" in messages
    assert "line 4: -F notes: its text comes from the file CHANGELOG.md; fill it in" in messages
    assert "line 2: shell variable $DEPLOY_TOKEN became the variable {{DEPLOY_TOKEN}}" in messages
    assert "line 8: -o: ignored (affects only curl's own output)" in messages


# ---------------------------------------------------------------- quoting


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("curl -H 'X-A: it'\\''s' http://h/", "it's"),
        ('curl -H "X-A: say \\"hi\\" \\$HOME \\\\ \\n" http://h/', 'say "hi" $HOME \\ \\n'),
        ("curl -H $'X-A: tab\\there \\x41\\u2603\\'q\\' \\101' http://h/", "tab\there A\u2603'q' A"),
        ("curl -H X-A:\\ escaped\\ spaces http://h/", "escaped spaces"),
        ("curl -H 'X-A: '\"mixed\"' quoting' http://h/", "mixed quoting"),
        ("curl -H 'X-A: # not a comment' http://h/ # a comment", "# not a comment"),
    ],
)
def test_posix_quoting_is_read_as_a_shell_reads_it(command, expected):
    assert header(one(command), "X-A") == expected


def test_backslash_newline_continues_the_command():
    spec = one("curl \\\n  -X PUT \\\n  http://h/x \\\n  -d 'a=1'")
    assert (spec.method, spec.url) == ("PUT", "http://h/x")


def test_lines_without_backslash_that_start_with_an_option_are_joined_with_a_note():
    result = parse_curl("curl http://h/x\n  -H 'A: b'")
    assert header(result.collections[0].requests()[0].spec, "A") == "b"
    assert "line 2: joined to the line before it, which did not end with a backslash" in [
        str(r) for r in result.report
    ]


def test_windows_caret_continuation_with_plain_double_quotes():
    spec = one('curl "http://h/api" ^\n  -H "Accept: */*" ^\n  -d "{""a"": 1}"')
    assert spec.url == "http://h/api"
    assert header(spec, "Accept") == "*/*"
    assert spec.body.text == '{"a": 1}'


def test_unquoted_ampersand_in_a_url_stays_in_the_url_with_a_note():
    result = parse_curl("curl http://h/?a=1&b=2")
    assert result.collections[0].requests()[0].spec.url == "http://h/?a=1&b=2"
    assert any("unquoted &" in str(r) for r in result.report)


# ---------------------------------------------------------------- flags


@pytest.mark.parametrize(
    ("command", "method"),
    [
        ("curl http://h/", "GET"),
        ("curl -d x http://h/", "POST"),
        ("curl -X PATCH -d x http://h/", "PATCH"),
        ("curl --request propfind http://h/", "propfind"),
        ("curl -XDELETE http://h/", "DELETE"),
        ("curl -I http://h/", "HEAD"),
        ("curl --head http://h/", "HEAD"),
        ("curl -G -d a=1 http://h/", "GET"),
        ("curl -T file.bin http://h/", "PUT"),
        ("curl -F a=b http://h/", "POST"),
    ],
)
def test_method_follows_curl_rules(command, method):
    assert one(command).method == method


def test_url_option_and_scheme_less_url():
    assert one("curl --url http://h/a").url == "http://h/a"
    result = parse_curl("curl localhost:8000/x")
    assert result.collections[0].requests()[0].spec.url == "http://localhost:8000/x"
    assert "http:// is assumed" in str(result.report[0])


def test_data_pieces_are_joined_with_ampersands_and_keep_curl_content_type():
    spec = one("curl http://h/ -d 'a=1' --data 'b=2' --data-ascii c=3")
    assert spec.body.mode == "urlencoded"
    assert [(f.key, f.value) for f in spec.body.fields] == [("a", "1"), ("b", "2"), ("c", "3")]


def test_form_body_that_would_change_when_reencoded_stays_raw_with_its_content_type():
    spec = one("curl http://h/ -d 'a=hello world&b=%7e'")
    assert spec.body == Body(mode="raw", text="a=hello world&b=%7e", content_type="application/x-www-form-urlencoded")


def test_data_raw_keeps_a_leading_at_sign():
    spec = one("curl http://h/ --data-raw '@not-a-file' -H 'Content-Type: text/plain'")
    assert spec.body.mode == "raw" and spec.body.text == "@not-a-file"


def test_data_from_a_file_leaves_an_empty_body_and_says_which_file():
    result = parse_curl("curl http://h/ --data-binary @payload.json -H 'Content-Type: application/json'")
    spec = result.collections[0].requests()[0].spec
    assert spec.body.mode == "binary" and spec.body.data == b""
    assert [str(r) for r in result.report] == [
        "line 1: --data-binary @payload.json: attach or paste the file's content as the body"
    ]


@pytest.mark.parametrize(
    ("argument", "body"),
    [
        ("'hello world'", "hello+world"),  # curl 7.88 sends + for a space
        ("'=a&b'", "a%26b"),
        ("'q=café & co'", "q=caf%C3%A9+%26+co"),
        ("'name=a=b'", "name=a%3Db"),
    ],
)
def test_data_urlencode_forms(argument, body):
    spec = one(f"curl http://h/ -H 'Content-Type: text/plain' --data-urlencode {argument}")
    assert spec.body.text == body


def test_get_moves_data_into_the_query():
    spec = one("curl -G http://h/search?x=0 --data-urlencode 'q=a b' -d page=2")
    assert spec.url == "http://h/search?x=0&q=a+b&page=2"  # curl 7.88 sends + for a space
    assert spec.body.mode == "none"


def test_url_query_option_appends_encoded_pairs():
    spec = one("curl http://h/s --url-query 'q=a b' --url-query '+raw=%20'")
    assert spec.url == "http://h/s?q=a+b&raw=%20"


def test_json_option_sets_json_body_and_accept():
    spec = one("""curl --json '{"a":1}' http://h/""")
    assert spec.method == "POST"
    assert spec.body == Body(mode="json", text='{"a":1}')
    assert header(spec, "Accept") == "application/json"


def test_json_option_keeps_an_explicit_accept():
    spec = one("""curl --json '{"a":1}' -H 'Accept: text/csv' http://h/""")
    assert [h.value for h in spec.headers if h.key.lower() == "accept"] == ["text/csv"]


def test_form_fields_text_file_and_literal():
    spec = one(
        "curl http://h/ -F 'a=1' -F 'f=@/tmp/x y/photo.jpg' -F 'g=@a.txt;filename=renamed.txt;type=text/plain' "
        "--form-string 'lit=@kept'"
    )
    assert spec.body.fields == [
        FormField("a", "1"),
        FormField("f", file=FilePart("photo.jpg", b"", "application/octet-stream")),
        FormField("g", file=FilePart("renamed.txt", b"", "text/plain")),
        FormField("lit", "@kept"),
    ]


@pytest.mark.parametrize(
    ("command", "auth"),
    [
        ("curl -u alice:s3cr:et http://h/", Auth(type="basic", username="alice", password="s3cr:et")),
        ("curl --basic --user alice:pw http://h/", Auth(type="basic", username="alice", password="pw")),
        ("curl --digest -u alice:pw http://h/", Auth(type="digest", username="alice", password="pw")),
        ("curl http://al%40ice:p%3Aw@h/", Auth(type="basic", username="al@ice", password="p:w")),
        ("curl --oauth2-bearer tok http://h/", Auth(type="bearer", token="tok")),
    ],
)
def test_auth_options(command, auth):
    spec = one(command)
    assert spec.auth == auth
    assert "@" not in spec.url


def test_user_without_password_is_noted():
    result = parse_curl("curl -u alice http://h/")
    assert result.collections[0].requests()[0].spec.auth == Auth(type="basic", username="alice", password="")
    assert "curl would ask for it" in str(result.report[0])


def test_cookie_user_agent_referer_and_range_become_headers():
    spec = one("curl http://h/ -b 'a=1' --cookie 'b=2; c=3' -A 'Agent/1.0' -e 'http://ref/;auto' -r 0-99")
    assert [(h.key, h.value) for h in spec.headers] == [
        ("User-Agent", "Agent/1.0"),
        ("Referer", "http://ref/"),
        ("Range", "bytes=0-99"),
        ("Cookie", "a=1; b=2; c=3"),
    ]


def test_cookie_file_is_reported_not_read():
    assert report_of("curl -b cookies.txt http://h/") == [
        "dropped: line 1: -b cookies.txt: a cookie file cannot be read here; its cookies are missing"
    ]


def test_options_map_to_request_settings():
    spec = one("curl -L --max-redirs 3 -k -m 2.5 http://h/")
    assert spec.options == Options(follow_redirects=True, max_redirects=3, verify_tls=False, timeout_ms=2500)
    assert one("curl http://h/").options.follow_redirects is False  # curl does not follow by default


def test_bundled_short_options_and_attached_values():
    result = parse_curl("curl -sSLkXPOST -H'A: b' -d@body.json http://h/")
    spec = result.collections[0].requests()[0].spec
    assert spec.method == "POST" and spec.options.follow_redirects and not spec.options.verify_tls
    assert header(spec, "A") == "b"


@pytest.mark.parametrize(
    ("flag", "expected"),
    [
        ("-x http://proxy:3128", "note: line 1: -x: proxy settings ignored; webclient connects directly"),
        ("--proxy socks5://p", "note: line 1: --proxy: proxy settings ignored; webclient connects directly"),
        ("-s", "note: line 1: -s: ignored (affects only curl's own output)"),
        ("-v", "note: line 1: -v: ignored (affects only curl's own output)"),
        ("-i", "note: line 1: -i: ignored (affects only curl's own output)"),
        ("-o out.json", "note: line 1: -o: ignored (affects only curl's own output)"),
        ("--compressed", "note: line 1: --compressed: compressed responses are always accepted and decoded"),
        ("--http2", "note: line 1: --http2: ignored (connection tuning)"),
        ("--cacert ca.pem", "note: line 1: --cacert: TLS setting ignored (certificates are verified unless -k is given)"),
        ("--ntlm", "dropped: line 1: --ntlm: NTLM authentication is not supported; no auth is set"),
        ("--resolve h:80:127.0.0.1", "dropped: line 1: --resolve: custom name resolution is not supported; the request goes to the URL's host"),
        ("--frobnicate", "dropped: line 1: --frobnicate: unknown curl option, ignored"),
        ("-Ü", "dropped: line 1: -Ü: unknown curl option, ignored"),
        ("--no-frobnicate", "dropped: line 1: --no-frobnicate: unknown curl option, ignored"),
    ],
)
def test_ignored_and_unknown_flags_are_reported_never_fatal(flag, expected):
    assert report_of(f"curl {flag} http://h/") == [expected]
    assert one(f"curl {flag} http://h/").url == "http://h/"


def test_header_removal_and_empty_headers():
    result = parse_curl("curl http://h/ -H 'Accept:' -H 'X-Empty;' -H 'nonsense'")
    spec = result.collections[0].requests()[0].spec
    assert spec.headers == [KeyValue("X-Empty", "")]
    assert [r.level for r in result.report] == ["note", "dropped"]


def test_second_url_is_reported():
    result = parse_curl("curl http://h/a http://h/b")
    assert result.collections[0].requests()[0].spec.url == "http://h/a"
    assert "another URL" in str(result.report[0])


def test_pipes_redirections_and_other_programs_are_noted():
    result = parse_curl("curl http://h/ 2>/dev/null | jq '.items[]' > out.txt")
    assert len(result.collections[0].requests()) == 1
    messages = [str(r) for r in result.report]
    assert "line 1: shell redirection > ignored" in messages
    assert "line 1: output piped to another program; the pipe is ignored" in messages
    assert "line 1: not a curl command, ignored: jq" in messages


# ---------------------------------------------------------------- malformed input


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("curl 'http://h/", "cURL command: line 1, column 6: a single quote (') is never closed"),
        ('curl -H "A: b', 'cURL command: line 1, column 9: a double quote (") is never closed'),
        ("curl $'abc", "cURL command: line 1, column 6: a $'...' string is never closed"),
        ("curl -H 'A: b'", "cURL command: line 1: the curl command has no URL"),
        ("wget http://h/", "cURL command: no curl command found (the text should start with `curl`)"),
        ("", "cURL command: no curl command found (the text should start with `curl`)"),
        ('curl ^"http://h/', 'cURL command: line 1: a double quote (") is never closed'),
    ],
)
def test_malformed_commands_raise_a_named_error_with_position(text, message):
    with pytest.raises(ImportFormatError) as caught:
        parse_curl(text)
    assert str(caught.value) == message


def test_binary_garbage_and_huge_pastes_are_refused_by_name():
    with pytest.raises(ImportFormatError, match="is not UTF-8 text"):
        parse_curl(b"curl \xff\xfe\x00\x01")
    with pytest.raises(ImportFormatError, match="limited to 10 MiB"):
        parse_curl("curl http://h/ -d '" + "x" * (50 * 1024 * 1024) + "'")


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=200).map(lambda s: "curl " + s))
def test_any_text_imports_or_raises_import_format_error(text):
    try:
        parse_curl(text)
    except ImportFormatError:
        pass


# ---------------------------------------------------------------- export


def test_export_quotes_for_the_shell_and_reads_back():
    spec = RequestSpec(
        method="POST",
        url="http://127.0.0.1:8000/anything?x=1",
        params=[KeyValue("q", "a b"), KeyValue("off", "no", enabled=False)],
        headers=[KeyValue("X-Quote", "it's"), KeyValue("X-Empty", ""), KeyValue("X-Off", "x", enabled=False)],
        body=Body(mode="json", text='{"a": "line\nbreak"}'),
        auth=Auth(type="basic", username="u", password="p w"),
        options=Options(follow_redirects=True, verify_tls=False, timeout_ms=1500),
    )
    command = to_curl(spec)
    assert command.splitlines()[0] == "curl 'http://127.0.0.1:8000/anything?x=1&q=a%20b' \\"
    assert "-H 'X-Quote: it'\"'\"'s'" in command
    assert "-H 'X-Empty;'" in command
    assert "X-Off" not in command
    assert "-u 'u:p w'" in command
    assert "-L" in command and "-k" in command and "-m 1.5" in command
    assert wire_signature(parse_curl_command(command).spec) == wire_signature(spec)


def test_export_uses_head_flag_and_explicit_methods():
    assert to_curl(RequestSpec(method="HEAD", url="http://h/"), multiline=False) == "curl --head http://h/ --compressed -L"
    no_redirects = Options(follow_redirects=False)
    delete = RequestSpec(method="DELETE", url="http://h/", options=no_redirects)
    assert to_curl(delete, multiline=False) == "curl -X DELETE http://h/ --compressed"
    post = RequestSpec(
        method="POST", url="http://h/", body=Body(mode="raw", text="x", content_type="text/plain"), options=no_redirects
    )
    assert to_curl(post, multiline=False) == "curl http://h/ -H 'Content-Type: text/plain' --data-raw x --compressed"


def test_export_multipart_references_files_by_name():
    spec = RequestSpec(
        method="POST",
        url="http://h/up",
        body=Body(
            mode="multipart",
            fields=[FormField("a", "@literal"), FormField("f", file=FilePart("x.png", b"...", "image/png"))],
        ),
        options=Options(follow_redirects=False),
    )
    assert to_curl(spec, multiline=False) == "curl http://h/up --form-string a=@literal -F 'f=@x.png;type=image/png' --compressed"


def test_export_control_characters_use_ansi_c_quoting():
    spec = RequestSpec(method="POST", url="http://h/", body=Body(mode="raw", text="a\x01b", content_type="text/plain"))
    command = to_curl(spec, multiline=False)
    assert "--data-raw $'a\\x01b'" in command
    assert parse_curl_command(command).spec.body.text == "a\x01b"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(request_specs())
def test_export_then_import_round_trips_what_goes_on_the_wire(spec):
    command = to_curl(spec)
    assert wire_signature(parse_curl_command(command).spec) == wire_signature(spec)

"""The real curl and the imported request send the same thing to the echo target."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from requests_app.engine.spec import FilePart
from requests_app.interop.curl import parse_curl_command, to_curl
from tests.interop.echo_compare import engine_echo, meaning, require, run_echo

# {u} is the echo target's /anything; each command is run by bash, as a person would paste it.
COMMANDS = [
    "curl -sS '{u}/items?x=1&y=two%20words' -H 'X-Trace: abc' -H 'Accept-Language: fr'",
    """curl -s -X POST '{u}/items' -H 'Content-Type: application/json' --data-raw '{{"a": [1, 2], "b": "é"}}'""",
    "curl -s '{u}/form' -d 'a=1' -d 'b=two words' --data-urlencode 'c=x&y=z'",
    "curl -s '{u}/form2' --data 'user=alice&pass=p%40ss+word'",
    "curl -s '{u}/search' -G --data-urlencode 'q=hello world' -d page=2",
    "curl -s -u alice:s3cr3t '{u}/auth' -H 'X-A: 1'",
    "curl -s '{u}/cookies' -b 'a=1; b=2' -A 'Agent/1.0' -e 'http://ref.example/'",
    """curl -s --json '{{"k":"v"}}' '{u}/json'""",
    "curl -s -X PATCH '{u}/p' -H 'Content-Type: text/plain' --data-binary $'line1\\nline2\\ttab'",
    "curl -s '{u}/del' -X DELETE -H 'Authorization: Bearer t0k' -H 'X-Empty;'",
    "curl -s '{u}/enc' --url-query 'q=a b' --url-query 'r=c&d'",
    "curl -s -X PUT '{u}/upload' -F 'name=John Smith' -F 'doc=@notes.txt;type=text/plain' --form-string 'lit=@kept'",
    "curl -sL '{base}/redirect-to?url=/anything/landed'",
    "curl -s \\\n  -X OPTIONS \\\n  '{u}/continued' \\\n  -H \"X-Quoted: \\\"yes\\\" \\$HOME\"",
    "curl -s '{u}/raw' -H 'Content-Type: application/xml' -d '<a>1</a>'",
    # issue 12: curl sends a space as + and keeps a header's trailing spaces
    "curl -s '{u}/enc2' --data-urlencode 'msg=hello world & more' -H 'X-Spaces:   padded  '",
    "curl -s '{u}/enc3' --url-query 'r=c d & e'",
]


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "notes.txt").write_text("remember the milk\n")
    return tmp_path


def attach_files(spec, workdir: Path):
    """Do what the import report asks: attach each named file."""
    if spec.body.mode != "multipart":
        return spec
    fields = []
    for form_field in spec.body.fields:
        if form_field.file is not None:
            content = (workdir / form_field.file.filename).read_bytes()
            form_field = dataclasses.replace(form_field, file=dataclasses.replace(form_field.file, content=content))
        fields.append(form_field)
    return spec.copy(body=dataclasses.replace(spec.body, fields=fields))


@pytest.mark.parametrize("template", COMMANDS)
def test_imported_command_sends_what_curl_sends(template, echo_server, workdir):
    require("curl")
    command = template.format(u=echo_server.url("/anything"), base=echo_server.url(""))
    spec = attach_files(parse_curl_command(command).spec, workdir)
    by_curl = run_echo(["bash", "-c", command], workdir)
    by_engine = engine_echo(spec)
    assert meaning(by_engine, spec) == meaning(by_curl, spec)


@pytest.mark.parametrize("template", COMMANDS)
def test_exported_command_run_by_curl_sends_what_the_engine_sends(template, echo_server, workdir):
    require("curl")
    command = template.format(u=echo_server.url("/anything"), base=echo_server.url(""))
    spec = attach_files(parse_curl_command(command).spec, workdir)
    exported = to_curl(spec)
    by_curl = run_echo(["bash", "-c", exported + " -s"], workdir)
    assert meaning(by_curl, spec) == meaning(engine_echo(spec), spec)


def test_a_control_character_curl_would_send_is_refused_by_name(echo_server):
    """curl sends `X-Ctl: a<U+0001>b`; RFC 9110 forbids control characters in field values,
    and webclient refuses them with the header named (issue 13, item 14) instead of sending."""
    from requests_app.engine.policy import OutboundPolicy
    from requests_app.engine.send import send

    spec = parse_curl_command(f"curl -s '{echo_server.url('/anything')}' -H $'X-Ctl: a\\x01b'").spec
    assert ("X-Ctl", "a\x01b") in [(h.key, h.value) for h in spec.headers]
    exchange = send(spec, policy=OutboundPolicy.allow_all())
    assert exchange.request is None and exchange.error is not None
    assert exchange.error.code == "header_crlf" and "U+0001" in exchange.error.message


def test_upload_with_file_content(echo_server, workdir):
    require("curl")
    spec = parse_curl_command(f"curl -F 'f=@notes.txt' {echo_server.url('/anything')}").spec
    assert spec.body.fields[0].file == FilePart("notes.txt", b"", "application/octet-stream")
    spec = attach_files(spec, workdir)
    by_curl = run_echo(["bash", "-c", to_curl(spec) + " -s"], workdir)
    assert by_curl["files"][0]["content"] == "remember the milk\n"

"""Each generator's code is run where its runtime exists here, against the echo target, and
what arrives is compared with what the engine sends for the same request."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from requests_app.engine.spec import Auth, Body, FilePart, FormField, KeyValue, Options, RequestSpec
from requests_app.interop.snippets import SNIPPET_LANGUAGES, SnippetError, UnknownLanguage, generate_snippet
from tests.interop.echo_compare import clean_env, engine_echo, meaning, require, run_echo

# Headers a runtime adds by itself (fetch in Node: sec-fetch-mode and accept-language).
RUNTIME_HEADERS = {"sec-fetch-mode", "accept-language"}


def specs(base: str) -> dict[str, RequestSpec]:
    return {
        "get-query-headers": RequestSpec(
            url=f"{base}/anything/items?x=1&y=two%20words",
            params=[KeyValue("q", "a b"), KeyValue("off", "1", enabled=False)],
            headers=[KeyValue("X-Trace", "abc"), KeyValue("X-Quote", "it's \"quoted\"")],
        ),
        "post-json": RequestSpec(
            method="POST",
            url=f"{base}/anything/json",
            body=Body(mode="json", text='{"name": "café", "n": [1, 2]}'),
            auth=Auth(type="bearer", token="t0k"),
        ),
        "put-form": RequestSpec(
            method="PUT",
            url=f"{base}/anything/form",
            body=Body(mode="urlencoded", fields=[FormField("a", "1"), FormField("b", "two words & more")]),
            auth=Auth(type="basic", username="alice", password="s3cr:et"),
        ),
        "patch-text": RequestSpec(
            method="PATCH",
            url=f"{base}/anything/text",
            body=Body(mode="raw", text="line1\nline2\ttab ✓", content_type="text/plain"),
            auth=Auth(type="apikey", key="api_key", value="k 1", location="query"),
        ),
        "post-multipart": RequestSpec(
            method="POST",
            url=f"{base}/anything/upload",
            body=Body(
                mode="multipart",
                fields=[
                    FormField("title", "Notes"),
                    FormField("doc", file=FilePart("notes.txt", b"remember the milk\n", "text/plain")),
                ],
            ),
        ),
        "delete-redirected": RequestSpec(
            method="GET",
            url=f"{base}/redirect-to?url=/anything/landed",
            headers=[KeyValue("X-Api-Key", "secret-ish")],
            options=Options(follow_redirects=True, max_redirects=5),
        ),
    }


CASES = ["get-query-headers", "post-json", "put-form", "patch-text", "post-multipart", "delete-redirected"]


def compare(arrived: dict, spec: RequestSpec) -> dict:
    result = meaning(arrived, spec)
    set_by_request = {h.key.lower() for h in spec.headers}
    result["headers"] = [(n, v) for n, v in result["headers"] if n not in RUNTIME_HEADERS - set_by_request]
    return result


def check(arrived: dict, spec: RequestSpec) -> None:
    assert compare(arrived, spec) == compare(engine_echo(spec), spec)


def write(tmp_path: Path, name: str, code: str) -> Path:
    path = tmp_path / name
    path.write_text(code)
    return path


# ---------------------------------------------------------------- run where the runtime exists


@pytest.mark.parametrize("case", CASES)
def test_curl_snippet(case, echo_server, tmp_path):
    require("curl")
    spec = specs(echo_server.url(""))[case]
    (tmp_path / "notes.txt").write_bytes(b"remember the milk\n")
    code = generate_snippet(spec, "curl", mask_secrets=False)
    check(run_echo(["bash", "-c", code], tmp_path), spec)


@pytest.mark.parametrize("case", CASES)
def test_python_urllib_snippet(case, echo_server, tmp_path):
    spec = specs(echo_server.url(""))[case]
    code = generate_snippet(spec, "python-urllib", mask_secrets=False)
    check(run_echo([sys.executable, str(write(tmp_path, "snippet.py", code))], tmp_path), spec)


def _python_has(module: str) -> bool:
    return subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True, check=False).returncode == 0


@pytest.mark.parametrize("case", CASES)
def test_python_requests_snippet(case, echo_server, tmp_path):
    if not _python_has("requests"):
        pytest.skip("the requests package is not installed here")
    spec = specs(echo_server.url(""))[case]
    code = generate_snippet(spec, "python-requests", mask_secrets=False)
    check(run_echo([sys.executable, str(write(tmp_path, "snippet.py", code))], tmp_path), spec)


@pytest.mark.parametrize("case", CASES)
def test_python_httpx_snippet(case, echo_server, tmp_path):
    if not _python_has("httpx"):
        pytest.skip("the httpx package is not installed here (not a dependency of webclient)")
    spec = specs(echo_server.url(""))[case]
    code = generate_snippet(spec, "python-httpx", mask_secrets=False)
    check(run_echo([sys.executable, str(write(tmp_path, "snippet.py", code))], tmp_path), spec)


@pytest.mark.parametrize("case", CASES)
def test_javascript_fetch_snippet_in_node(case, echo_server, tmp_path):
    node = require("node")
    spec = specs(echo_server.url(""))[case]
    code = generate_snippet(spec, "javascript-fetch", mask_secrets=False)
    check(run_echo([node, str(write(tmp_path, "snippet.mjs", code))], tmp_path), spec)


@pytest.mark.parametrize("case", CASES)
def test_node_axios_snippet(case, echo_server, tmp_path):
    node = require("node")
    if subprocess.run([node, "-e", "require('axios')"], capture_output=True, check=False).returncode != 0:
        pytest.skip("axios is not installed for node here")
    spec = specs(echo_server.url(""))[case]
    code = generate_snippet(spec, "node-axios", mask_secrets=False)
    check(run_echo([node, str(write(tmp_path, "snippet.js", code))], tmp_path), spec)


@pytest.mark.parametrize("case", [c for c in CASES if c != "post-multipart"])
def test_wget_snippet(case, echo_server, tmp_path):
    require("wget")
    spec = specs(echo_server.url(""))[case]
    code = generate_snippet(spec, "wget", mask_secrets=False)
    check(run_echo(["bash", "-c", code], tmp_path), spec)


@pytest.mark.parametrize("case", CASES)
def test_httpie_snippet(case, echo_server, tmp_path):
    require("http")
    spec = specs(echo_server.url(""))[case]
    (tmp_path / "notes.txt").write_bytes(b"remember the milk\n")
    code = generate_snippet(spec, "httpie", mask_secrets=False)
    check(run_echo(["bash", "-c", code], tmp_path), spec)


@pytest.mark.parametrize("case", CASES)
def test_go_snippet(case, echo_server, tmp_path):
    go = require("go")
    spec = specs(echo_server.url(""))[case]
    code = generate_snippet(spec, "go", mask_secrets=False)
    check(run_echo([go, "run", str(write(tmp_path, "main.go", code))], tmp_path, timeout=120), spec)


@pytest.mark.parametrize("case", CASES)
def test_powershell_snippet(case, echo_server, tmp_path):
    pwsh = require("pwsh")
    spec = specs(echo_server.url(""))[case]
    (tmp_path / "notes.txt").write_bytes(b"remember the milk\n")
    code = generate_snippet(spec, "powershell", mask_secrets=False) + "\n$response | ConvertTo-Json -Depth 20\n"
    check(run_echo([pwsh, "-NoProfile", "-File", str(write(tmp_path, "snippet.ps1", code))], tmp_path), spec)


@pytest.mark.parametrize("case", [c for c in CASES if c != "delete-redirected"])
def test_raw_http_message_sent_over_a_socket(case, echo_server):
    spec = specs(echo_server.url(""))[case]
    message = generate_snippet(spec, "http", mask_secrets=False).encode("utf-8")
    with socket.create_connection((echo_server.host, echo_server.port), timeout=10) as connection:
        connection.sendall(message.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n", 1))
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200")
    check(json.loads(body), spec)


# ---------------------------------------------------------------- text of the snippets


def test_every_language_is_generated_for_every_case():
    for spec in specs("http://127.0.0.1:8000").values():
        for language in SNIPPET_LANGUAGES:
            assert generate_snippet(spec, language).strip()


def test_unknown_language_is_a_named_error():
    with pytest.raises(UnknownLanguage, match="unknown snippet language 'cobol'"):
        generate_snippet(RequestSpec(url="http://h/"), "cobol")


def test_a_variable_cycle_is_a_named_snippet_error():
    spec = RequestSpec(url="{{a}}/x")
    with pytest.raises(SnippetError, match="variables cannot be resolved: Variable cycle: a → b → a"):
        generate_snippet(spec, "curl", scopes=[{"a": "{{b}}", "b": "{{a}}"}], resolve_variables=True)


def test_auth_credentials_are_masked_by_default():
    spec = RequestSpec(url="http://h/", auth=Auth(type="basic", username="alice", password="hunter2"))
    for language in SNIPPET_LANGUAGES:
        code = generate_snippet(spec, language)
        assert "hunter2" not in code, language
    assert '-u alice:"$WEBCLIENT_PASSWORD"' in generate_snippet(spec, "curl")
    assert "hunter2" in generate_snippet(spec, "curl", mask_secrets=False)


def test_masked_copy_as_curl_sends_the_right_credentials_once_the_variable_is_set(echo_server, tmp_path):
    """Issue 12 item 7: the masked command works: the shell fills in $WEBCLIENT_PASSWORD."""
    require("curl")
    spec = RequestSpec(url=echo_server.url("/anything/basic"), auth=Auth(type="basic", username="alice", password="it's s3cr3t"))
    command = generate_snippet(spec, "curl")
    assert "s3cr3t" not in command
    by_curl = run_echo(["bash", "-c", f"WEBCLIENT_PASSWORD=\"$SECRET\"; {command} -s"], tmp_path, env={"SECRET": "it's s3cr3t"})
    assert meaning(by_curl, spec) == meaning(engine_echo(spec), spec)


def test_copy_as_curl_keeps_compression():
    """The engine asks for compressed answers and decodes them: so does curl --compressed."""
    assert "--compressed" in generate_snippet(RequestSpec(url="http://h/"), "curl")
    identity = RequestSpec(url="http://h/", headers=[KeyValue("Accept-Encoding", "identity")])
    assert "--compressed" not in generate_snippet(identity, "curl")


def test_variables_are_kept_unless_resolved_and_secret_ones_stay_hidden():
    spec = RequestSpec(
        url="{{base}}/items",
        headers=[KeyValue("Authorization", "Bearer {{token}}")],
        auth=Auth(type="bearer", token="{{token}}"),
    )
    scopes = [{"base": "http://127.0.0.1:9", "token": "s3cret"}]
    kept = generate_snippet(spec, "curl", scopes=scopes)
    assert "{{base}}/items" in kept and "s3cret" not in kept
    resolved = generate_snippet(spec, "curl", scopes=scopes, resolve_variables=True, secret_names={"token"})
    assert "http://127.0.0.1:9/items" in resolved
    assert "s3cret" not in resolved and "Bearer {{token}}" in resolved
    shown = generate_snippet(
        spec, "curl", scopes=scopes, resolve_variables=True, secret_names={"token"}, mask_secrets=False
    )
    assert "Bearer s3cret" in shown


def test_secret_masking_of_literal_tokens_and_api_keys():
    bearer = RequestSpec(url="http://h/", auth=Auth(type="bearer", token="abc.def"))
    apikey = RequestSpec(url="http://h/", auth=Auth(type="apikey", key="X-Key", value="k-1"))
    assert "Bearer {{accessToken}}" in generate_snippet(bearer, "python-urllib")
    assert "X-Key: {{apiKey}}" in generate_snippet(apikey, "http")
    assert "'X-Key: '\"$WEBCLIENT_API_KEY\"" in generate_snippet(apikey, "curl")
    typed = RequestSpec(url="http://h/", headers=[KeyValue("Authorization", "Basic YWxpY2U6aHVudGVyMg==")])
    assert "Authorization: Basic {{credentials}}" in generate_snippet(typed, "http")


def test_python_urllib_snippet_uses_only_the_standard_library(echo_server):
    code = generate_snippet(specs(echo_server.url(""))["post-multipart"], "python-urllib")
    imports = {line.split()[1].split(".")[0] for line in code.splitlines() if line.startswith("import ")}
    assert imports <= set(sys.stdlib_module_names)


def test_options_appear_in_the_snippets():
    spec = RequestSpec(
        url="https://h/",
        options=Options(follow_redirects=False, verify_tls=False, timeout_ms=2500),
        auth=Auth(type="digest", username="u", password="p"),
    )
    assert "NoRedirect()" in generate_snippet(spec, "python-urllib")
    assert "ssl.CERT_NONE" in generate_snippet(spec, "python-urllib")
    assert "HTTPDigestAuthHandler" in generate_snippet(spec, "python-urllib")
    assert 'redirect: "manual"' in generate_snippet(spec, "javascript-fetch")
    assert "fetch cannot answer a digest challenge" in generate_snippet(spec, "javascript-fetch")
    assert "--max-redirect=0" in generate_snippet(spec, "wget") and "--no-check-certificate" in generate_snippet(spec, "wget")
    assert "-SkipCertificateCheck" in generate_snippet(spec, "powershell")
    assert "InsecureSkipVerify: true" in generate_snippet(spec, "go")
    assert "http.ErrUseLastResponse" in generate_snippet(spec, "go")
    assert "--verify=no" in generate_snippet(spec, "httpie") and "--auth-type=digest" in generate_snippet(spec, "httpie")
    assert "verify=False" in generate_snippet(spec, "python-requests")
    assert "follow_redirects=False" in generate_snippet(spec, "python-httpx")


def test_urllib_snippet_runs_with_tls_verification_off(echo_tls_server, tmp_path):
    spec = RequestSpec(url=echo_tls_server.url("/anything/tls"), options=Options(verify_tls=False))
    code = generate_snippet(spec, "python-urllib")
    arrived = run_echo([sys.executable, str(write(tmp_path, "snippet.py", code))], tmp_path)
    assert arrived["path"] == "/anything/tls"


def test_digest_auth_through_the_urllib_snippet(echo_server, tmp_path):
    spec = RequestSpec(
        url=echo_server.url("/digest-auth/auth/alice/pw"), auth=Auth(type="digest", username="alice", password="pw")
    )
    code = generate_snippet(spec, "python-urllib", mask_secrets=False)
    completed = subprocess.run(
        [sys.executable, str(write(tmp_path, "snippet.py", code))], capture_output=True, env=clean_env(), check=False
    )
    assert completed.returncode == 0, completed.stderr
    assert b"alice" in completed.stdout

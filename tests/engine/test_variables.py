"""`{{name}}` substitution: scopes, nesting, cycles, dynamic values, limits, whole specs."""

from __future__ import annotations

import copy
import dataclasses
import re
import time
import uuid
from datetime import UTC, datetime

import pytest

from requests_app.engine.spec import Auth, Body, FilePart, FormField, KeyValue, Options, RequestSpec
from requests_app.engine.variables import (
    DYNAMIC,
    MAX_DEPTH,
    MAX_RESOLVED_CHARS,
    VariableCycleError,
    VariableDepthError,
    VariableExpansionError,
    find_variables,
    merge_scopes,
    resolve_spec,
    resolve_text,
)

UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


# --------------------------------------------------------------- finding names


def test_find_variables_lists_distinct_names_in_order_of_appearance() -> None:
    assert find_variables("{{base}}/users/{{ id }}?q={{base}}&t={{$timestamp}}") == ["base", "id", "$timestamp"]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("{{ spaced name }}", ["spaced name"]),
        ("{{\tname\t}}", ["name"]),
        ("{{a.b-c_d}}", ["a.b-c_d"]),
        ("{{unclosed", []),
        ("{{unclosed}", []),
        ("{{}}", []),
        ("{{   }}", []),
        ("{{a\nb}}", []),
        ("{{{triple}}}", ["triple"]),
        ('{"id": {{id}}}', ["id"]),
        ("{{ {{inner}}", ["inner"]),
        ("no variables at all", []),
    ],
)
def test_find_variables_syntax(text: str, names: list[str]) -> None:
    assert find_variables(text) == names


# --------------------------------------------------------------- scopes


def test_merge_scopes_later_scope_wins_and_inputs_are_untouched() -> None:
    globals_ = {"host": "global.example", "token": "g"}
    environment = {"host": "env.example"}
    collection = {"token": "c"}
    assert merge_scopes([globals_, environment, collection]) == {"host": "env.example", "token": "c"}
    assert globals_ == {"host": "global.example", "token": "g"}
    assert merge_scopes([]) == {}


# --------------------------------------------------------------- resolve_text


def test_resolves_names_with_and_without_spaces() -> None:
    assert resolve_text("http://{{host}}:{{ port }}/", {"host": "127.0.0.1", "port": "8000"}) == (
        "http://127.0.0.1:8000/",
        [],
    )


def test_text_without_variables_is_returned_unchanged() -> None:
    assert resolve_text("plain {{ text", {}) == ("plain {{ text", [])


def test_unknown_names_are_left_as_written_and_reported_once_each() -> None:
    text, unresolved = resolve_text("{{ nope }}/{{other}}/{{nope}}/{{known}}", {"known": "k"})
    assert text == "{{ nope }}/{{other}}/{{nope}}/k"
    assert unresolved == ["nope", "other"]


def test_variables_may_use_other_variables() -> None:
    variables = {
        "url": "{{scheme}}://{{host}}/{{path}}",
        "scheme": "https",
        "host": "{{sub}}.example.com",
        "sub": "api",
        "path": "v1",
    }
    assert resolve_text("{{url}}?x=1", variables) == ("https://api.example.com/v1?x=1", [])


def test_unknown_name_inside_a_nested_value_is_reported() -> None:
    assert resolve_text("{{url}}", {"url": "http://{{host}}/"}) == ("http://{{host}}/", ["host"])


def test_the_same_variable_used_twice_is_not_a_cycle() -> None:
    assert resolve_text("{{pair}}", {"pair": "{{x}}-{{x}}", "x": "{{y}}", "y": "1"}) == ("1-1", [])


def test_substituted_values_are_not_scanned_again() -> None:
    # "{{" arriving through a value must not form a new variable with the text around it.
    text, unresolved = resolve_text("{{open}}secret}}", {"open": "{{", "secret": "LEAK"})
    assert text == "{{secret}}"
    assert unresolved == []


def test_non_string_values_are_used_as_text() -> None:
    assert resolve_text("{{n}}", {"n": 5})[0] == "5"  # type: ignore[dict-item]


# --------------------------------------------------------------- cycles and depth


def test_direct_cycle_raises_with_the_chain() -> None:
    with pytest.raises(VariableCycleError) as caught:
        resolve_text("x{{a}}", {"a": "1{{a}}"})
    assert caught.value.name == "a"
    assert caught.value.chain == ["a", "a"]
    assert str(caught.value) == "Variable cycle: a → a"


def test_indirect_cycle_message_names_every_step() -> None:
    with pytest.raises(VariableCycleError) as caught:
        resolve_text("{{start}}", {"start": "{{a}}", "a": "{{b}}", "b": "{{c}}", "c": "x{{a}}"})
    assert caught.value.chain == ["a", "b", "c", "a"]
    assert caught.value.message == "Variable cycle: a → b → c → a"


def test_nesting_up_to_the_limit_resolves() -> None:
    variables = {f"v{i}": f"{{{{v{i + 1}}}}}" for i in range(MAX_DEPTH - 1)}
    variables[f"v{MAX_DEPTH - 1}"] = "bottom"
    assert resolve_text("{{v0}}", variables) == ("bottom", [])


def test_nesting_past_the_limit_is_a_named_cycle_like_error() -> None:
    variables = {f"v{i}": f"{{{{v{i + 1}}}}}" for i in range(MAX_DEPTH)}
    variables[f"v{MAX_DEPTH}"] = "bottom"
    with pytest.raises(VariableDepthError) as caught:
        resolve_text("{{v0}}", variables)
    assert isinstance(caught.value, VariableCycleError)
    assert caught.value.chain[0] == "v0"
    assert caught.value.chain[-1] == f"v{MAX_DEPTH}"
    assert f"more than {MAX_DEPTH} levels deep" in caught.value.message


# --------------------------------------------------------------- limits


def _laughs(levels: int) -> dict[str, str]:
    variables = {"lol0": "lol"}
    for i in range(1, levels + 1):
        variables[f"lol{i}"] = f"{{{{lol{i - 1}}}}}" * 10
    return variables


def test_expansion_bomb_is_refused_without_building_it() -> None:
    # 3 * 10**12 characters if built; refused as soon as one value passes the limit.
    started = time.process_time()
    with pytest.raises(VariableExpansionError) as caught:
        resolve_text("{{lol12}}", _laughs(12))
    assert time.process_time() - started < 5  # guards against building it, not a benchmark
    assert isinstance(caught.value, ValueError)
    assert "10 MiB" in caught.value.message
    assert caught.value.limit == MAX_RESOLVED_CHARS


def test_expansion_just_under_the_limit_is_allowed() -> None:
    text, _ = resolve_text("{{big}}{{big}}", {"big": "x" * 50}, max_chars=100)
    assert len(text) == 100
    with pytest.raises(VariableExpansionError, match="longer than 100 characters"):
        resolve_text("{{big}}{{big}}!", {"big": "x" * 50}, max_chars=100)


def test_chain_of_large_values_is_capped_in_total() -> None:
    # Each value stays under the per-text limit; together they would not.
    variables = {"v0": "x" * 90}
    for i in range(1, 10):
        variables[f"v{i}"] = f"{{{{v{i - 1}}}}}y"
    with pytest.raises(VariableExpansionError, match="more text in all than"):
        resolve_text("{{v9}}", variables, max_chars=100)


# --------------------------------------------------------------- dynamic variables


def test_uuid_variables_are_version_4_and_fresh_per_occurrence() -> None:
    text, unresolved = resolve_text("{{$uuid}} {{$uuid}} {{$guid}} {{$randomUUID}}", {})
    values = text.split(" ")
    assert unresolved == []
    assert all(UUID4.match(v) and uuid.UUID(v).version == 4 for v in values)
    assert len(set(values)) == 4


def test_timestamps_are_fixed_per_request_and_agree() -> None:
    before = int(time.time())
    cache: dict[str, str] = {}
    first, _ = resolve_text("{{$timestamp}}|{{$isoTimestamp}}|{{$timestamp}}", {}, dynamic_cache=cache)
    time.sleep(0.002)
    second, _ = resolve_text("{{$isoTimestamp}}", {}, dynamic_cache=cache)
    after = int(time.time())

    stamp, iso, stamp_again = first.split("|")
    assert stamp == stamp_again
    assert re.fullmatch(r"\d+", stamp) and before <= int(stamp) <= after
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", iso)
    moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    assert moment.tzinfo is not None and moment.utcoffset() == UTC.utcoffset(None)
    assert int(moment.timestamp()) == int(stamp)
    assert second == iso


def test_random_int_is_an_integer_from_0_to_1000_and_varies() -> None:
    text, _ = resolve_text(" ".join(["{{$randomInt}}"] * 200), {})
    numbers = [int(n) for n in text.split(" ")]
    assert all(0 <= n <= 1000 for n in numbers)
    assert len(set(numbers)) > 1


@pytest.mark.parametrize(
    ("name", "pattern"),
    [
        ("$randomBoolean", r"true|false"),
        ("$randomAlphaNumeric", r"[a-z0-9]"),
        ("$randomEmail", r"[a-z]+\.[a-z]+\d+@example\.com"),
        ("$randomHexColor", r"#[0-9a-f]{6}"),
        ("$randomIP", r"\d{1,3}(\.\d{1,3}){3}"),
        ("$randomPassword", r"[A-Za-z0-9]{15}"),
        ("$randomFullName", r"[A-Z][a-z]+ [A-Z][a-z]+"),
    ],
)
def test_postman_dynamic_variables_have_their_shapes(name: str, pattern: str) -> None:
    for _ in range(20):
        text, unresolved = resolve_text(f"{{{{{name}}}}}", {})
        assert unresolved == []
        assert re.fullmatch(pattern, text), text


def test_every_dynamic_variable_gives_plain_text() -> None:
    assert {"$uuid", "$guid", "$timestamp", "$isoTimestamp", "$randomInt", "$randomEmail"} <= DYNAMIC
    for name in DYNAMIC:
        text, unresolved = resolve_text(f"{{{{{name}}}}}", {})
        assert unresolved == [] and text and "{{" not in text, name


def test_unknown_dynamic_name_is_unresolved() -> None:
    assert resolve_text("{{$notAThing}}", {}) == ("{{$notAThing}}", ["$notAThing"])


def test_a_defined_variable_wins_over_a_dynamic_one() -> None:
    assert resolve_text("{{$timestamp}}", {"$timestamp": "fixed"}) == ("fixed", [])


def test_a_variable_has_one_value_per_request_even_when_built_from_a_dynamic_one() -> None:
    text, _ = resolve_text("{{id}}/{{id}}", {"id": "{{$uuid}}"})
    first, second = text.split("/")
    assert first == second and UUID4.match(first)


# --------------------------------------------------------------- resolve_spec


SCOPES = [
    {"host": "global.example", "user": "ada", "token": "t-global"},
    {"host": "127.0.0.1:8000", "token": "t-env", "secret": "s3cret", "h": "X-Trace", "field": "name"},
]


def _full_spec() -> RequestSpec:
    return RequestSpec(
        method="POST",
        url="http://{{host}}/items/{{ id }}",
        params=[
            KeyValue("q", "{{user}}"),
            KeyValue("{{field}}", "v"),
            KeyValue("off", "{{disabled1}}", enabled=False),
        ],
        headers=[KeyValue("{{h}}", "{{$uuid}}"), KeyValue("X-Off", "{{disabled2}}", enabled=False)],
        body=Body(mode="json", text='{"user": "{{user}}", "at": {{$timestamp}}}'),
        auth=Auth(type="bearer", token="{{token}}", username="{{leftover}}"),
    )


def test_resolve_spec_resolves_url_params_headers_body_and_auth() -> None:
    resolved, warnings = resolve_spec(_full_spec(), SCOPES)
    assert resolved.url == "http://127.0.0.1:8000/items/{{ id }}"
    assert [(p.key, p.value, p.enabled) for p in resolved.params] == [
        ("q", "ada", True),
        ("name", "v", True),
        ("off", "{{disabled1}}", False),
    ]
    assert resolved.headers[0].key == "X-Trace"
    assert UUID4.match(resolved.headers[0].value)
    assert resolved.headers[1].value == "{{disabled2}}"
    assert re.fullmatch(r'\{"user": "ada", "at": \d+\}', resolved.body.text)
    assert resolved.auth.token == "t-env"
    assert resolved.method == "POST"
    # Disabled rows and the other auth types' leftovers are not sent, so they raise no warnings.
    assert warnings == ["id"]


def test_resolve_spec_does_not_mutate_the_spec() -> None:
    spec = _full_spec()
    before = copy.deepcopy(spec)
    resolved, _ = resolve_spec(spec, SCOPES)
    assert spec == before
    assert resolved is not spec
    assert resolved.params is not spec.params and resolved.headers is not spec.headers
    resolved.params.append(KeyValue("new", "row"))
    resolved.headers[0].value = "changed"
    assert spec == before


def test_resolve_spec_copies_every_field_of_a_spec_without_variables() -> None:
    # Every field set away from its default: a copy that dropped one would not compare equal.
    spec = RequestSpec(
        method="PATCH",
        url="http://h/x",
        params=[KeyValue("p", "1"), KeyValue("off", "0", enabled=False)],
        headers=[KeyValue("H", "v")],
        body=Body(
            mode="raw", text="t", content_type="text/x", fields=[FormField("f", "v")], data=b"d", query="q", variables="{}",
            form_encoding="percent",
        ),
        auth=Auth(
                type="apikey", username="u", password="p", token="t", key="k", value="v", location="query",
                access_key="a", secret_key="s", session_token="st", region="r", service="sv", unsigned_payload=True,
                grant_type="password", token_url="tu", auth_url="au", client_id="ci", client_secret="cs", scope="sc",
                audience="aud", resource="res", client_auth="basic", extra_params=[KeyValue("e", "1")],
                header_prefix="Token", query_param="qp",
            ),
        options=Options(
            follow_redirects=False, max_redirects=3, timeout_ms=5, verify_tls=False, use_cookies=False, max_response_bytes=7
        ),
    )
    for part in (spec.body, spec.auth, spec.options):
        for field in dataclasses.fields(part):
            default = field.default if field.default_factory is dataclasses.MISSING else field.default_factory()
            assert getattr(part, field.name) != default, f"give {type(part).__name__}.{field.name} a value above"
    resolved, warnings = resolve_spec(spec, [])
    assert resolved == spec and warnings == []
    assert resolved.body is not spec.body and resolved.auth is not spec.auth and resolved.options is not spec.options


def test_warnings_are_one_per_distinct_name_in_order() -> None:
    spec = RequestSpec(
        url="http://{{host}}/{{path}}",
        headers=[KeyValue("A", "{{path}}"), KeyValue("B", "{{ host }}")],
        body=Body(mode="raw", text="{{body_var}} {{host}}"),
    )
    _, warnings = resolve_spec(spec, [])
    assert warnings == ["host", "path", "body_var"]


def test_timestamp_is_the_same_across_a_request_and_uuid_is_fresh_per_occurrence() -> None:
    spec = RequestSpec(
        url="http://h/{{$timestamp}}/{{$uuid}}",
        headers=[KeyValue("T", "{{$isoTimestamp}}"), KeyValue("U", "{{$uuid}}"), KeyValue("T2", "{{$timestamp}}")],
    )
    resolved, _ = resolve_spec(spec, [])
    _, _, _, stamp, first_uuid = resolved.url.split("/")
    assert resolved.headers[2].value == stamp
    assert int(datetime.fromisoformat(resolved.headers[0].value.replace("Z", "+00:00")).timestamp()) == int(stamp)
    assert first_uuid != resolved.headers[1].value


def test_urlencoded_fields_keys_and_values_are_resolved() -> None:
    fields = [FormField("{{field}}", "{{user}}"), FormField("x", "{{gone}}", enabled=False)]
    spec = RequestSpec(body=Body(mode="urlencoded", fields=fields))
    resolved, warnings = resolve_spec(spec, SCOPES)
    assert [(f.key, f.value) for f in resolved.body.fields] == [("name", "ada"), ("x", "{{gone}}")]
    assert warnings == []


def test_multipart_file_contents_and_names_are_not_templates() -> None:
    upload = FilePart(filename="{{user}}.txt", content=b"{{secret}}", content_type="text/plain")
    fields = [FormField("{{field}}", "{{secret}}"), FormField("doc-{{user}}", file=upload)]
    spec = RequestSpec(body=Body(mode="multipart", fields=fields))
    resolved, warnings = resolve_spec(spec, SCOPES)
    text_field, file_field = resolved.body.fields
    assert (text_field.key, text_field.value) == ("name", "s3cret")
    assert file_field.key == "doc-ada"
    assert file_field.file is not None
    assert file_field.file.content == b"{{secret}}"
    assert file_field.file.filename == "{{user}}.txt"
    assert file_field.file is not upload
    assert warnings == []


def test_binary_body_is_sent_as_is() -> None:
    spec = RequestSpec(body=Body(mode="binary", data=b"\x00{{secret}}\xff", content_type="{{ct}}"))
    resolved, warnings = resolve_spec(spec, SCOPES)
    assert resolved.body.data == b"\x00{{secret}}\xff"
    assert warnings == []


def test_graphql_query_and_variables_are_resolved() -> None:
    query = 'query { user(name: "{{user}}") { id } }'
    spec = RequestSpec(body=Body(mode="graphql", query=query, variables='{"t": "{{token}}"}'))
    resolved, _ = resolve_spec(spec, SCOPES)
    assert resolved.body.query == 'query { user(name: "ada") { id } }'
    assert resolved.body.variables == '{"t": "t-env"}'


def test_only_the_active_body_mode_is_resolved() -> None:
    spec = RequestSpec(body=Body(mode="none", text="{{stale}}", query="{{stale2}}"))
    resolved, warnings = resolve_spec(spec, [])
    assert resolved.body.text == "{{stale}}"
    assert warnings == []


@pytest.mark.parametrize(
    ("auth", "expected"),
    [
        (Auth(type="basic", username="{{user}}", password="{{secret}}"), {"username": "ada", "password": "s3cret"}),
        (Auth(type="digest", username="{{user}}", password="{{secret}}"), {"username": "ada", "password": "s3cret"}),
        (Auth(type="bearer", token="{{token}}"), {"token": "t-env"}),
        (
            Auth(type="apikey", key="{{h}}", value="{{secret}}", location="query"),
            {"key": "X-Trace", "value": "s3cret", "location": "query"},
        ),
        (Auth(type="none", token="{{token}}"), {"token": "{{token}}"}),
    ],
)
def test_auth_fields_of_the_active_type_are_resolved(auth: Auth, expected: dict[str, str]) -> None:
    resolved, _ = resolve_spec(RequestSpec(auth=auth), SCOPES)
    assert {name: getattr(resolved.auth, name) for name in expected} == expected


def test_scopes_order_applies_to_the_whole_spec() -> None:
    spec = RequestSpec(url="http://{{host}}/", headers=[KeyValue("Authorization", "Bearer {{token}}")])
    resolved, _ = resolve_spec(spec, [{"host": "a", "token": "1"}, {"host": "b"}])
    assert resolved.url == "http://b/"
    assert resolved.headers[0].value == "Bearer 1"


def test_cycle_in_a_spec_names_the_field() -> None:
    spec = RequestSpec(url="http://x/", headers=[KeyValue("A", "fine"), KeyValue("B", "{{loop}}")])
    with pytest.raises(VariableCycleError) as caught:
        resolve_spec(spec, [{"loop": "{{again}}", "again": "{{loop}}"}])
    assert caught.value.field == "headers[1].value"
    assert caught.value.message == "Variable cycle: loop → again → loop"


def test_expansion_bomb_in_a_spec_is_refused_and_names_the_field() -> None:
    spec = RequestSpec(url="http://x/", body=Body(mode="raw", text="{{lol12}}"))
    with pytest.raises(VariableExpansionError) as caught:
        resolve_spec(spec, [_laughs(12)])
    assert caught.value.field == "body.text"

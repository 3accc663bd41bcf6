"""Forms of the page: the request editor's POST data becomes a RequestSpec here.

Usage::

    spec = spec_from_editor(request.POST, request.FILES)   # raises EditorInputError
    fields = editor_fields(spec)                            # the reverse, for rendering

The editor's tables (params, headers, form fields) post indexed names such as
``headers-3-key`` / ``headers-3-value`` / ``headers-3-enabled``: an unticked checkbox
is simply absent, so indexes (not positions in a list) tie a row's parts together.
Rows keep the order of their indexes, duplicates included.

The URL field is the truth for enabled query parameters: the URL is kept exactly as
typed (query included, never re-encoded) and ``spec.params`` only carries the rows the
person switched off, so they are not lost. The Params table shows names and values decoded
(``rock%26roll`` reads ``rock&roll``) and writes them into the URL encoded
(static/js/params.js, the engine's rules). A spec made elsewhere (API, import) with enabled
params is shown with those params appended to the URL as the engine would send them.
"""

# One module past 500 lines: the editor's POST format both ways (spec_from_editor and editor_fields), each field's reader beside its writer.
from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.http import QueryDict
from django.utils.datastructures import MultiValueDict

from requests_app.engine.spec import (
    AUTH_TYPES,
    DEFAULT_MAX_REDIRECTS,
    DEFAULT_TIMEOUT_MS,
    OAUTH2_CLIENT_AUTH,
    OAUTH2_GRANTS,
    RAW_CONTENT_TYPES,
    Auth,
    Body,
    FilePart,
    FormField,
    KeyValue,
    Options,
    RequestSpec,
    auth_to_dict,
)
from requests_app.engine.validation import decode_param_text, encode_param_text, is_token

STANDARD_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
CUSTOM_METHOD = "__custom__"
# RFC 9110 token: what a method may be made of.

EDITOR_BODY_MODES = ("none", "raw", "urlencoded", "multipart", "binary", "graphql")
RAW_TYPES = tuple(RAW_CONTENT_TYPES)  # json, xml, html, text, javascript
# A raw type select value for a content type outside the list, e.g. "ct:application/vnd.api+json".
RAW_TYPE_OTHER_PREFIX = "ct:"
ROW_NAME = re.compile(r"^(?P<table>[a-z]+)-(?P<index>\d{1,6})-(?P<part>key|value|enabled|keep|type)$")
TABLES = ("params", "headers", "urlencoded", "multipart")

# Named errors the editor shows beside the field at fault.
METHOD_MISSING = "Type a method name, for example PROPFIND."
METHOD_INVALID = "A method is one word of letters, digits and !#$%&'*+-.^_`|~ (no spaces)."
URL_MISSING = "Type a URL to send the request to."
NUMBER_INVALID = "Must be a whole number between {low} and {high}."
FILE_KEEP_INVALID = "The kept file could not be read; choose the file again."
PASSWORDS_DIFFER = "The two passwords differ."
GRAPHQL_VARIABLES_INVALID = "GraphQL variables must be a JSON object: {detail}"


class EditorInputError(ValueError):
    """Input the editor cannot turn into a request; `field` names the form field at fault."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field = field_name
        self.message = message


# ------------------------------------------------------------------- parsing


def _rows(data: QueryDict, table: str) -> list[dict[str, str]]:
    """The rows of one editor table, in index order; fully empty rows are dropped."""
    by_index: dict[int, dict[str, str]] = {}
    for name in data:
        match = ROW_NAME.match(name)
        if match and match["table"] == table:
            by_index.setdefault(int(match["index"]), {})[match["part"]] = data.get(name, "")
    rows = []
    for index in sorted(by_index):
        row = by_index[index]
        row["index"] = str(index)
        kept_file = row.get("keep", "") and row.get("type") != "text"
        if row.get("key", "") or row.get("value", "") or kept_file:
            rows.append(row)
    return rows


def _key_values(data: QueryDict, table: str) -> list[KeyValue]:
    return [KeyValue(r.get("key", ""), r.get("value", ""), "enabled" in r) for r in _rows(data, table)]


def _int_field(data: QueryDict, name: str, default: int, low: int, high: int) -> int:
    raw = data.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise EditorInputError(name, NUMBER_INVALID.format(low=low, high=high)) from None
    if not low <= value <= high:
        raise EditorInputError(name, NUMBER_INVALID.format(low=low, high=high))
    return value


def _file_part(upload: UploadedFile) -> FilePart:
    return FilePart(
        filename=upload.name or "file",
        content=upload.read(),
        content_type=upload.content_type or "application/octet-stream",
    )


def encode_kept_file(part: FilePart) -> str:
    """A file already in a request, carried through the form so re-sending needs no re-upload."""
    return json.dumps(
        {"name": part.filename, "content_type": part.content_type, "base64": base64.b64encode(part.content).decode()}
    )


def decode_kept_file(text: str, field_name: str) -> FilePart:
    try:
        data = json.loads(text)
        return FilePart(
            filename=str(data["name"]),
            content=base64.b64decode(data["base64"], validate=True),
            content_type=str(data.get("content_type") or "application/octet-stream"),
        )
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise EditorInputError(field_name, FILE_KEEP_INVALID) from None


def _method(data: QueryDict) -> str:
    chosen = data.get("method", "GET").strip()
    if chosen == CUSTOM_METHOD:
        chosen = data.get("method_custom", "").strip()
        if not chosen:
            raise EditorInputError("method_custom", METHOD_MISSING)
    if not is_token(chosen):
        raise EditorInputError("method_custom" if chosen not in STANDARD_METHODS else "method", METHOD_INVALID)
    return chosen.upper() if chosen.upper() in STANDARD_METHODS else chosen


def _disabled_params(data: QueryDict) -> list[KeyValue]:
    # Enabled params live in the URL itself (see the module docstring).
    return [kv for kv in _key_values(data, "params") if not kv.enabled]


def _form_fields(data: QueryDict, files: MultiValueDict, table: str) -> list[FormField]:
    out = []
    for row in _rows(data, table):
        file_part = None
        # A multipart row switched to Text drops its file; rows sent without a type (older pages,
        # the API's form posts) carry one when they have one.
        if table == "multipart" and row.get("type") != "text":
            upload = files.get(f"multipart-{row['index']}-file")
            if upload is not None:
                file_part = _file_part(upload)
            elif row.get("keep"):
                file_part = decode_kept_file(row["keep"], f"multipart-{row['index']}-file")
            elif row.get("type") == "file":  # no file chosen yet: still a File row when it comes back
                file_part = FilePart(filename="", content=b"")
        out.append(FormField(row.get("key", ""), row.get("value", ""), "enabled" in row, file_part))
    # A file chosen in a row with no name yet still counts: the row was kept empty-keyed.
    return out


def _body(data: QueryDict, files: MultiValueDict) -> Body:
    mode = data.get("body_mode", "none")
    if mode not in EDITOR_BODY_MODES:
        raise EditorInputError("body_mode", f"Choose one of: {', '.join(EDITOR_BODY_MODES)}.")
    if mode == "raw":
        raw_type = data.get("raw_type", "json")
        # A textarea always submits its line ends as CRLF (HTML form submission normalises them);
        # what the person typed, and what the editor shows, has LF.
        text = data.get("body_text", "").replace("\r\n", "\n")
        if raw_type == "json":
            return Body(mode="json", text=text)
        if raw_type.startswith(RAW_TYPE_OTHER_PREFIX):
            return Body(mode="raw", text=text, content_type=raw_type[len(RAW_TYPE_OTHER_PREFIX) :])
        return Body(mode="raw", text=text, content_type=RAW_CONTENT_TYPES.get(raw_type, RAW_CONTENT_TYPES["text"]))
    if mode == "urlencoded":
        # Kept from the request as loaded (a Postman import sends a space as %20, as newman does).
        encoding = "percent" if data.get("form_encoding") == "percent" else "plus"
        return Body(mode=mode, fields=_form_fields(data, files, mode), form_encoding=encoding)
    if mode == "multipart":
        return Body(mode=mode, fields=_form_fields(data, files, mode))
    if mode == "binary":
        upload = files.get("body_file")
        if upload is not None:
            part = _file_part(upload)
        elif data.get("body_file_keep"):
            part = decode_kept_file(data["body_file_keep"], "body_file")
        else:
            part = FilePart(filename="", content=b"")
        content_type = data.get("binary_content_type", "").strip() or part.content_type
        return Body(mode="binary", data=part.content, content_type=content_type)
    if mode == "graphql":
        variables = data.get("graphql_variables", "").strip()
        if variables:
            try:
                parsed = json.loads(variables)
            except ValueError as exc:
                raise EditorInputError("graphql_variables", GRAPHQL_VARIABLES_INVALID.format(detail=exc)) from None
            if not isinstance(parsed, dict):
                raise EditorInputError("graphql_variables", GRAPHQL_VARIABLES_INVALID.format(detail="not an object"))
        return Body(mode="graphql", query=data.get("graphql_query", "").replace("\r\n", "\n"), variables=variables)
    return Body()


def auth_from_post(data: QueryDict) -> Auth:
    auth_type = data.get("auth_type", "none")
    if auth_type not in AUTH_TYPES:
        raise EditorInputError("auth_type", f"Choose one of: {', '.join(AUTH_TYPES)}.")
    if auth_type in ("basic", "digest"):
        return Auth(type=auth_type, username=data.get("auth_username", ""), password=data.get("auth_password", ""))
    if auth_type == "bearer":
        return Auth(type="bearer", token=data.get("auth_token", ""))
    if auth_type == "apikey":
        location = data.get("auth_in", "header")
        return Auth(
            type="apikey",
            key=data.get("auth_key", ""),
            value=data.get("auth_value", ""),
            location=location if location in ("header", "query") else "header",
        )
    if auth_type == "inherit":
        return Auth(type="inherit")  # resolved when sent, from the request's collection; saved as is
    if auth_type == "awsv4":
        return Auth(
            type="awsv4",
            access_key=data.get("auth_access_key", "").strip(),
            secret_key=data.get("auth_secret_key", ""),
            session_token=data.get("auth_session_token", "").strip(),
            region=data.get("auth_region", "").strip(),
            service=data.get("auth_service", "").strip(),
            unsigned_payload="auth_unsigned_payload" in data,
        )
    if auth_type == "oauth2":
        return _oauth2(data)
    return Auth()


OAUTH_EXTRA_LINE_INVALID = "Line {line} of the extra parameters has no '=': write one name=value per line."


def _oauth2(data: QueryDict) -> Auth:
    extra = []
    for number, line in enumerate(data.get("auth_extra_params", "").splitlines(), start=1):
        if not line.strip():
            continue
        # "# name=value": a parameter kept but not sent (a Postman import's disabled one)
        enabled = not line.lstrip().startswith("#")
        name, equals, value = (line.lstrip()[1:] if not enabled else line).partition("=")
        if not equals or not name.strip():
            raise EditorInputError("auth_extra_params", OAUTH_EXTRA_LINE_INVALID.format(line=number))
        extra.append(KeyValue(name.strip(), value.strip(), enabled))

    def choice(name: str, allowed: tuple[str, ...], default: str) -> str:
        value = data.get(name, default)
        if value not in allowed:
            raise EditorInputError(name, f"Choose one of: {', '.join(allowed)}.")
        return value

    return Auth(
        type="oauth2",
        grant_type=choice("auth_grant_type", OAUTH2_GRANTS, "client_credentials"),
        token_url=data.get("auth_token_url", "").strip(),
        auth_url=data.get("auth_auth_url", "").strip(),
        client_id=data.get("auth_client_id", "").strip(),
        client_secret=data.get("auth_client_secret", ""),
        scope=data.get("auth_scope", "").strip(),
        audience=data.get("auth_audience", "").strip(),
        resource=data.get("auth_resource", "").strip(),
        client_auth=choice("auth_client_auth", OAUTH2_CLIENT_AUTH, "body"),
        username=data.get("auth_oauth_username", ""),
        password=data.get("auth_oauth_password", ""),
        extra_params=extra,
        location=choice("auth_token_in", ("header", "query"), "header"),
        header_prefix=data.get("auth_header_prefix", "Bearer").strip(),
        query_param=data.get("auth_query_param", "").strip() or "access_token",
    )


def _options(data: QueryDict) -> Options:
    return Options(
        follow_redirects="opt_follow_redirects" in data,
        max_redirects=_int_field(data, "opt_max_redirects", DEFAULT_MAX_REDIRECTS, 0, 50),
        timeout_ms=_int_field(data, "opt_timeout_ms", DEFAULT_TIMEOUT_MS, 1, 600_000),
        verify_tls="opt_verify_tls" in data,
        use_cookies="opt_use_cookies" in data,
    )


def spec_from_editor(data: QueryDict, files: MultiValueDict | None = None) -> RequestSpec:
    """The editor form as a RequestSpec; raises EditorInputError naming the field at fault."""
    files = files if files is not None else MultiValueDict()
    url = data.get("url", "").strip()
    if not url:
        raise EditorInputError("url", URL_MISSING)
    return RequestSpec(
        method=_method(data),
        url=url,
        params=_disabled_params(data),
        headers=_key_values(data, "headers"),
        body=_body(data, files),
        auth=auth_from_post(data),
        options=_options(data),
    )


# ------------------------------------------------------------------- rendering


def split_query(url: str) -> tuple[str, list[KeyValue]]:
    """`http://h/p?a=%26&b#f` -> (`http://h/p`, [a=&, b=]): rows decoded, fragment dropped from the rows."""
    base, sep, rest = url.partition("?")
    if not sep:
        return url, []
    query = rest.split("#", 1)[0]
    rows = []
    for pair in query.split("&"):
        if pair:
            key, _, value = pair.partition("=")
            rows.append(KeyValue(decode_param_text(key), decode_param_text(value), True))
    return base, rows


def url_with_params(url: str, params: list[KeyValue]) -> str:
    """The URL as the editor shows it: the spec's enabled params appended as the engine encodes them."""
    enabled = [p for p in params if p.enabled]
    if not enabled:
        return url
    base, sep, fragment = url.partition("#")
    joiner = "&" if "?" in base else "?"
    if base.endswith(("?", "&")):
        joiner = ""
    query = "&".join(_shown_param(p) for p in enabled)
    return f"{base}{joiner}{query}{sep}{fragment}"


def _shown_param(param: KeyValue) -> str:
    key = encode_param_text(param.key, name=True, keep_escapes=True)
    return f"{key}={encode_param_text(param.value, keep_escapes=True)}" if param.value else key


@dataclass
class EditorFields:
    """What the editor template needs to show a spec: tables with their rows, and scalars."""

    method: str
    is_custom_method: bool
    url: str
    params: list[KeyValue]
    headers: list[KeyValue]
    body_mode: str
    raw_type: str
    raw_type_other: str
    body_text: str
    urlencoded: list[FormField]
    multipart: list[dict[str, Any]]
    binary: dict[str, Any] | None
    graphql_query: str
    graphql_variables: str
    auth: Auth
    options: Options
    extra: dict[str, Any] = field(default_factory=dict)
    form_encoding: str = "plus"


def _raw_type(body: Body) -> tuple[str, str]:
    if body.mode == "json":
        return "json", ""
    for name, content_type in RAW_CONTENT_TYPES.items():
        if body.content_type == content_type:
            return name, ""
    if body.content_type:
        return RAW_TYPE_OTHER_PREFIX + body.content_type, body.content_type
    return "text", ""


def editor_fields(spec: RequestSpec) -> EditorFields:
    url = url_with_params(spec.url, spec.params)
    _, url_rows = split_query(url)
    disabled = [p for p in spec.params if not p.enabled]
    body = spec.body
    raw_type, raw_type_other = _raw_type(body) if body.mode in ("raw", "json") else ("json", "")
    multipart = []
    if body.mode == "multipart":
        for f in body.fields:
            multipart.append(
                {
                    "field": f,
                    "keep": encode_kept_file(f.file) if f.file is not None else "",
                    "file": f.file,
                }
            )
    binary = None
    if body.mode == "binary" and body.data:
        part = FilePart(filename="body.bin", content=body.data, content_type=body.content_type)
        binary = {"size": len(body.data), "keep": encode_kept_file(part), "content_type": body.content_type}
    return EditorFields(
        method=spec.method,
        is_custom_method=spec.method not in STANDARD_METHODS,
        url=url,
        params=url_rows + disabled,
        headers=list(spec.headers),
        body_mode="raw" if body.mode == "json" else body.mode,
        raw_type=raw_type,
        raw_type_other=raw_type_other,
        body_text=body.text,
        urlencoded=list(body.fields) if body.mode == "urlencoded" else [],
        multipart=multipart,
        binary=binary,
        graphql_query=body.query,
        graphql_variables=body.variables,
        auth=spec.auth,
        options=spec.options,
        form_encoding=body.form_encoding,
    )


# ------------------------------------------------------------------- small forms


class NameForm(forms.Form):
    name = forms.CharField(max_length=200, strip=True)


class SaveAsForm(forms.Form):
    name = forms.CharField(max_length=200, strip=True)
    # "c:<collection id>" or "f:<folder id>": where the request goes.
    location = forms.RegexField(regex=r"^[cf]:\d+$", error_messages={"invalid": "Choose a collection or folder."})

    def target(self) -> tuple[str, int]:
        kind, _, ident = self.cleaned_data["location"].partition(":")
        return ("collection" if kind == "c" else "folder"), int(ident)


class SignupForm(forms.Form):
    """Sign-up fields; username and password rules are the account service's (errors mapped back)."""

    username = forms.CharField(max_length=150, strip=True)
    password = forms.CharField(widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}), strip=False)
    password_again = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}), strip=False, label="Password (again)"
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password_again") and data["password"] != data["password_again"]:
            self.add_error("password_again", PASSWORDS_DIFFER)
        return data


class TokenCreateForm(forms.Form):
    name = forms.CharField(max_length=100, strip=True, help_text="What the token is for, e.g. “CI on laptop”.")


class EnvironmentVariablesForm:
    """The variables table of an environment: rows of key, value, enabled, secret."""

    ROW = re.compile(r"^vars-(?P<index>\d{1,6})-(?P<part>key|value|enabled|secret|keep|hosts)$")

    def __init__(self, data: QueryDict) -> None:
        self.data = data

    def rows(self) -> list[dict[str, Any]]:
        by_index: dict[int, dict[str, str]] = {}
        for name in self.data:
            match = self.ROW.match(name)
            if match:
                by_index.setdefault(int(match["index"]), {})[match["part"]] = self.data.get(name, "")
        out = []
        for index in sorted(by_index):
            row = by_index[index]
            key = row.get("key", "").strip()
            if not key and not row.get("value"):
                continue
            out.append(
                {
                    "key": key,
                    "value": row.get("value", ""),
                    "enabled": "enabled" in row,
                    "secret": "secret" in row,
                    # Where a secret may be sent: "api.example.com, *.example.org".
                    "hosts": row.get("hosts", "").replace(",", " ").split(),
                    # A masked secret left untouched keeps its stored value.
                    "keep": "keep" in row and not row.get("value"),
                }
            )
        return out


SCRIPT_FIELDS = {"prerequest": "script_prerequest", "test": "script_test"}


def scripts_from_editor(data: QueryDict, keep: dict[str, str] | None = None) -> dict[str, str] | None:
    """The Scripts tab's two text areas, None when the form has no Scripts tab; `keep`: the stored
    scripts, whose other keys (.http handler scripts) stay as they are."""
    if not any(name in data for name in SCRIPT_FIELDS.values()):
        return None
    scripts = {key: value for key, value in (keep or {}).items() if key not in SCRIPT_FIELDS}
    for event, name in SCRIPT_FIELDS.items():
        text = data.get(name, "").replace("\r\n", "\n")
        if text.strip():
            scripts[event] = text
    return scripts


def collection_settings_from_form(data: QueryDict) -> dict[str, Any]:
    """Description, variables ({key, value, enabled} rows of the "vars" table) and default auth
    (engine dict, or None to keep it) from the collection settings dialog; collection_update
    validates them."""
    if data.get("auth_type", "none") == "inherit":
        raise EditorInputError("auth_type", "A collection has nothing to inherit from: choose an auth type or No auth.")
    return _settings_from_form(data)


def folder_settings_from_form(data: QueryDict) -> dict[str, Any]:
    """The folder settings dialog's fields, as collection_settings_from_form; auth may be "inherit"."""
    return _settings_from_form(data)


def settings_as_typed(data: QueryDict) -> dict[str, Any]:
    """What the settings dialog held when its save failed, to show it again as typed: name,
    description, variables, auth (its extra token parameters left out when they do not parse,
    with `extra_params_text` the text as typed; None when they parse)."""
    typed: dict[str, Any] = {
        "name": data.get("name", ""),
        "description": data.get("description", "").replace("\r\n", "\n"),
        "variables": _settings_variables(data),
        "extra_params_text": None,
    }
    try:
        typed["auth"] = auth_to_dict(auth_from_post(data))
    except EditorInputError:
        without = data.copy()
        without["auth_extra_params"] = ""
        try:
            typed["auth"] = auth_to_dict(auth_from_post(without))
        except EditorInputError:
            typed["auth"] = None
        typed["extra_params_text"] = data.get("auth_extra_params", "").replace("\r\n", "\n")
    return typed


def _settings_variables(data: QueryDict) -> list[dict[str, Any]]:
    return [{"key": r.get("key", ""), "value": r.get("value", ""), "enabled": "enabled" in r} for r in _rows(data, "vars")]


def _settings_from_form(data: QueryDict) -> dict[str, Any]:
    return {
        "description": data.get("description", "").replace("\r\n", "\n"),
        "variables": _settings_variables(data),
        "auth": auth_to_dict(auth_from_post(data)),
    }

"""OpenAPI 3.0 / 3.1 (JSON or YAML) → a collection of requests.

Usage::

    from requests_app.interop.openapi import parse_openapi
    result = parse_openapi(text)        # ImportResult: one collection, a folder per tag

One request per operation: `{{baseUrl}}` + the path, with `{id}` path parameters as
`{{id}}` variables (their examples become collection variables); query, header and
cookie parameters with their examples (optional ones imported disabled); a body from the
media type's example or examples, else the schema's, else a skeleton generated from the
schema ($ref, allOf, oneOf/anyOf and recursion handled, depth bounded). The first
server's URL becomes the `baseUrl` collection variable (server variables become
variables too). Security schemes become auth whose secrets are variables to fill in an
environment: http basic/digest → {{username}}/{{password}}, http bearer and OAuth 2 /
OpenID Connect → {{accessToken}}, API keys → {{apiKey}} (header or query).

Only local references (`#/components/...`) are followed; others are reported. YAML is
read with the safe loader only, after the size and depth checks in limits.py.
"""

# One module past 500 lines: one reader: $ref resolution, parameters, request bodies and examples of a single format.
from __future__ import annotations

import json
import re
from datetime import date, datetime
from typing import Any

from requests_app.engine.spec import Auth, Body, FilePart, FormField, KeyValue, RequestSpec
from requests_app.interop.limits import as_text, load_json, load_yaml
from requests_app.interop.model import (
    ImportedCollection,
    ImportedFolder,
    ImportedItem,
    ImportedRequest,
    ImportFormatError,
    ImportResult,
    Report,
    ReportItem,
)

FORMAT = "OpenAPI document"
MAX_NAME_LENGTH = 200
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# Bounds for generated example bodies: how deep, and how many values in all.
MAX_EXAMPLE_DEPTH = 8
MAX_EXAMPLE_NODES = 2000
MAX_PROPERTIES = 100

_STRING_FORMATS = {
    "date-time": "2024-01-01T00:00:00Z",
    "date": "2024-01-01",
    "time": "00:00:00Z",
    "email": "user@example.com",
    "uuid": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
    "uri": "https://example.com/",
    "url": "https://example.com/",
    "hostname": "example.com",
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
    "password": "********",
    "byte": "U3dhZ2dlciByb2Nrcw==",
    "binary": "",
}
_SERVER_VARIABLE = re.compile(r"\{([^{}]+)\}")


def parse_openapi(content: str | bytes) -> ImportResult:
    text = as_text(content, FORMAT)
    if text.lstrip().startswith("{"):
        return parse_openapi_data(load_json(text, FORMAT))
    # YAML keys may be numbers, dates or null; JSON's are strings, and so are ours from here.
    return parse_openapi_data(_plain(load_yaml(text, FORMAT)))


def parse_openapi_data(data: Any) -> ImportResult:
    return _Importer(data).run()


def _plain(value: Any) -> Any:
    """YAML timestamps and other non-JSON scalars as JSON-friendly values."""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_plain(v) for v in value]
    return value


class _Importer:
    def __init__(self, data: Any) -> None:
        if not isinstance(data, dict):
            raise ImportFormatError(FORMAT, "", "expected an object at the top level (is this an OpenAPI document?)")
        self.root: dict[str, Any] = data
        self.report = Report()
        self.collection = ImportedCollection(name="OpenAPI import")
        self.variable_names: set[str] = set()
        self.noted_external_refs: set[str] = set()
        # Where the note on auth variables goes (the first scheme met), and the variables used.
        self.secret_note_at: int | None = None
        self.example_nodes = 0

    # -- helpers
    def fail(self, path: str, message: str) -> ImportFormatError:
        return ImportFormatError(FORMAT, path, message)

    def obj(self, value: Any, path: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(path, "expected an object")
        return value

    def text(self, value: Any, path: str) -> str:
        if value is None:
            return ""
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        if not isinstance(value, str):
            raise self.fail(path, "expected a string")
        return value

    def resolve(self, value: Any, path: str, seen: tuple[str, ...] = ()) -> tuple[Any, tuple[str, ...]]:
        """Follow `$ref`s to a local target; returns it and the chain of refs followed."""
        while isinstance(value, dict) and "$ref" in value:
            ref = value["$ref"]
            if not isinstance(ref, str):
                raise self.fail(f"{path}.$ref", "expected a string")
            if ref in seen:
                return None, seen
            if not ref.startswith("#/"):
                if ref not in self.noted_external_refs:
                    self.noted_external_refs.add(ref)
                    self.report.dropped(path, f"$ref {ref} points outside this document; not followed")
                return None, seen
            seen = (*seen, ref)
            target: Any = self.root
            for part in ref[2:].split("/"):
                part = part.replace("~1", "/").replace("~0", "~")
                if isinstance(target, dict) and part in target:
                    target = target[part]
                elif isinstance(target, list) and part.isdigit() and int(part) < len(target):
                    target = target[int(part)]
                else:
                    raise self.fail(f"{path}.$ref", f"{ref} does not exist in this document")
            value = target
        return value, seen

    def add_variable(self, name: str, value: str) -> None:
        if name not in self.variable_names:
            self.variable_names.add(name)
            self.collection.variables.append(KeyValue(name, value))

    # -- the document
    def run(self) -> ImportResult:
        root = self.root
        version = root.get("openapi")
        if "swagger" in root:
            raise self.fail("swagger", "Swagger 2.0 is not supported; convert the document to OpenAPI 3 first")
        if not isinstance(version, str) or not re.match(r"3\.[01](\.|$)", version):
            raise self.fail("openapi", f"expected version 3.0 or 3.1, found {version!r}")
        info = self.obj(root.get("info", {}), "info")
        self.collection.name = (self.text(info.get("title"), "info.title").strip() or "OpenAPI import")[:MAX_NAME_LENGTH]
        self.collection.description = self.text(info.get("description"), "info.description")
        self._servers(root.get("servers"))
        self.collection.auth = self._security(root.get("security"), "security")
        folders = self._tag_folders(root.get("tags"))
        paths = self.obj(root.get("paths", {}), "paths")
        for template, raw_item in paths.items():
            where = f"paths.{template}"
            item, _ = self.resolve(raw_item, where)
            item = self.obj(item, where)
            shared = self._parameter_list(item.get("parameters"), f"{where}.parameters")
            for method in HTTP_METHODS:
                if method not in item:
                    continue
                op_path = f"{where}.{method}"
                operation = self.obj(item[method], op_path)
                request = self._operation(str(template), method, operation, shared, op_path)
                tags = operation.get("tags")
                tag = tags[0] if isinstance(tags, list) and tags and isinstance(tags[0], str) else None
                if tag is None:
                    self.collection.items.append(request)
                else:
                    folders.setdefault(tag, ImportedFolder(name=tag[:MAX_NAME_LENGTH], source_path="tags")).items.append(request)
        tagged: list[ImportedItem] = [f for f in folders.values() if f.items]
        self.collection.items = tagged + self.collection.items
        for key in ("webhooks", "x-webhooks"):
            if root.get(key):
                self.report.dropped(key, "webhooks describe requests the API sends, not ones to make; not imported")
        if self.collection.requests():
            self.report.note("paths", "responses are documentation only; they are not imported")
        self._note_secret_variables()
        return ImportResult(format="openapi", collections=[self.collection], report=self.report.items)

    def _note_secret_variables(self) -> None:
        """One note naming only the auth variables the imported requests use."""
        auths = [self.collection.auth, *(r.spec.auth for r in self.collection.requests())]
        used: dict[str, None] = {}
        for auth in auths:
            if auth is None:
                continue
            for value in (auth.username, auth.password, auth.token, auth.value):
                for name in re.findall(r"\{\{(accessToken|apiKey|username|password)\}\}", value):
                    used.setdefault(name, None)
        if self.secret_note_at is None or not used:
            return
        names = ", ".join("{{" + name + "}}" for name in used)
        message = f"auth secrets are variables ({names}): set them in an environment"
        self.report.items.insert(self.secret_note_at, ReportItem("components.securitySchemes", message, "note"))

    def _servers(self, servers: Any) -> None:
        if not isinstance(servers, list) or not servers:
            self.add_variable("baseUrl", "")
            self.report.note("servers", "no server URL: set the baseUrl variable to where the API runs")
            return
        first = self.obj(servers[0], "servers[0]")
        url = self.text(first.get("url"), "servers[0].url")
        variables = found if isinstance(found := first.get("variables"), dict) else {}
        for name, spec in variables.items():
            default = self.text(spec.get("default") if isinstance(spec, dict) else "", f"servers[0].variables.{name}")
            self.add_variable(str(name), default)
        url = _SERVER_VARIABLE.sub(lambda m: "{{" + m.group(1) + "}}", url)
        self.add_variable("baseUrl", url.rstrip("/"))
        if not re.match(r"^(https?://|\{\{)", url):
            self.report.note("servers[0].url", f"the server URL {url!r} is relative: make baseUrl a full URL")
        for index, other in enumerate(servers[1:], start=1):
            if isinstance(other, dict) and isinstance(other.get("url"), str):
                self.report.note(f"servers[{index}]", f"another server, not used: {other['url']}")

    def _tag_folders(self, tags: Any) -> dict[str, ImportedFolder]:
        folders: dict[str, ImportedFolder] = {}
        for index, raw in enumerate(tags if isinstance(tags, list) else []):
            tag = self.obj(raw, f"tags[{index}]")
            name = self.text(tag.get("name"), f"tags[{index}].name")
            if name:
                description = self.text(tag.get("description"), f"tags[{index}].description")
                folders[name] = ImportedFolder(name=name[:MAX_NAME_LENGTH], description=description, source_path=f"tags[{index}]")
        return folders

    # -- one operation
    def _parameter_list(self, value: Any, path: str) -> dict[tuple[str, str], dict[str, Any]]:
        out: dict[tuple[str, str], dict[str, Any]] = {}
        if value is None:
            return out
        if not isinstance(value, list):
            raise self.fail(path, "expected a list")
        for index, raw in enumerate(value):
            where = f"{path}[{index}]"
            parameter, _ = self.resolve(raw, where)
            if parameter is None:
                continue
            parameter = self.obj(parameter, where)
            name = self.text(parameter.get("name"), f"{where}.name")
            location = self.text(parameter.get("in"), f"{where}.in")
            out[(name, location)] = {**parameter, "_path": where}
        return out

    def _operation(
        self, template: str, method: str, operation: dict[str, Any], shared: dict[tuple[str, str], dict[str, Any]], path: str
    ) -> ImportedRequest:
        parameters = {**shared, **self._parameter_list(operation.get("parameters"), f"{path}.parameters")}
        url = "{{baseUrl}}" + re.sub(r"\{([^{}]+)\}", lambda m: "{{" + m.group(1) + "}}", template)
        params: list[KeyValue] = []
        headers: list[KeyValue] = []
        cookies: list[str] = []
        for (name, location), parameter in parameters.items():
            value = self._parameter_example(parameter)
            required = bool(parameter.get("required")) or location == "path"
            if location == "path":
                self.add_variable(name, value)
            elif location == "query":
                params.append(KeyValue(name, value, enabled=required))
            elif location == "header":
                if name.lower() in ("accept", "content-type", "authorization"):
                    continue  # described by the media types and security schemes instead
                headers.append(KeyValue(name, value, enabled=required))
            elif location == "cookie":
                cookies.append(f"{name}={value}")
        if cookies:
            headers.append(KeyValue("Cookie", "; ".join(cookies)))
        body = self._request_body(operation.get("requestBody"), f"{path}.requestBody", headers)
        auth: Auth | None = None
        inherits = True
        if "security" in operation:
            auth = self._security(operation["security"], f"{path}.security")
            inherits = auth == self.collection.auth
        spec = RequestSpec(method=method.upper(), url=url, params=params, headers=headers, body=body, auth=auth or Auth())
        if inherits:
            spec.auth = Auth()
        summary = self.text(operation.get("summary"), f"{path}.summary").strip()
        operation_id = self.text(operation.get("operationId"), f"{path}.operationId").strip()
        description = self.text(operation.get("description"), f"{path}.description").strip()
        if operation.get("deprecated") is True:
            description = ("Deprecated. " + description).strip()
        if operation.get("callbacks"):
            self.report.dropped(f"{path}.callbacks", "callbacks are not imported")
        name = summary or operation_id or f"{method.upper()} {template}"
        return ImportedRequest(
            name=name[:MAX_NAME_LENGTH], spec=spec, description=description, source_path=path, inherits_auth=inherits
        )

    def _parameter_example(self, parameter: dict[str, Any]) -> str:
        where = parameter["_path"]
        found, example = self._given_example(parameter, where)
        if found:
            return _as_text(example)
        schema, _ = self.resolve(parameter.get("schema"), f"{where}.schema")
        if isinstance(schema, dict):
            for key in ("example", "default"):
                if key in schema:
                    return _as_text(schema[key])
            if isinstance(schema.get("enum"), list) and schema["enum"]:
                return _as_text(schema["enum"][0])
        return ""

    def _request_body(self, value: Any, path: str, headers: list[KeyValue]) -> Body:
        body, _ = self.resolve(value, path)
        if body is None:
            return Body()
        body = self.obj(body, path)
        content = body.get("content")
        if not isinstance(content, dict) or not content:
            return Body()
        media_type = _pick_media_type(list(content))
        where = f"{path}.content.{media_type}"
        media = self.obj(content[media_type] or {}, where)
        schema, seen = self.resolve(media.get("schema"), f"{where}.schema")
        lowered = media_type.split(";")[0].strip().lower()
        if lowered in ("application/x-www-form-urlencoded", "multipart/form-data"):
            fields = self._form_fields(schema, seen, media, where, multipart=lowered.startswith("multipart"))
            return Body(mode="multipart" if lowered.startswith("multipart") else "urlencoded", fields=fields)
        example = self._media_example(media, schema, seen, where)
        if lowered == "application/json" or lowered.endswith("+json") or lowered == "*/*":
            if lowered not in ("application/json", "*/*"):
                headers.append(KeyValue("Content-Type", media_type))
            return Body(mode="json", text=json.dumps(example, indent=2, ensure_ascii=False))
        if lowered == "application/octet-stream" or lowered.startswith(("image/", "audio/", "video/")):
            self.report.note(where, "the body is a file to attach")
            return Body(mode="binary", data=b"", content_type=media_type)
        text = example if isinstance(example, str) else "" if example is None else json.dumps(example)
        return Body(mode="raw", text=text, content_type=media_type)

    def _given_example(self, owner: dict[str, Any], where: str) -> tuple[bool, Any]:
        """(found, value) from a parameter's or media type's `example`, else its first `examples` entry."""
        if "example" in owner:
            return True, owner["example"]
        examples = owner.get("examples")
        if isinstance(examples, dict) and examples:
            first, _ = self.resolve(next(iter(examples.values())), f"{where}.examples")
            if isinstance(first, dict) and "value" in first:
                return True, first["value"]
            if isinstance(first, dict) and "externalValue" in first:
                self.report.dropped(f"{where}.examples", "an external example is not fetched; a skeleton is used")
        return False, None

    def _media_example(self, media: dict[str, Any], schema: Any, seen: tuple[str, ...], where: str) -> Any:
        found, example = self._given_example(media, where)
        if found:
            return _plain(example)
        self.example_nodes = 0
        return self._example(schema, seen, 0)

    def _form_fields(
        self, schema: Any, seen: tuple[str, ...], media: dict[str, Any], where: str, *, multipart: bool
    ) -> list[FormField]:
        example = self._media_example(media, schema, seen, where)
        properties = _merged_properties(self, schema, seen, where)
        fields: list[FormField] = []
        for name, prop in list(properties.items())[:MAX_PROPERTIES]:
            prop, _ = self.resolve(prop, f"{where}.schema.properties.{name}", seen)
            value = example.get(name) if isinstance(example, dict) else None
            if multipart and isinstance(prop, dict) and _is_binary(prop):
                fields.append(FormField(str(name), file=FilePart(filename="", content=b"", content_type="application/octet-stream")))
                self.report.note(f"{where}.schema.properties.{name}", f"file field {name!r}: attach a file before sending")
                continue
            fields.append(FormField(str(name), _as_text(value)))
        return fields

    # -- example generation
    def _example(self, schema: Any, seen: tuple[str, ...], depth: int) -> Any:
        schema, seen = self.resolve(schema, "components", seen)
        self.example_nodes += 1
        if not isinstance(schema, dict) or depth > MAX_EXAMPLE_DEPTH or self.example_nodes > MAX_EXAMPLE_NODES:
            return None
        for key in ("example", "const", "default"):
            if key in schema:
                return _plain(schema[key])
        if isinstance(schema.get("examples"), list) and schema["examples"]:
            return _plain(schema["examples"][0])
        if isinstance(schema.get("enum"), list) and schema["enum"]:
            return _plain(schema["enum"][0])
        if isinstance(schema.get("allOf"), list):
            merged: dict[str, Any] = {}
            for part in schema["allOf"]:
                value = self._example(part, seen, depth + 1)
                if isinstance(value, dict):
                    merged.update(value)
                elif value is not None and not merged:
                    return value
            own = {k: v for k, v in schema.items() if k != "allOf"}
            if own.get("properties"):
                extra = self._example(own, seen, depth)
                if isinstance(extra, dict):
                    merged.update(extra)
            return merged
        for key in ("oneOf", "anyOf"):
            if isinstance(schema.get(key), list) and schema[key]:
                return self._example(schema[key][0], seen, depth + 1)
        kind = schema.get("type")
        if isinstance(kind, list):
            kind = next((k for k in kind if k != "null"), "null")
        if kind == "object" or (kind is None and "properties" in schema):
            properties = found if isinstance(found := schema.get("properties"), dict) else {}
            out = {}
            for name, prop in list(properties.items())[:MAX_PROPERTIES]:
                value = self._example(prop, seen, depth + 1)
                out[str(name)] = value
            extra = schema.get("additionalProperties")
            if not out and isinstance(extra, dict):
                out["key"] = self._example(extra, seen, depth + 1)
            return out
        if kind == "array":
            item = self._example(schema.get("items"), seen, depth + 1)
            return [] if item is None else [item]
        if kind == "string":
            return _STRING_FORMATS.get(str(schema.get("format", "")), "string")
        if kind == "integer":
            return schema.get("minimum", 0) if isinstance(schema.get("minimum"), int) else 0
        if kind == "number":
            return schema.get("minimum", 0) if isinstance(schema.get("minimum"), (int, float)) else 0.0
        if kind == "boolean":
            return True
        return None

    # -- security
    def _security(self, requirements: Any, path: str) -> Auth | None:
        if requirements is None:
            return None
        if not isinstance(requirements, list):
            raise self.fail(path, "expected a list of security requirements")
        if not requirements:
            return Auth()  # security: [] turns auth off
        for index, requirement in enumerate(requirements):
            requirement = self.obj(requirement, f"{path}[{index}]")
            if not requirement:
                return Auth()  # {} means "no auth" is one of the options
            names = list(requirement)
            if len(names) > 1:
                self.report.downgraded(f"{path}[{index}]", f"only {names[0]} is used of the schemes required together")
            auth = self._scheme(str(names[0]), f"{path}[{index}]")
            if auth is not None:
                return auth
        return Auth()

    def _scheme(self, name: str, path: str) -> Auth | None:
        components = found if isinstance(found := self.root.get("components"), dict) else {}
        schemes = found if isinstance(found := components.get("securitySchemes"), dict) else {}
        if name not in schemes:
            raise self.fail(path, f"the security scheme {name!r} is not defined in components.securitySchemes")
        where = f"components.securitySchemes.{name}"
        scheme, _ = self.resolve(schemes[name], where)
        scheme = self.obj(scheme, where)
        kind = self.text(scheme.get("type"), f"{where}.type")
        if self.secret_note_at is None:
            self.secret_note_at = len(self.report.items)
        if kind == "http":
            http_scheme = self.text(scheme.get("scheme"), f"{where}.scheme").lower()
            if http_scheme in ("basic", "digest"):
                return Auth(type=http_scheme, username="{{username}}", password="{{password}}")
            if http_scheme == "bearer":
                return Auth(type="bearer", token="{{accessToken}}")
            self.report.dropped(where, f"HTTP auth scheme {http_scheme!r} is not supported")
            return None
        if kind == "apiKey":
            key = self.text(scheme.get("name"), f"{where}.name")
            location = self.text(scheme.get("in"), f"{where}.in")
            if location in ("header", "query"):
                return Auth(type="apikey", key=key, value="{{apiKey}}", location=location)
            self.report.downgraded(where, f"an API key in a cookie: add the header Cookie: {key}={{{{apiKey}}}} yourself")
            return None
        if kind in ("oauth2", "openIdConnect"):
            self.report.downgraded(where, f"{kind}: the access token is sent as a bearer token from {{{{accessToken}}}}")
            return Auth(type="bearer", token="{{accessToken}}")
        self.report.dropped(where, f"security scheme type {kind!r} is not supported")
        return None


def _merged_properties(importer: _Importer, schema: Any, seen: tuple[str, ...], where: str) -> dict[str, Any]:
    schema, seen = importer.resolve(schema, f"{where}.schema", seen)
    if not isinstance(schema, dict):
        return {}
    properties = dict(schema.get("properties") or {}) if isinstance(schema.get("properties"), dict) else {}
    for part in schema.get("allOf") or []:
        properties.update(_merged_properties(importer, part, seen, where))
    return properties


def _is_binary(schema: dict[str, Any]) -> bool:
    if schema.get("format") in ("binary", "base64") or "contentMediaType" in schema:
        return True
    items = schema.get("items")
    return schema.get("type") == "array" and isinstance(items, dict) and items.get("format") == "binary"


def _pick_media_type(types: list[str]) -> str:
    lowered = [t.split(";")[0].strip().lower() for t in types]
    for wanted in ("application/json", "+json", "application/x-www-form-urlencoded", "multipart/form-data", "text/plain", "xml"):
        for original, low in zip(types, lowered):
            if low == wanted or (wanted.startswith("+") and low.endswith(wanted)) or (wanted == "xml" and low.endswith("xml")):
                return original
    return types[0]


def _as_text(value: Any) -> str:
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)

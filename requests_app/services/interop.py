"""Import and export: the interop formats mapped onto collections, folders, requests, environments.

Usage::

    from requests_app.services.interop import (
        collection_import, collection_export, request_snippet, spec_snippet, history_har)

    outcome = collection_import(user=user, workspace=ws, content=text)              # format detected
    outcome = collection_import(user=user, workspace=ws, content=curl, format="curl",
                                collection=target)                                    # into a collection
    outcome.report     # {"format", "counts": {...}, "items": [{"path", "message", "level"}],
                       #  "into": [{"id", "name"}]: the collections that received requests}
    outcome.created    # {"collections": [ids], "folders": [...], "requests": [...], "environments": [...]}

    filename, content_type, text = collection_export(user=user, collection_id=c.pk, format="postman")
    request_snippet(user=user, request_id=r.pk, lang="python-urllib", resolve_variables=True, environment=env)
    spec_snippet(user=user, workspace=ws, spec=unsaved_spec, lang="curl", collection=c)  # the editor's state
    filename, content_type, text = history_har(user=user, history_ids=[entry.pk])
    filename, content_type, text = run_har(user=user, run_id=run.pk)   # a finished collection run
    filename, content_type, data = collection_export(user=user, collection_id=c.pk, format="http-folders")  # zip bytes

Imports are one transaction: a malformed file (ImportFormatError, named with its position)
or a part our models refuse (named with its path in the source) writes nothing. Folders are
created with one INSERT per depth level and requests in batches, so a large collection costs
a bounded number of queries. Without `collection`, each imported collection becomes a new one,
except cURL commands, which land in the workspace's "Imported" collection (created if missing).
Imported Postman scripts (request, folder and collection `scripts`) run in runs and on Send (services.scripts).
Snippets mask secrets unless `reveal_secrets` (editors of the environment only).
A run's HAR holds what a run stores per request (method, URL as sent with secrets masked,
status, time, size, error, assertions): runs keep no headers, bodies or per-request start
times, and the file says so rather than invent them.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils.text import slugify

from requests_app import access
from requests_app.engine.spec import (
    Auth,
    KeyValue,
    RequestSpec,
    SpecFormatError,
    auth_from_dict,
    auth_to_dict,
    spec_from_dict,
    spec_to_dict,
)
from requests_app.interop import (
    EnvironmentVariable,
    ImportedCollection,
    ImportedEnvironment,
    ImportedFolder,
    ImportedRequest,
    ImportFormatError,
    ImportResult,
    ReportItem,
    import_content,
)
from requests_app.interop.credentials import (
    TEMPLATE,
    credential_values,
    mask_auth,
    mask_credentials,
    mask_header_pairs,
)
from requests_app.interop.curl import IMPORTED_COLLECTION_NAME
from requests_app.interop.har import HarSource, dumps_har
from requests_app.interop.httpfile import HTTP_CLIENT_TEST, to_http, to_http_files
from requests_app.interop.model import ImportedItem
from requests_app.interop.postman import dumps_postman
from requests_app.interop.saved_tests import split_saved_tests
from requests_app.interop.snippets import SNIPPET_LANGUAGES, SnippetError, UnknownLanguage, generate_snippet
from requests_app.models import (
    Collection,
    Environment,
    Example,
    Folder,
    HistoryEntry,
    RunResult,
    SavedRequest,
    Workspace,
)
from requests_app.runner.assertions import AssertionFormatError, validate_assertions
from requests_app.runner.captures import CaptureFormatError, validate_captures
from requests_app.services import tree
from requests_app.services.activity import activity_record
from requests_app.services.environments import (
    environment_create,
    environment_reveal_allowed,
    environment_values,
)
from requests_app.services.errors import Forbidden, NotFound, ServiceError, ValidationFailed
from requests_app.services.examples import example_rows_for_import, imported_examples
from requests_app.services.execution import collection_values
from requests_app.services.history import history_exchange, history_spec
from requests_app.services.masking import SecretMasker
from requests_app.services.quotas import ensure_import_size, ensure_room
from requests_app.services.runs import NOT_FINISHED, TERMINAL_STATES, get_run_for_user
from requests_app.services.saved_requests import request_spec, spec_with_collection_auth
from requests_app.services.validation import (
    INHERIT_AUTH,
    NAME_MAX,
    clean_auth,
    clean_json_object,
    clean_request_parts,
    clean_text,
    reject_nul,
)

EXPORT_FORMATS = ("postman", "http", "http-folders")
MAX_HAR_ENTRIES = 500
IMPORT_BATCH = 1000  # requests per INSERT at most (fewer where the database allows fewer)
# The .http files of one collection, before compression: far above any real collection, and
# small enough that building the zip in memory never hurts the server.
MAX_HTTP_FOLDERS_BYTES = 64 * 1024 * 1024

# Named errors a person can meet.
IMPORT_MALFORMED = "import_malformed"
IMPORT_REFUSED = "import_refused"
EXPORT_FORMAT_UNKNOWN = f"must be one of {', '.join(EXPORT_FORMATS)}"
HAR_NOTHING_CHOSEN = "Choose at least one history entry."
HAR_TOO_MANY = f"At most {MAX_HAR_ENTRIES} history entries can be exported at once."
EXPORT_TOO_LARGE = f"is too large to export as .http files (more than {MAX_HTTP_FOLDERS_BYTES // 1024 // 1024} MiB)"
RUN_HAR_COMMENT = ("A webclient collection run. Runs keep each request's method, URL (secrets masked), status, "
                   "time, size, error and assertions; not its headers, bodies or start time, so every entry "
                   "starts at the run's start and headers and bodies are empty.")
REVEAL_NOT_ALLOWED = "Only editors of this environment can see its secrets in a snippet."
SECRETS_NOT_ALLOWED = "Only editors and owners of this workspace can export secrets; viewers get placeholders."
NAMELESS_VARIABLE = "a variable without a name was not imported"
# How the activity feed names what an import read: "imported collection “Shop API” from a Postman collection".
_SOURCE_NAMES = {"curl": "a cURL command", "postman": "a Postman collection", "http": "an .http file",
                 "har": "a HAR file", "openapi": "an OpenAPI document"}


@dataclass
class ImportOutcome:
    report: dict[str, Any]
    created: dict[str, list[int]] = field(
        default_factory=lambda: {"collections": [], "folders": [], "requests": [], "environments": []}
    )


# ---------------------------------------------------------------- import


def collection_import(
    *,
    user: AbstractBaseUser,
    workspace: Workspace,
    content: str | bytes,
    format: str = "auto",
    collection: Collection | None = None,
    name: str = "",
) -> ImportOutcome:
    """Read `content` (cURL, Postman, Postman environment, .http, HAR, OpenAPI) and store it.

    `collection`: put the imported folders and requests there instead of new collections.
    `name`: the uploaded file's name (names the collection of an .http file). Editors only.
    Raises ValidationFailed (code "import_malformed", the position in the message and under
    `fields`) and writes nothing when the content can't be read or stored.
    """
    access.ensure_role(user, workspace, "edit")
    if collection is not None:
        access.ensure_role(user, collection, "edit")
        if collection.workspace_id != workspace.pk:
            raise NotFound("Collection not found in this workspace.")
    try:
        result = import_content(content, format=format, name=name)
    except ImportFormatError as error:
        where = "format" if error.position == "format" else "content"
        raise ValidationFailed(str(error), code=IMPORT_MALFORMED, fields={where: [str(error)]}) from None
    adding = sum(_request_count(imported.items) for imported in result.collections)
    ensure_import_size(adding)
    ensure_room(workspace, adding=adding)
    writer = _ImportWriter(user=user, workspace=workspace, report=list(result.report))
    with transaction.atomic():
        if collection is None and result.format == "curl":
            collection = _imported_collection(user=user, workspace=workspace, writer=writer)
        for imported in result.collections:
            if collection is not None:
                writer.merge_into(collection, imported)
            else:
                writer.new_collection(imported)
        writer.flush_requests()
        for environment in result.environments:
            writer.environment(environment)  # environment_create records it in the activity feed
        source = name or _SOURCE_NAMES.get(result.format, result.format)
        for target in writer.into:
            activity_record(user=user, verb="imported", obj=target, workspace=workspace.pk, detail={"from": source})
    return ImportOutcome(report=_report(result, writer.report, writer.into), created=writer.created)


def _request_count(items: list[ImportedItem]) -> int:
    count, pending = 0, list(items)
    while pending:
        item = pending.pop()
        if isinstance(item, ImportedFolder):
            pending.extend(item.items)
        else:
            count += 1
    return count


def _imported_collection(*, user: AbstractBaseUser, workspace: Workspace, writer: _ImportWriter) -> Collection:
    """The workspace's "Imported" collection, made on first use."""
    same_name = Collection.objects.filter(workspace=workspace, name=IMPORTED_COLLECTION_NAME)
    found = same_name.order_by("position", "id").first()
    if found is None:
        found = writer.create_collection(ImportedCollection(name=IMPORTED_COLLECTION_NAME))
    access.set_role(found, user, workspace.user_role)
    return found


def _report(result: ImportResult, items: list[ReportItem], into: list[Collection]) -> dict[str, Any]:
    counted = ImportResult(format=result.format, collections=result.collections,
                           environments=result.environments, report=items)
    return {
        "format": result.format,
        "counts": counted.counts(),
        "items": [{"path": item.path, "message": item.message, "level": item.level} for item in items],
        "into": [{"id": collection.pk, "name": collection.name} for collection in into],
    }


def _refused(path: str, name: str, error: ServiceError) -> ValidationFailed:
    """A part the models refuse, named by where it is in the source."""
    where = f"{path} ({name})" if path and name else path or name
    fields = {f"{path}.{key}" if path else key: value for key, value in error.fields.items()}
    fields = fields or {path or "content": [error.message]}
    return ValidationFailed(f"{where}: {error.message}", code=IMPORT_REFUSED, fields=fields)


def _name(value: str, fallback: str) -> str:
    return (value.strip() or fallback)[:NAME_MAX]


def _auth_dict(auth: Auth | None) -> dict[str, Any]:
    return {"type": "none"} if auth is None else auth_to_dict(auth)


class _ImportWriter:
    """Turns the neutral tree into rows: folders level by level, requests in batches."""

    def __init__(self, *, user: AbstractBaseUser, workspace: Workspace, report: list[ReportItem]) -> None:
        self.user = user
        self.workspace = workspace
        self.report = report
        self.created: dict[str, list[int]] = {"collections": [], "folders": [], "requests": [], "environments": []}
        self._pending_requests: list[SavedRequest] = []
        self._pending_examples: list[ImportedRequest] = []  # parallel to _pending_requests
        self.into: list[Collection] = []
        self._next_collection_position: int | None = None

    # -- collections

    def create_collection(self, imported: ImportedCollection) -> Collection:
        if self._next_collection_position is None:
            self._next_collection_position = tree.list_next_position(Collection.objects.filter(workspace=self.workspace))
        try:
            row = Collection(
                workspace=self.workspace,
                name=_name(imported.name, "Imported collection"),
                description=clean_text(imported.description, field="description"),
                variables=self._variables(imported.variables, "variable"),
                auth=clean_auth(_auth_dict(imported.auth), allow_inherit=False),
                scripts=clean_json_object(imported.scripts, field="scripts"),
                position=self._next_collection_position,
            )
        except ServiceError as error:
            raise _refused("", imported.name, error) from None
        row.save()
        self._next_collection_position += 1
        self.created["collections"].append(row.pk)
        return row

    def new_collection(self, imported: ImportedCollection) -> None:
        collection = self.create_collection(imported)
        self.into.append(collection)
        self._items(collection, imported, inherited_auth=None, root_position=0)

    def merge_into(self, collection: Collection, imported: ImportedCollection) -> None:
        """Imported items at the end of `collection`'s root; collection-level parts merged."""
        if collection not in self.into:
            self.into.append(collection)
        known = {row.get("key"): row.get("value", "") for row in collection.variables if isinstance(row, dict)}
        added = []
        for variable in self._variables(imported.variables, "variable"):
            if variable["key"] not in known:
                added.append(variable)
                known[variable["key"]] = variable["value"]
            elif known[variable["key"]] != variable["value"]:
                self.report.append(ReportItem(
                    "variable", f"variable {variable['key']!r} kept its value in “{collection.name}”", "downgraded"))
        changes: dict[str, Any] = {}
        if added:
            changes["variables"] = [*collection.variables, *added]
        if imported.description and not collection.description:
            changes["description"] = clean_text(imported.description, field="description")
        scripts = dict(collection.scripts or {})
        for kind, text in imported.scripts.items():
            if kind in scripts and scripts[kind] != text:
                message = f"collection {kind} script not imported: “{collection.name}” has one"
                self.report.append(ReportItem("event", message, "dropped"))
            else:
                scripts[kind] = text
        if scripts != (collection.scripts or {}):
            changes["scripts"] = reject_nul(scripts, field="scripts")
        if changes:
            Collection.objects.filter(pk=collection.pk).update(**changes)
            for key, value in changes.items():
                setattr(collection, key, value)
        # Requests that inherited the imported collection's auth keep it as their own.
        inherited = imported.auth if imported.auth is not None and imported.auth.type != "none" else None
        self._items(
            collection,
            imported,
            inherited_auth=inherited,
            root_position=tree.next_position(tree.Parent(collection.pk)),
        )

    def _variables(self, variables: list[KeyValue], path: str) -> list[dict[str, Any]]:
        rows = []
        for index, variable in enumerate(variables):
            if not variable.key.strip():
                self.report.append(ReportItem(f"{path}[{index}]", NAMELESS_VARIABLE, "dropped"))
                continue
            rows.append(reject_nul({"key": variable.key, "value": variable.value, "enabled": variable.enabled},
                                   field=f"{path}[{index}]"))
        return rows

    # -- folders and requests

    def _items(
        self,
        collection: Collection,
        imported: ImportedCollection,
        *,
        inherited_auth: Auth | None,
        root_position: int,
    ) -> None:
        """Folders one INSERT per depth level (their ids are needed below), requests queued.

        A level's folders and requests share positions in the source's order (tree.py)."""
        level: list[tuple[Folder | None, list[ImportedItem]]] = [(None, imported.items)]
        first_level = True
        while level:
            folders: list[tuple[Folder, ImportedFolder]] = []
            for parent, items in level:
                for position, item in enumerate(items, start=root_position if first_level else 0):
                    if isinstance(item, ImportedFolder):
                        folders.append((self._folder(collection, parent, item, position), item))
                    else:
                        self._pending_requests.append(self._request(collection, parent, item, position, inherited_auth))
                        self._pending_examples.append(item)
            first_level = False
            created = Folder.objects.bulk_create([row for row, _ in folders])
            self.created["folders"].extend(row.pk for row in created)
            level = [(row, item.items) for row, item in folders if item.items]

    def _folder(self, collection: Collection, parent: Folder | None, item: ImportedFolder, position: int) -> Folder:
        try:
            return Folder(
                collection=collection,
                parent=parent,
                name=_name(item.name, "Folder"),
                description=clean_text(item.description, field="description"),
                scripts=clean_json_object(item.scripts, field="scripts"),
                position=position,
            )
        except ServiceError as error:
            raise _refused(item.source_path, item.name, error) from None

    def _request(
        self,
        collection: Collection,
        folder: Folder | None,
        item: ImportedRequest,
        position: int,
        inherited_auth: Auth | None,
    ) -> SavedRequest:
        data = spec_to_dict(item.spec)
        if item.inherits_auth:
            data["auth"] = auth_to_dict(inherited_auth) if inherited_auth is not None else dict(INHERIT_AUTH)
        scripts, checks = _saved_tests(item)
        try:
            parts = clean_request_parts(data)
            return SavedRequest(
                collection=collection,
                folder=folder,
                name=_name(item.name, f"{item.spec.method} {item.spec.url}"),
                description=clean_text(item.description, field="description"),
                scripts=clean_json_object(scripts, field="scripts"),
                **checks,
                position=position,
                created_by=self.user,
                updated_by=self.user,
                **parts,
            )
        except ServiceError as error:
            raise _refused(item.source_path, item.name, error) from None

    def flush_requests(self) -> None:
        """One INSERT per batch the database allows (a handful on PostgreSQL, ~50 rows each on SQLite)."""
        created = SavedRequest.objects.bulk_create(self._pending_requests, batch_size=IMPORT_BATCH)
        self.created["requests"].extend(row.pk for row in created)
        examples = [
            row
            for saved, item in zip(created, self._pending_examples, strict=True)
            for row in example_rows_for_import(saved, item.examples, path=item.source_path)
        ]
        Example.objects.bulk_create(examples)
        self._pending_requests, self._pending_examples = [], []

    # -- environments

    def environment(self, imported: ImportedEnvironment) -> None:
        variables = []
        for index, variable in enumerate(imported.variables):
            if not variable.key.strip():
                self.report.append(ReportItem(f"values[{index}]", NAMELESS_VARIABLE, "dropped"))
                continue
            variables.append(_environment_row(variable))
        try:
            environment = environment_create(
                user=self.user, workspace=self.workspace, name=_name(imported.name, "Imported environment"),
                variables=variables,
            )
        except ServiceError as error:
            raise _refused("", imported.name, error) from None
        self.created["environments"].append(environment.pk)


def _environment_row(variable: EnvironmentVariable) -> dict[str, Any]:
    return {"key": variable.key, "value": variable.value, "secret": variable.secret, "enabled": variable.enabled}


# ---------------------------------------------------------------- export


def _export_tree(collection: Collection) -> ImportedCollection:
    """The stored collection as the neutral tree the exporters read, in its one order (three
    queries: folders, requests, their saved examples)."""
    loaded = tree.load(collection)
    examples: dict[int, list[Example]] = {}
    for example in Example.objects.filter(saved_request__collection=collection).order_by("position", "id"):
        examples.setdefault(example.saved_request_id, []).append(example)
    auth = None
    if collection.auth and collection.auth.get("type", "none") not in ("none", "inherit"):
        auth = auth_from_dict(collection.auth)
    root = ImportedCollection(
        name=collection.name,
        description=collection.description,
        variables=[
            KeyValue(row.get("key", ""), row.get("value", ""), row.get("enabled", True))
            for row in collection.variables
            if isinstance(row, dict)
        ],
        auth=auth,
        scripts=dict(collection.scripts or {}),
    )

    def items(folder_id: int | None) -> list[ImportedItem]:
        return [
            ImportedFolder(name=item.name, description=item.description, scripts=dict(item.scripts or {}),
                           items=items(item.pk))
            if isinstance(item, Folder) else _exported_request(item, examples.get(item.pk, []))
            for item in loaded.children(folder_id)
        ]

    root.items = items(None)
    return root


def _saved_tests(item: ImportedRequest) -> tuple[dict[str, str], dict[str, Any]]:
    """The assertions and captures an export wrote into the test script (interop/saved_tests.py).

    Read back only when they are all valid; otherwise the script is kept whole, nothing lost.
    """
    # Postman writes them into its test script, .http files into a handler block (kept apart,
    # never run as a pm script: interop.httpfile.HTTP_CLIENT_TEST)
    for key in ("test", HTTP_CLIENT_TEST):
        rest, assertions, captures = split_saved_tests(item.scripts.get(key, ""))
        if assertions or captures:
            break
    else:
        return item.scripts, {}
    try:
        checks = {"assertions": validate_assertions(assertions, "assertions"),
                  "captures": validate_captures(captures, "captures")}  # fmt: skip
    except (AssertionFormatError, CaptureFormatError):
        return item.scripts, {}
    scripts = {name: value for name, value in item.scripts.items() if name != key}
    if rest.strip():
        scripts[key] = rest
    return scripts, checks


def _mask_tree(root: ImportedCollection) -> None:
    """Every credential of the tree as its {{placeholder}} (interop/credentials.py: one rule for all exports)."""
    if root.auth is not None:
        root.auth = mask_auth(root.auth, TEMPLATE)
    for request in root.requests():
        request.spec = mask_credentials(request.spec, TEMPLATE)


def ensure_may_export_secrets(*, user: AbstractBaseUser, obj: Any) -> None:
    """Secrets in the clear are for editors and owners of the object's workspace, never viewers."""
    try:
        access.ensure_role(user, obj, "edit")
    except Forbidden:
        raise Forbidden(SECRETS_NOT_ALLOWED) from None


def _exported_request(saved: SavedRequest, examples: list[Example]) -> ImportedRequest:
    stored_auth = saved.auth or {}
    inherits = stored_auth.get("type", "inherit") == "inherit"
    data = {part: getattr(saved, part) for part in ("method", "url", "params", "headers", "body", "options")}
    data["auth"] = None if inherits else stored_auth
    try:
        spec = spec_from_dict(data)
    except SpecFormatError:
        spec = RequestSpec(method=saved.method, url=saved.url)
    return ImportedRequest(
        name=saved.name,
        spec=spec,
        description=saved.description,
        scripts=dict(saved.scripts or {}),
        inherits_auth=inherits,
        assertions=list(saved.assertions or []),
        captures=list(saved.captures or []),
        examples=imported_examples(examples),
    )


def _file_stem(name: str, default: str) -> str:
    return slugify(name) or default


def _http_folders_zip(exported: ImportedCollection, stem: str) -> bytes:
    """One .http file per folder in a zip under `<stem>/`; what .http can't say goes to NOTES.txt."""
    warnings: list[str] = []
    files = to_http_files(exported, warnings=warnings)
    if warnings:
        files["NOTES.txt"] = "".join(f"Note: {warning}\n" for warning in warnings)
    if sum(len(text) for text in files.values()) > MAX_HTTP_FOLDERS_BYTES:
        raise ValidationFailed.for_field("collection", EXPORT_TOO_LARGE, code="export_too_large")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():  # names are sanitised path parts: no "..", no absolute paths
            archive.writestr(f"{stem}/{name}", text.encode("utf-8"))
    return buffer.getvalue()


def collection_export(
    *, user: AbstractBaseUser, collection_id: Any, format: str = "postman", include_secrets: bool = False
) -> tuple[str, str, str | bytes]:
    """(filename, content type, text or bytes) of a collection as Postman v2.1 JSON, one .http
    file, or a zip of one .http file per folder (`http-folders`, bytes).

    Any member may export; credentials become {{password}}, {{accessToken}}, {{apiKey}}
    placeholders unless `include_secrets` (editors and owners only). What .http can't say is
    listed in `# Note:` lines at the top (in NOTES.txt in the zip).
    """
    if format not in EXPORT_FORMATS:
        raise ValidationFailed.for_field("format", EXPORT_FORMAT_UNKNOWN)
    collection = access.get_collection_for_user(user, collection_id)
    exported = _export_tree(collection)
    if include_secrets:
        ensure_may_export_secrets(user=user, obj=collection)
    else:
        _mask_tree(exported)
    stem = _file_stem(collection.name, "collection")
    if format == "postman":
        return f"{stem}.postman_collection.json", "application/json", dumps_postman(exported)
    if format == "http-folders":
        return f"{stem}.http.zip", "application/zip", _http_folders_zip(exported, stem)
    warnings: list[str] = []
    text = to_http(exported, warnings=warnings)
    notes = "".join(f"# Note: {warning}\n" for warning in warnings)
    return f"{stem}.http", "text/plain; charset=utf-8", notes + text


# ---------------------------------------------------------------- snippets


def _secret_names(environment: Environment | None) -> set[str]:
    if environment is None:
        return set()
    return {row.get("key", "") for row in environment.variables if isinstance(row, dict) and row.get("secret")}


def spec_snippet(
    *,
    user: AbstractBaseUser,
    workspace: Workspace,
    spec: RequestSpec,
    lang: str,
    collection: Collection | None = None,
    environment: Environment | None = None,
    resolve_variables: bool = False,
    reveal_secrets: bool = False,
) -> str:
    """Code that sends `spec` (e.g. the editor's unsaved state) in `lang` (SNIPPET_LANGUAGES).

    With `resolve_variables`, collection then environment variables are filled in; secret
    ones stay `{{name}}` and typed credentials become placeholders ("$WEBCLIENT_PASSWORD" in
    shell commands, {{password}} elsewhere) unless `reveal_secrets` (editors and owners).
    """
    access.ensure_role(user, workspace, "read")
    for obj, what in ((collection, "Collection"), (environment, "Environment")):
        if obj is not None and access.workspace_id_of(obj) != workspace.pk:
            raise NotFound(f"{what} not found in this workspace.")
    if lang not in SNIPPET_LANGUAGES:
        raise ValidationFailed.for_field("lang", f"must be one of {', '.join(SNIPPET_LANGUAGES)}")
    if reveal_secrets and environment is not None:
        if not environment_reveal_allowed(user=user, environment=environment):
            raise Forbidden(REVEAL_NOT_ALLOWED)
    if reveal_secrets:  # typed credentials too: editors and owners only
        ensure_may_export_secrets(user=user, obj=workspace)
    if collection is not None and spec.auth.type == "inherit" and collection.auth:
        spec = spec_with_collection_auth({**spec_to_dict(spec), "auth": None}, collection)
    try:
        return generate_snippet(
            spec,
            lang,
            scopes=[collection_values(collection), environment_values(environment)],
            resolve_variables=resolve_variables,
            secret_names=_secret_names(environment),
            mask_secrets=not reveal_secrets,
        )
    except UnknownLanguage as error:  # pragma: no cover - checked above
        raise ValidationFailed.for_field("lang", str(error)) from None
    except SnippetError as error:
        raise ValidationFailed.for_field("variables", str(error), code="snippet") from None


def request_snippet(
    *,
    user: AbstractBaseUser,
    request_id: Any,
    lang: str,
    resolve_variables: bool = False,
    environment: Environment | None = None,
    reveal_secrets: bool = False,
) -> str:
    """Code that sends a saved request as stored (collection auth applied where it inherits)."""
    saved = access.get_request_for_user(user, request_id)
    workspace = access.get_workspace_for_user(user, saved.collection.workspace_id)
    return spec_snippet(
        user=user,
        workspace=workspace,
        spec=request_spec(saved),
        lang=lang,
        collection=saved.collection,
        environment=environment,
        resolve_variables=resolve_variables,
        reveal_secrets=reveal_secrets,
    )


# ---------------------------------------------------------------- HAR


def _history_source(entry: HistoryEntry, *, include_secrets: bool) -> HarSource:
    try:
        spec = spec_from_dict(history_spec(entry))
    except SpecFormatError:
        spec = RequestSpec(method=entry.method, url=entry.url)
    exchange = history_exchange(entry)
    if not include_secrets:
        sent = exchange.get("request")
        if sent:
            exchange = {**exchange, "request": {**sent, "headers": mask_header_pairs(sent.get("headers") or [], TEMPLATE)}}
        # Wherever else they went (the raw message, an echoing response), in any encoding.
        exchange = SecretMasker(credential_values(spec)).deep(exchange)
        spec = mask_credentials(spec, TEMPLATE)
    return HarSource(spec=spec, exchange=exchange, started_at=entry.created_at)


def history_har(
    *, user: AbstractBaseUser, history_ids: list[Any], include_secrets: bool = False
) -> tuple[str, str, str]:
    """(filename, content type, HAR 1.2 text) of some of the caller's own history entries, oldest first.

    Entries are stored with secrets masked, so the HAR holds `{{name}}` where secrets were;
    typed credentials (auth, Authorization headers) become placeholders too unless
    `include_secrets` (editors and owners of the entries' workspaces).
    An id that is not one of the caller's entries answers NotFound for the whole export.
    """
    ids = {access.parse_id(value) for value in history_ids}
    if not ids:
        raise ValidationFailed.for_field("history", HAR_NOTHING_CHOSEN)
    if None in ids:
        raise NotFound("History entry not found.")
    if len(ids) > MAX_HAR_ENTRIES:
        raise ValidationFailed.for_field("history", HAR_TOO_MANY)
    entries = list(access.history_for_user(user).filter(pk__in=ids).order_by("created_at", "id"))
    if len(entries) != len(ids):
        raise NotFound("History entry not found.")
    if include_secrets:
        for entry in entries:
            ensure_may_export_secrets(user=user, obj=entry)
    text = dumps_har([_history_source(entry, include_secrets=include_secrets) for entry in entries])
    filename = f"history-{entries[0].pk}.har" if len(entries) == 1 else f"history-{len(entries)}-entries.har"
    return filename, "application/json", text



def _run_result_source(result: RunResult, started_at: datetime) -> HarSource:
    """A run's result as a HAR entry: only what the run stored (see RUN_HAR_COMMENT)."""
    response = None
    if result.status is not None:
        response = {"status": result.status, "headers": [], "size": {"body": result.size or 0}}
    exchange = {
        "request": None,
        "response": response,
        "redirects": [],
        "timings": {"total_ms": result.time_ms},
        "warnings": [],
        "error": result.error,
    }
    where = f"{result.path} / {result.name}" if result.path else result.name
    return HarSource(
        spec=RequestSpec(method=result.method, url=result.url),
        exchange=exchange,
        started_at=started_at,
        comment=f"iteration {result.iteration}: {where}",
        extra={
            "_iteration": result.iteration,
            "_request": where,
            "_passed": result.passed,
            "_assertions": result.assertions,
            "_captures": result.captures,
        },
    )


def run_har(*, user: AbstractBaseUser, run_id: Any) -> tuple[str, str, str]:
    """(filename, content type, HAR 1.2 text) of a finished run: one entry per executed request
    and iteration, in run order. Any member of the run's workspace; others NotFound."""
    run = get_run_for_user(user, run_id)
    if run.state not in TERMINAL_STATES:
        raise ValidationFailed.for_field("run", NOT_FINISHED, code="not_finished")
    started_at = run.started_at or run.created_at
    sources = [_run_result_source(result, started_at)
               for result in run.results.order_by("iteration", "position", "id").iterator()]
    return f"run-{run.pk}.har", "application/json", dumps_har(sources, comment=RUN_HAR_COMMENT)

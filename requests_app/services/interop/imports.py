"""Imports: a file in any interop format written as collections, folders, requests, examples and
environments in one transaction (a malformed or refused part writes nothing), with a report."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

from requests_app import access
from requests_app.engine.spec import Auth, KeyValue, auth_to_dict, spec_to_dict
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
from requests_app.interop.curl import IMPORTED_COLLECTION_NAME
from requests_app.interop.httpfile import HTTP_CLIENT_TEST
from requests_app.interop.model import ImportedItem
from requests_app.interop.saved_tests import split_saved_tests
from requests_app.models import Collection, Example, Folder, SavedRequest, Workspace
from requests_app.runner.assertions import AssertionFormatError, validate_assertions
from requests_app.runner.captures import CaptureFormatError, validate_captures
from requests_app.services import tree
from requests_app.services.activity import activity_record
from requests_app.services.environments import environment_create
from requests_app.services.errors import NotFound, ServiceError, ValidationFailed
from requests_app.services.examples import example_rows_for_import
from requests_app.services.quotas import ensure_import_size, ensure_room
from requests_app.services.validation import (
    INHERIT_AUTH,
    NAME_MAX,
    clean_auth,
    clean_json_object,
    clean_request_parts,
    clean_text,
    reject_nul,
)

IMPORT_BATCH = 1000  # requests per INSERT at most (fewer where the database allows fewer)


# Named errors a person can meet.
IMPORT_MALFORMED = "import_malformed"
IMPORT_REFUSED = "import_refused"


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
    access.set_role(found, user, workspace.user_role)  # type: ignore[attr-defined]  # annotated by access._scoped
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
        # Top-level requests and folders that inherited the imported collection's auth keep it as their own.
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
                    # Below the root, items inherit through their stored folders.
                    lent = inherited_auth if first_level else None
                    if isinstance(item, ImportedFolder):
                        folders.append((self._folder(collection, parent, item, position, lent), item))
                    else:
                        self._pending_requests.append(self._request(collection, parent, item, position, lent))
                        self._pending_examples.append(item)
            first_level = False
            created = Folder.objects.bulk_create([row for row, _ in folders])
            self.created["folders"].extend(row.pk for row in created)
            level = [(row, item.items) for row, item in folders if item.items]

    def _folder(
        self, collection: Collection, parent: Folder | None, item: ImportedFolder, position: int,
        inherited_auth: Auth | None,
    ) -> Folder:
        auth = item.auth if item.auth is not None else inherited_auth
        try:
            return Folder(
                collection=collection,
                parent=parent,
                name=_name(item.name, "Folder"),
                description=clean_text(item.description, field="description"),
                scripts=clean_json_object(item.scripts, field="scripts"),
                auth=clean_auth(auth_to_dict(auth) if auth is not None else None),
                variables=self._variables(item.variables, f"{item.source_path}.variable".lstrip(".")),
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
                created_by=access.stored_user(self.user),
                updated_by=access.stored_user(self.user),
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

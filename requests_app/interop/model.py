"""The neutral tree every importer produces and every exporter reads.

Usage::

    from requests_app.interop.model import (
        ImportedCollection, ImportedFolder, ImportedRequest, ImportResult, ImportFormatError,
    )
    result = parse_postman(text)                 # -> ImportResult
    for collection in result.collections:
        for item in collection.walk():           # folders and requests, depth first
            ...
    result.counts()                              # {"collections": 1, "folders": 3, "requests": 12, ...}
    [str(item) for item in result.report]        # "item[3].item[0].event[1]: request test script disabled in the source; not imported"

Importers never touch the database: services map this tree onto models inside one
transaction, so a failed import writes nothing. A malformed source raises
ImportFormatError naming the format, the position and the problem.

Auth inheritance: a request whose `inherits_auth` is true had no auth of its own in the
source and takes the nearest folder's `auth` (a folder's None: it inherits too), else its
collection's; its `spec.auth` is then `Auth()` (none). A folder's `Auth()` ("No auth") stops
the walk. `collection.sent_auth(request, folders)` gives what is sent, for exporters that
cannot say "inherit" (.http) and for file runs. Folder `variables` sit between the
collection's and the environment's (docs/variables.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from requests_app.engine.spec import Auth, KeyValue, RequestSpec

ReportLevel = Literal["dropped", "downgraded", "note"]

# The formats an import can name; "auto" asks detect.py to recognise the content.
FORMATS = ("curl", "postman", "postman_environment", "http", "har", "openapi")


class ImportFormatError(ValueError):
    """The source could not be read; says which format, where, and what is wrong.

    `position` is a path in the source ("item[2].request.url") or a place in the text
    ("line 3, column 14"); it may be empty when the problem is the whole file.
    """

    def __init__(self, format_name: str, position: str, message: str) -> None:
        self.format_name = format_name
        self.position = position
        self.message = message
        where = f"{position}: " if position else ""
        super().__init__(f"{format_name}: {where}{message}")


@dataclass
class ReportItem:
    path: str
    message: str
    level: ReportLevel = "note"

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


@dataclass
class ImportedExample:
    """A saved response of a request (Postman's item `response` entries)."""

    name: str
    status: int = 200
    headers: list[KeyValue] = field(default_factory=list)
    body: str = ""
    # The request it answers (Postman's originalRequest); None: the item's own request.
    request: RequestSpec | None = None


@dataclass
class ImportedRequest:
    name: str
    spec: RequestSpec
    description: str = ""
    # Postman pre-request and test scripts, run around the request: {"prerequest": js, "test": js}.
    scripts: dict[str, str] = field(default_factory=dict)
    source_path: str = ""
    inherits_auth: bool = False
    # webclient's declarative checks (runner shapes); exporters write them into the test script
    # (interop/saved_tests.py), imports read them back from it.
    assertions: list[dict[str, Any]] = field(default_factory=list)
    captures: list[dict[str, Any]] = field(default_factory=list)
    examples: list[ImportedExample] = field(default_factory=list)


@dataclass
class ImportedFolder:
    name: str
    description: str = ""
    items: list[ImportedItem] = field(default_factory=list)
    scripts: dict[str, str] = field(default_factory=dict)
    source_path: str = ""
    auth: Auth | None = None  # None: inherit from the parent folder or collection
    variables: list[KeyValue] = field(default_factory=list)


ImportedItem = ImportedFolder | ImportedRequest


@dataclass
class ImportedCollection:
    name: str
    description: str = ""
    variables: list[KeyValue] = field(default_factory=list)
    auth: Auth | None = None
    items: list[ImportedItem] = field(default_factory=list)
    scripts: dict[str, str] = field(default_factory=dict)

    def walk(self) -> Iterator[ImportedItem]:
        """Every folder and request, depth first, in source order."""
        stack: list[Iterator[ImportedItem]] = [iter(self.items)]
        while stack:
            item = next(stack[-1], None)
            if item is None:
                stack.pop()
                continue
            yield item
            if isinstance(item, ImportedFolder):
                stack.append(iter(item.items))

    def requests(self) -> list[ImportedRequest]:
        return [item for item in self.walk() if isinstance(item, ImportedRequest)]

    def requests_with_folders(self) -> list[tuple[ImportedRequest, tuple[ImportedFolder, ...]]]:
        """Every request with the folders above it, outermost first, depth first in source order."""
        found: list[tuple[ImportedRequest, tuple[ImportedFolder, ...]]] = []
        stack: list[tuple[Iterator[ImportedItem], tuple[ImportedFolder, ...]]] = [(iter(self.items), ())]
        while stack:
            items, folders = stack[-1]
            item = next(items, None)
            if item is None:
                stack.pop()
            elif isinstance(item, ImportedFolder):
                stack.append((iter(item.items), (*folders, item)))
            else:
                found.append((item, folders))
        return found

    def sent_auth(self, request: ImportedRequest, folders: tuple[ImportedFolder, ...]) -> Auth:
        """The auth `request` sends under `folders` (outermost first): its own, else the nearest
        folder's that does not inherit, else the collection's."""
        if not request.inherits_auth:
            return request.spec.auth
        for folder in reversed(folders):
            if folder.auth is not None:
                return folder.auth
        return self.auth if self.auth is not None else request.spec.auth

    @staticmethod
    def folder_values(folders: tuple[ImportedFolder, ...]) -> dict[str, str]:
        """Enabled folder variables, outermost first, so the innermost folder's value wins."""
        return {v.key: v.value for folder in folders for v in folder.variables if v.enabled and v.key}

    def folders(self) -> list[ImportedFolder]:
        return [item for item in self.walk() if isinstance(item, ImportedFolder)]


@dataclass
class EnvironmentVariable:
    key: str
    value: str = ""
    secret: bool = False
    enabled: bool = True


@dataclass
class ImportedEnvironment:
    name: str
    variables: list[EnvironmentVariable] = field(default_factory=list)


@dataclass
class ImportResult:
    format: str
    collections: list[ImportedCollection] = field(default_factory=list)
    environments: list[ImportedEnvironment] = field(default_factory=list)
    report: list[ReportItem] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "collections": len(self.collections),
            "folders": sum(len(c.folders()) for c in self.collections),
            "requests": sum(len(c.requests()) for c in self.collections),
            "environments": len(self.environments),
            "dropped": sum(1 for r in self.report if r.level == "dropped"),
            "downgraded": sum(1 for r in self.report if r.level == "downgraded"),
            "notes": sum(1 for r in self.report if r.level == "note"),
        }


class Report:
    """Collects report items while a format is read; `path` joins source positions."""

    def __init__(self) -> None:
        self.items: list[ReportItem] = []

    def note(self, path: str, message: str) -> None:
        self.items.append(ReportItem(path, message, "note"))

    def dropped(self, path: str, message: str) -> None:
        self.items.append(ReportItem(path, message, "dropped"))

    def downgraded(self, path: str, message: str) -> None:
        self.items.append(ReportItem(path, message, "downgraded"))

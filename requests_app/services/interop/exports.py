"""Exports: a stored collection as Postman, one .http file or a zip of .http files per folder,
credentials as placeholders unless an editor asks for them."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.utils.text import slugify

from requests_app import access
from requests_app.engine.spec import KeyValue, RequestSpec, SpecFormatError, auth_from_dict, spec_from_dict
from requests_app.interop import ImportedCollection, ImportedFolder, ImportedRequest
from requests_app.interop.credentials import TEMPLATE, mask_auth, mask_credentials
from requests_app.interop.httpfile import to_http, to_http_files
from requests_app.interop.model import ImportedItem
from requests_app.interop.postman import dumps_postman
from requests_app.models import Collection, Example, Folder, SavedRequest
from requests_app.services import tree
from requests_app.services.errors import Forbidden, ValidationFailed
from requests_app.services.examples import imported_examples
from requests_app.services.inheritance import inherits

EXPORT_FORMATS = ("postman", "http", "http-folders")


# The .http files of one collection, before compression: far above any real collection, and
# small enough that building the zip in memory never hurts the server.
MAX_HTTP_FOLDERS_BYTES = 64 * 1024 * 1024


EXPORT_FORMAT_UNKNOWN = f"must be one of {', '.join(EXPORT_FORMATS)}"


EXPORT_TOO_LARGE = f"is too large to export as .http files (more than {MAX_HTTP_FOLDERS_BYTES // 1024 // 1024} MiB)"


SECRETS_NOT_ALLOWED = "Only editors and owners of this workspace can export secrets; viewers get placeholders."


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
        variables=_key_values(collection.variables),
        auth=auth,
        scripts=dict(collection.scripts or {}),
    )

    def items(folder_id: int | None) -> list[ImportedItem]:
        return [
            ImportedFolder(name=item.name, description=item.description, scripts=dict(item.scripts or {}),
                           auth=None if inherits(item.auth) else auth_from_dict(item.auth),
                           variables=_key_values(item.variables), items=items(item.pk))
            if isinstance(item, Folder) else _exported_request(item, examples.get(item.pk, []))
            for item in loaded.children(folder_id)
        ]

    root.items = items(None)
    return root


def _key_values(rows: Any) -> list[KeyValue]:
    return [KeyValue(row.get("key", ""), row.get("value", ""), row.get("enabled", True))
            for row in rows or [] if isinstance(row, dict)]


def _mask_tree(root: ImportedCollection) -> None:
    """Every credential of the tree as its {{placeholder}} (interop/credentials.py: one rule for all exports)."""
    if root.auth is not None:
        root.auth = mask_auth(root.auth, TEMPLATE)
    for folder in root.folders():
        if folder.auth is not None:
            folder.auth = mask_auth(folder.auth, TEMPLATE)
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

"""Backup and restore of one workspace as a versioned JSON file (manage.py export_workspace /
import_workspace).

Usage::

    from requests_app.services.backup import workspace_export, workspace_import
    document = workspace_export(workspace=ws, passphrase="long phrase", include_versions=True)
    result = workspace_import(document=document, passphrase="long phrase", owner=user)
    result.workspace, result.missing_members      # emails with no account on this install

The file holds the workspace's collections, folders (flat, each naming its parent), requests
(scripts, assertions, captures and saved examples included), environments, monitors, members by e-mail and,
optionally, the saved versions of requests and environments. Monitors come back paused: the
install the file came from may still be running them, and two installs running one monitor
would double every run and every alert; an editor resumes them in Monitors. Secrets are never in clear: each value stored
encrypted under this install's SECRET_KEY is re-encrypted with a key derived from the
passphrase (scrypt); import re-encrypts it under the new install's SECRET_KEY. Ids are the
exporting install's, used only to link rows inside the file.
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from requests_app.models import (
    Collection,
    Environment,
    Example,
    Folder,
    Membership,
    Monitor,
    Revision,
    Role,
    SavedRequest,
    Workspace,
)
from requests_app.services.errors import ValidationFailed
from requests_app.services.secrets import decrypt_secret, encrypt_secret
from requests_app.services.workspaces import unique_slug

FORMAT = "webclient-workspace"
FORMAT_VERSION = 1
COLLECTION_FIELDS = ("name", "description", "variables", "auth", "scripts", "position", "version")
FOLDER_FIELDS = ("name", "description", "scripts", "auth", "variables", "position", "version")
REQUEST_FIELDS = ("name", "position", "method", "url", "params", "headers", "body", "auth", "options",
                  "description", "assertions", "captures", "scripts", "version")
ENVIRONMENT_FIELDS = ("name", "variables", "version")
EXAMPLE_FIELDS = ("name", "position", "request", "status", "headers", "body", "delay_ms")
MONITOR_FIELDS = ("name", "schedule_kind", "every_minutes", "cron_expression", "timezone", "paused", "notify_emails",
                  "notify_on_state_change", "notify_on_every_failure", "alert_on_shape_change")
MIN_PASSPHRASE = 12
_CHECK = b"webclient workspace export"
_SCRYPT = {"n": 2**15, "r": 8, "p": 1}

PASSPHRASE_TOO_SHORT = f"The passphrase must be at least {MIN_PASSPHRASE} characters."
WRONG_PASSPHRASE = "The passphrase does not open this file's secrets."
NOT_A_BACKUP = "This is not a webclient workspace file"


class BackupError(ValidationFailed):
    code = "backup_invalid"


@dataclass
class ImportResult:
    workspace: Workspace
    missing_members: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def _passphrase_key(passphrase: str, salt: bytes) -> Fernet:
    if len(passphrase) < MIN_PASSPHRASE:
        raise BackupError(PASSPHRASE_TOO_SHORT, code="passphrase_too_short")
    key = Scrypt(salt=salt, length=32, **_SCRYPT).derive(passphrase.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def _reseal(value: Any, convert: Any) -> Any:
    """`value` with each {"encrypted": token} (or {"sealed": token}) passed through `convert`."""
    if isinstance(value, list):
        return [_reseal(item, convert) for item in value]
    if not isinstance(value, dict):
        return value
    out = {key: _reseal(item, convert) for key, item in value.items()}
    return convert(out)


def _seal_with(box: Fernet, where: str) -> Any:
    def seal(row: dict[str, Any]) -> dict[str, Any]:
        if not isinstance(row.get("encrypted"), str):
            return row
        plain = decrypt_secret(row.pop("encrypted"))
        if plain is None:
            raise BackupError(f"A secret of {where} cannot be read with this install's SECRET_KEY "
                              "(add the key it was stored with to SECRET_KEY_FALLBACKS).", code="secret_unreadable")
        row["sealed"] = box.encrypt(plain.encode()).decode("ascii")
        return row

    return seal


def _unseal_with(box: Fernet) -> Any:
    def unseal(row: dict[str, Any]) -> dict[str, Any]:
        if not isinstance(row.get("sealed"), str):
            return row
        row["encrypted"] = encrypt_secret(_opened(box, row.pop("sealed")))
        return row

    return unseal


def _opened(box: Fernet, token: str) -> str:
    """A sealed value's text; a token this passphrase does not open is the wrong passphrase."""
    try:
        return box.decrypt(token.encode("ascii")).decode()
    except (InvalidToken, ValueError, UnicodeError):
        raise BackupError(WRONG_PASSPHRASE, code="wrong_passphrase") from None


def _sealed_text(box: Fernet, text: str) -> dict[str, str] | str:
    return {"sealed": box.encrypt(text.encode()).decode("ascii")} if text else ""


def _unsealed_text(box: Fernet, value: Any) -> str:
    return _opened(box, value["sealed"]) if value else ""


def _runs_as(account: Any, roles: dict[int, str], owner_id: int) -> int:
    """Who a restored monitor's runs go out as: the person who saved it, when they are a member
    here (with their account on this install), else an owner."""
    return account.pk if account is not None and account.pk in roles else owner_id


def _email(user: Any) -> str | None:
    return user.email if user is not None and user.email else None


def _versions(box: Fernet, revisions: Any, where: str) -> list[dict[str, Any]]:
    return [
        {"version": r.version, "data": _reseal(r.data, _seal_with(box, where)), "user": _email(r.user),
         "created_at": r.created_at.isoformat(), "restored_from": r.restored_from}
        for r in revisions.select_related("user").order_by("version")
    ]


def workspace_export(*, workspace: Workspace, passphrase: str, include_versions: bool = False) -> dict[str, Any]:
    """Everything of `workspace` as one JSON-ready document (see the module docstring)."""
    salt = os.urandom(16)
    box = _passphrase_key(passphrase, salt)
    collections, folders, requests, environments = [], [], [], []
    for collection in Collection.objects.filter(workspace=workspace).order_by("pk"):
        collections.append({"ref": collection.pk, **{name: getattr(collection, name) for name in COLLECTION_FIELDS}})
    for folder in Folder.objects.filter(collection__workspace=workspace).order_by("pk"):
        folders.append({"ref": folder.pk, "collection": folder.collection_id, "parent": folder.parent_id,
                        **{name: getattr(folder, name) for name in FOLDER_FIELDS}})
    saved = SavedRequest.objects.filter(collection__workspace=workspace).select_related("created_by", "updated_by")
    examples: dict[int, list[dict[str, Any]]] = {}
    for example in Example.objects.filter(saved_request__collection__workspace=workspace).order_by("position", "pk"):
        examples.setdefault(example.saved_request_id, []).append({f: getattr(example, f) for f in EXAMPLE_FIELDS})
    for request in saved.order_by("pk"):
        row = {"ref": request.pk, "collection": request.collection_id, "folder": request.folder_id,
               **{name: getattr(request, name) for name in REQUEST_FIELDS},
               "created_by": _email(request.created_by), "updated_by": _email(request.updated_by),
               "examples": examples.get(request.pk, [])}
        if include_versions:
            row["versions"] = _versions(box, request.revisions, f"request {request.name!r}")
        requests.append(row)
    for environment in Environment.objects.filter(workspace=workspace).order_by("pk"):
        where = f"environment {environment.name!r}"
        row = {"ref": environment.pk, **{name: getattr(environment, name) for name in ENVIRONMENT_FIELDS}}
        row["variables"] = _reseal(row["variables"], _seal_with(box, where))
        if include_versions:
            row["versions"] = _versions(box, environment.revisions, where)
        environments.append(row)
    monitors = [
        {"ref": monitor.pk, "collection": monitor.collection_id, "folder": monitor.folder_id,
         "environment": monitor.environment_id, "created_by": _email(monitor.created_by),
         **{name: getattr(monitor, name) for name in MONITOR_FIELDS},
         # a webhook URL is a credential (Slack's carry their token): sealed like a secret
         "webhook_url": _sealed_text(box, monitor.webhook_url)}
        for monitor in Monitor.objects.filter(workspace=workspace).select_related("created_by").order_by("pk")
    ]
    members = [
        {"email": m.user.email, "username": m.user.username, "role": m.role}
        for m in Membership.objects.filter(workspace=workspace).select_related("user").order_by("pk")
    ]
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "exported_at": timezone.now().isoformat(),
        "secrets": {"kdf": "scrypt", **_SCRYPT, "salt": base64.b64encode(salt).decode("ascii"),
                    "check": box.encrypt(_CHECK).decode("ascii")},
        "workspace": {"name": workspace.name, "is_personal": workspace.is_personal},
        "members": members,
        "collections": collections,
        "folders": folders,
        "requests": requests,
        "environments": environments,
        "monitors": monitors,
        "versions_included": include_versions,
    }


def _opened_box(document: dict[str, Any], passphrase: str) -> Fernet:
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise BackupError(f"{NOT_A_BACKUP} (no \"format\": \"{FORMAT}\").")
    if document.get("format_version") != FORMAT_VERSION:
        raise BackupError(f"{NOT_A_BACKUP} this version reads: format_version {document.get('format_version')!r} "
                          f"(this install reads {FORMAT_VERSION}).", code="backup_version")
    header = document["secrets"]
    if header.get("kdf") != "scrypt" or {k: header.get(k) for k in _SCRYPT} != _SCRYPT:
        raise BackupError(f"{NOT_A_BACKUP}: unknown key derivation.")
    box = _passphrase_key(passphrase, base64.b64decode(header["salt"]))
    try:
        if box.decrypt(header["check"].encode("ascii")) != _CHECK:
            raise InvalidToken
    except InvalidToken:
        raise BackupError(WRONG_PASSPHRASE, code="wrong_passphrase") from None
    return box


def _restore_versions(rows: list[dict[str, Any]], box: Fernet, users: dict[str, Any], **target: Any) -> None:
    Revision.objects.bulk_create([
        Revision(version=row["version"], data=_reseal(row["data"], _unseal_with(box)), user=users.get(row.get("user") or ""),
                 created_at=parse_datetime(row["created_at"]) or timezone.now(), restored_from=row.get("restored_from"),
                 **target)
        for row in rows
    ])


def workspace_import(*, document: dict[str, Any], passphrase: str, owner: AbstractBaseUser | None = None,
                     name: str | None = None) -> ImportResult:
    """Restore a document from workspace_export as a new workspace on this install.

    Members are matched by e-mail to accounts here (those without one are listed in the
    result); `owner`, when given, owns the workspace too. BackupError names what is wrong.
    """
    box = _opened_box(document, passphrase)
    try:
        with transaction.atomic():
            return _import(document, box, owner, name)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise BackupError(f"{NOT_A_BACKUP}, or it is damaged: {type(error).__name__} {error}.") from None


def _import(document: dict[str, Any], box: Fernet, owner: AbstractBaseUser | None, name: str | None) -> ImportResult:
    emails = {m["email"].lower() for m in document["members"] if m.get("email")}
    for key in ("requests", "environments", "monitors"):
        for row in document.get(key, []):
            emails |= {e.lower() for e in (row.get("created_by"), row.get("updated_by")) if e}
            emails |= {v["user"].lower() for v in row.get("versions", []) if v.get("user")}
    users: dict[str, Any] = {}
    if emails:
        matching = reduce(or_, (Q(email__iexact=email) for email in emails))
        for user in get_user_model().objects.filter(matching).order_by("pk"):
            users.setdefault(user.email.lower(), user)  # the oldest account of an address

    title = name or document["workspace"]["name"]
    workspace = Workspace.objects.create(name=title, slug=unique_slug(title), is_personal=False)
    result = ImportResult(workspace=workspace)
    roles: dict[int, str] = {}
    for member in document["members"]:
        account = users.get((member.get("email") or "").lower())
        if account is None:
            result.missing_members.append(member.get("email") or member.get("username", "?"))
        elif member["role"] in Role.values:
            roles.setdefault(account.pk, member["role"])
    if owner is not None:
        roles[owner.pk] = Role.OWNER
    if Role.OWNER not in roles.values():
        raise BackupError("No owner of the workspace has an account here: name one (--owner USERNAME).",
                          code="no_owner")
    Membership.objects.bulk_create([Membership(workspace=workspace, user_id=pk, role=role) for pk, role in roles.items()])

    collections = {row["ref"]: Collection.objects.create(
        workspace=workspace, **{f: row[f] for f in COLLECTION_FIELDS}) for row in document["collections"]}
    folders: dict[int, Folder] = {}
    pending = list(document["folders"])
    while pending:  # parents first, whatever the order in the file
        ready = [row for row in pending if row["parent"] is None or row["parent"] in folders]
        if not ready:
            raise BackupError(f"{NOT_A_BACKUP}: a folder's parent is missing.")
        for row in ready:
            folders[row["ref"]] = Folder.objects.create(
                collection=collections[row["collection"]], parent=folders.get(row["parent"]),
                **{f: row[f] for f in FOLDER_FIELDS if f in row})  # backups before 0016 have no auth, variables
            pending.remove(row)
    for row in document["requests"]:
        request = SavedRequest.objects.create(
            collection=collections[row["collection"]], folder=folders[row["folder"]] if row["folder"] else None,
            created_by=users.get((row.get("created_by") or "").lower()),
            updated_by=users.get((row.get("updated_by") or "").lower()),
            **{f: row[f] for f in REQUEST_FIELDS})
        Example.objects.bulk_create([Example(saved_request=request, **{f: ex[f] for f in EXAMPLE_FIELDS})
                                     for ex in row.get("examples", [])])
        _restore_versions(row.get("versions", []), box, users, saved_request=request)
    environments: dict[int, Environment] = {}
    for row in document["environments"]:
        environments[row["ref"]] = environment = Environment.objects.create(
            workspace=workspace, name=row["name"], version=row["version"],
            variables=_reseal(row["variables"], _unseal_with(box)))
        _restore_versions(row.get("versions", []), box, users, environment=environment)
    owner_id = next(pk for pk, role in roles.items() if role == Role.OWNER)
    Monitor.objects.bulk_create([
        Monitor(workspace=workspace, collection=collections[row["collection"]],
                folder=folders[row["folder"]] if row["folder"] else None,
                environment=environments.get(row["environment"]) if row["environment"] else None,
                created_by_id=_runs_as(users.get((row.get("created_by") or "").lower()), roles, owner_id),
                webhook_url=_unsealed_text(box, row["webhook_url"]),
                **{**{f: row[f] for f in MONITOR_FIELDS}, "paused": True})
        for row in document.get("monitors", [])  # files written before monitors existed have none
    ])
    result.counts = {key: len(document.get(key, []))
                     for key in ("collections", "folders", "requests", "environments", "monitors")}
    return result

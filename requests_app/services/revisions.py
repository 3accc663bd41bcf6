"""Change history of saved requests and environments: every save keeps a version.

Usage::

    from requests_app.services.revisions import (
        save_with_revision, revision_list, request_version_restore, environment_version_restore)
    # services call this instead of versioning.save_versioned for the two tracked kinds:
    saved = save_with_revision(saved, user=bob, version=3, changes={"url": "…"})
    revision_list(user=alice, obj=saved)      # newest first: [VersionView(number, user, when, changes)]
    request_version_restore(user=alice, saved_request=saved, number=1)   # a new version with v1's content
    latest_change(saved)                      # (who, when) of the stored version, for "Changed by bob …"

A version row holds the tracked fields as they were at that version. Secrets never appear in
clear: environment secrets keep their encrypted form, and the secret fields of a request's
auth (password, token, API key value) are encrypted before they are stored. Diffs compare
consecutive versions field by field; list fields (params, headers, variables) also per row,
and every secret value is shown as the mask.

Objects created before a first save here (imports, deep copies, older rows) get their
starting version recorded at their first save, so the version they had is never lost.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.db.models import Model

from requests_app import access, keyset
from requests_app.models import Environment, Revision, SavedRequest
from requests_app.services.activity import activity_record
from requests_app.services.errors import NotFound
from requests_app.services.masking import AUTH_SECRET_FIELDS, credentials_masked
from requests_app.services.secrets import MASK, decrypt_secret, encrypt_secret
from requests_app.services.versioning import save_versioned

REQUEST_FIELDS = ("name", "method", "url", "params", "headers", "body", "auth", "options", "description")
ENVIRONMENT_FIELDS = ("name", "variables")
# The auth fields whose values are secrets, per auth type (engine.spec.auth_to_dict shapes).
LIST_FIELDS = ("params", "headers", "variables")
_VARIABLE_REFERENCE = re.compile(r"^\{\{[^{}]+\}\}$")

VERSION_NOT_FOUND = "That version is not in this item's history."


# ---------------------------------------------------------------- snapshots


def _tracked_fields(obj: Model) -> tuple[str, ...]:
    return REQUEST_FIELDS if isinstance(obj, SavedRequest) else ENVIRONMENT_FIELDS


def _encrypt_auth(auth: dict[str, Any]) -> dict[str, Any]:
    out = dict(auth)
    for name in AUTH_SECRET_FIELDS.get(str(auth.get("type")), ()):
        value = out.get(name)
        # A {{variable}} reference is no secret (its value lives encrypted in an environment).
        if isinstance(value, str) and value and not _VARIABLE_REFERENCE.match(value):
            out[name] = {"encrypted": encrypt_secret(value)}
    return out


def _decrypt_auth(auth: dict[str, Any]) -> dict[str, Any]:
    out = dict(auth)
    for name, value in auth.items():
        if isinstance(value, dict) and "encrypted" in value:
            out[name] = decrypt_secret(value["encrypted"]) or ""
    return out


def snapshot(obj: Model) -> dict[str, Any]:
    """The tracked fields of `obj` as a version stores them (no secret in clear)."""
    data = {name: getattr(obj, name) for name in _tracked_fields(obj)}
    if isinstance(obj, SavedRequest):
        data["auth"] = _encrypt_auth(data["auth"] or {})
    return data


def restorable(obj: Model, data: dict[str, Any]) -> dict[str, Any]:
    """Model field values that bring `obj` back to a stored version's content."""
    changes = {name: data[name] for name in _tracked_fields(obj) if name in data}
    if isinstance(obj, SavedRequest) and "auth" in changes:
        changes["auth"] = _decrypt_auth(changes["auth"] or {})
    return changes


def _target(obj: Model) -> dict[str, Model]:
    if isinstance(obj, SavedRequest):
        return {"saved_request": obj}
    if isinstance(obj, Environment):
        return {"environment": obj}
    raise TypeError(f"no change history for {type(obj).__name__}")


def _revisions_of(obj: Model) -> Any:
    return Revision.objects.filter(**{f"{name}_id": target.pk for name, target in _target(obj).items()})


# ---------------------------------------------------------------- saving


def save_with_revision(
    obj: Model,
    *,
    user: AbstractBaseUser | None,
    version: Any,
    changes: dict[str, Any],
    restored_from: int | None = None,
) -> Any:
    """`versioning.save_versioned`, and the new version kept in the history (one transaction).

    Raises VersionConflict (nothing recorded) when `obj` is no longer at `version`.
    """
    read_at_version = getattr(obj, "version", None) == version
    before = snapshot(obj) if read_at_version else None
    with transaction.atomic():
        saved = save_versioned(obj, version=version, changes=changes)
        if not read_at_version:  # the object in hand was read at another version: store what is stored
            saved = type(obj)._default_manager.get(pk=obj.pk)
        revisions = _revisions_of(obj)
        if before is not None and not revisions.filter(version=version).exists():
            Revision.objects.create(
                **_target(obj), version=version, data=before, user=_last_writer(obj), created_at=_last_written(obj)
            )
        Revision.objects.create(
            **_target(obj), version=saved.version, data=snapshot(saved), user=user, restored_from=restored_from
        )
    return saved


def record_first_version(obj: Model, *, user: AbstractBaseUser | None) -> None:
    """Keep the content a tracked object was created with as its version 1."""
    Revision.objects.create(**_target(obj), version=obj.version, data=snapshot(obj), user=user)  # type: ignore[attr-defined]


def _last_writer(obj: Model) -> Any:
    return getattr(obj, "updated_by", None)


def _last_written(obj: Model) -> datetime:
    return getattr(obj, "updated_at", None) or obj.created_at  # type: ignore[no-any-return]


def latest_change(obj: Model) -> tuple[str, datetime | None]:
    """(who, when) of the version `obj` is at: the name behind "Changed by bob 2 minutes ago"."""
    revision = _revisions_of(obj).filter(version=obj.version).select_related("user").first()  # type: ignore[attr-defined]
    if revision is not None:
        return (revision.user.get_username() if revision.user else "someone"), revision.created_at
    writer = _last_writer(obj)
    return (writer.get_username() if writer else "someone"), getattr(obj, "updated_at", None)


# ---------------------------------------------------------------- reading


@dataclass
class FieldChange:
    field: str
    before: Any
    after: Any
    rows: list[dict[str, Any]] = field(default_factory=list)  # per row, for params, headers and variables


@dataclass
class VersionView:
    number: int
    user: str
    created_at: datetime
    restored_from: int | None
    changes: list[FieldChange]
    is_current: bool = False

    @property
    def changed_fields(self) -> list[str]:
        return [change.field for change in self.changes]

    def as_dict(self) -> dict[str, Any]:
        return {
            "version": self.number,
            "user": self.user,
            "created_at": self.created_at,
            "restored_from": self.restored_from,
            "is_current": self.is_current,
            "changes": [
                {"field": c.field, "before": c.before, "after": c.after, **({"rows": c.rows} if c.rows else {})}
                for c in self.changes
            ],
        }


def shown(field_name: str, value: Any) -> Any:
    """A stored field value as history and conflicts show it: every secret masked."""
    if field_name == "auth" and isinstance(value, dict):
        return credentials_masked(value)
    if field_name == "variables" and isinstance(value, list):
        return [
            {"key": row.get("key", ""), "value": MASK if row.get("secret") else row.get("value", ""),
             "secret": bool(row.get("secret")), "enabled": row.get("enabled", True)}
            for row in value if isinstance(row, dict)
        ]  # fmt: skip
    return value


def _comparable(field_name: str, value: Any) -> Any:
    """What equality means for a field: secrets by their plain value (encryptions of one value differ)."""
    if field_name == "auth" and isinstance(value, dict):
        return _decrypt_auth(value)
    if field_name == "variables" and isinstance(value, list):
        return [
            {**row, "encrypted": decrypt_secret(row["encrypted"])} if isinstance(row, dict) and row.get("encrypted")
            else row
            for row in value
        ]  # fmt: skip
    return value


def _keyed_rows(rows: list[Any]) -> dict[tuple[str, int], dict[str, Any]]:
    """Rows by (key, n-th occurrence of that key): keys may repeat and order matters."""
    seen: dict[str, int] = defaultdict(int)
    out: dict[tuple[str, int], dict[str, Any]] = {}
    for row in rows:
        if not isinstance(row, dict):
            continue
        key = str(row.get("key", ""))
        out[(key, seen[key])] = row
        seen[key] += 1
    return out


def _row_changes(field_name: str, before: list[Any], after: list[Any]) -> list[dict[str, Any]]:
    before_rows, after_rows = _keyed_rows(before), _keyed_rows(after)
    shown_before = dict(zip(before_rows, shown(field_name, list(before_rows.values()))))
    shown_after = dict(zip(after_rows, shown(field_name, list(after_rows.values()))))
    compare_before = dict(zip(before_rows, _comparable(field_name, list(before_rows.values()))))
    compare_after = dict(zip(after_rows, _comparable(field_name, list(after_rows.values()))))
    changes = []
    for slot in [*before_rows, *(slot for slot in after_rows if slot not in before_rows)]:
        if slot not in after_rows:
            changes.append({"change": "removed", "key": slot[0], "before": shown_before[slot], "after": None})
        elif slot not in before_rows:
            changes.append({"change": "added", "key": slot[0], "before": None, "after": shown_after[slot]})
        elif compare_before[slot] != compare_after[slot]:
            changes.append({"change": "changed", "key": slot[0], "before": shown_before[slot],
                            "after": shown_after[slot]})
    return changes


def diff(before: dict[str, Any] | None, after: dict[str, Any], fields: tuple[str, ...]) -> list[FieldChange]:
    """Field-level changes from one stored version to the next (all fields when `before` is None)."""
    changes = []
    for name in fields:
        old = None if before is None else before.get(name)
        new = after.get(name)
        if before is not None and _comparable(name, old) == _comparable(name, new):
            continue
        change = FieldChange(name, shown(name, old), shown(name, new))
        if name in LIST_FIELDS and before is not None:
            change.rows = _row_changes(name, old or [], new or [])
        changes.append(change)
    return changes


def revision_list(*, user: AbstractBaseUser, obj: Model) -> list[VersionView]:
    """Every kept version of a saved request or environment, newest first, with what changed.

    Any member may read it (viewers too). Two queries.
    """
    return revision_page(user=user, obj=obj, limit=None).items


def revision_page(
    *, user: AbstractBaseUser, obj: Model, cursor: str = "", limit: int | None
) -> keyset.Page:
    """A page of versions, newest first, after `cursor` (keyset on the version number; `limit`
    None = all). One query for the page plus the version before it (the base of its last diff)."""
    access.ensure_role(user, obj, "read")
    fields = _tracked_fields(obj)
    values = keyset.decode(cursor, ("-version",))
    queryset = _revisions_of(obj).select_related("user").order_by("-version")
    if values is not None:
        queryset = queryset.filter(version__lt=values[0])
    rows = list(queryset if limit is None else queryset[: limit + 2])
    current_version = getattr(obj, "version", None)
    # a version newer than any kept (never saved since it was made); a caller's object that is
    # older than the kept versions (read before someone saved) adds nothing
    if values is None and current_version is not None and (not rows or rows[0].version < current_version):
        rows.insert(0, Revision(**_target(obj), version=current_version, data=snapshot(obj),
                                user=_last_writer(obj), created_at=_last_written(obj)))  # fmt: skip
    shown_rows = rows if limit is None else rows[:limit]
    views = [
        VersionView(
            number=row.version,
            user=row.user.get_username() if row.user else "someone",
            created_at=row.created_at,
            restored_from=row.restored_from,
            changes=diff(rows[index + 1].data if index + 1 < len(rows) else None, row.data, fields),
            is_current=row.version == current_version,
        )
        for index, row in enumerate(shown_rows)
    ]
    more = limit is not None and len(rows) > limit
    return keyset.Page(views, keyset.encode([shown_rows[-1].version]) if more and shown_rows else None)


def _stored_version(obj: Model, number: Any) -> Revision:
    number = access.parse_id(number)
    revision = _revisions_of(obj).filter(version=number).first() if number is not None else None
    if revision is None:
        raise NotFound(VERSION_NOT_FOUND, code="version_not_found")
    return revision


def _restore(user: AbstractBaseUser, obj: Model, number: Any, version: int | None, extra: dict[str, Any]) -> Any:
    access.ensure_role(user, obj, "edit")
    revision = _stored_version(obj, number)
    saved = save_with_revision(
        obj,
        user=user,
        version=obj.version if version is None else version,  # type: ignore[attr-defined]
        changes={**restorable(obj, revision.data), **extra},
        restored_from=revision.version,
    )
    activity_record(user=user, verb="restored", obj=saved, detail={"version": revision.version,
                                                                    "new_version": saved.version})
    return saved


def request_version_restore(
    *, user: AbstractBaseUser, saved_request: SavedRequest, number: Any, version: int | None = None
) -> SavedRequest:
    """Bring back version `number` as a new version (editors). `version`: the one you saw (409 if stale)."""
    return _restore(user, saved_request, number, version, {"updated_by": user})  # type: ignore[no-any-return]


def environment_version_restore(
    *, user: AbstractBaseUser, environment: Environment, number: Any, version: int | None = None
) -> Environment:
    """Bring back version `number` (secrets included, still encrypted) as a new version (editors)."""
    return _restore(user, environment, number, version, {})  # type: ignore[no-any-return]

"""Saved requests: create, update, move/reorder, duplicate, delete, and their engine spec.

Usage::

    from requests_app.services.saved_requests import request_create, request_update, request_spec
    r = request_create(user=user, collection=c, folder=None, name="List users",
                       method="GET", url="{{base}}/users",
                       headers=[{"key": "Accept", "value": "application/json", "enabled": True}])
    r = request_update(user=user, saved_request=r, version=r.version, url="{{base}}/users?page=2")
    request_create(user=user, collection=c, name="Imported", spec=some_request_spec)  # from interop
    request_spec(r)            # engine RequestSpec (auth "inherit" resolved: folders, then collection)

Request parts use the engine's dict shapes (engine.spec.spec_to_dict); `auth` may also be
{"type": "inherit"}: use the nearest folder's or else the collection's auth (the default for new
requests; services/inheritance.py); {"type": "none"}: no auth, whatever is above.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

from requests_app import access
from requests_app.engine.spec import RequestSpec, spec_to_dict
from requests_app.models import Collection, Folder, SavedRequest
from requests_app.runner.assertions import AssertionFormatError, validate_assertions
from requests_app.runner.captures import CaptureFormatError, validate_captures
from requests_app.services import quotas, tree
from requests_app.services.activity import activity_record, activity_record_move
from requests_app.services.errors import ValidationFailed
from requests_app.services.examples import examples_copy
from requests_app.services.inheritance import folder_chain, spec_with_inherited_auth
from requests_app.services.revisions import REQUEST_FIELDS, record_first_version, save_with_revision
from requests_app.services.scripts import clean_scripts
from requests_app.services.validation import (
    REQUEST_PARTS,
    clean_json_list,
    clean_name,
    clean_position,
    clean_request_parts,
    clean_text,
)


def _parts(spec: RequestSpec | None, given: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    if spec is not None:
        return clean_request_parts(spec_to_dict(spec))
    return clean_request_parts({k: v for k, v in given.items() if v is not None} if partial else given, partial=partial)


def _runner_checked(validate: Any, value: list[Any], field: str) -> list[Any]:
    """Assertions and captures in the runner's shape (runner/assertions.py, captures.py), normalised."""
    try:
        return validate(value, field)  # type: ignore[no-any-return]
    except (AssertionFormatError, CaptureFormatError) as error:
        raise ValidationFailed(str(error), code=error.code, fields={error.field: [error.message]}) from None


def _extras(assertions: Any, captures: Any, scripts: Any, *, partial: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if assertions is not None or not partial:
        out["assertions"] = _runner_checked(
            validate_assertions, clean_json_list(assertions, field="assertions"), "assertions"
        )
    if captures is not None or not partial:
        out["captures"] = _runner_checked(validate_captures, clean_json_list(captures, field="captures"), "captures")
    if scripts is not None or not partial:
        out["scripts"] = clean_scripts(scripts)
    return out


def request_create(
    *,
    user: AbstractBaseUser,
    collection: Collection,
    name: str,
    folder: Folder | None = None,
    spec: RequestSpec | None = None,
    method: str = "GET",
    url: str = "",
    params: list[dict[str, Any]] | None = None,
    headers: list[dict[str, Any]] | None = None,
    body: dict[str, Any] | None = None,
    auth: dict[str, Any] | None = None,
    options: dict[str, Any] | None = None,
    description: str = "",
    assertions: list[Any] | None = None,
    captures: list[Any] | None = None,
    scripts: dict[str, Any] | None = None,
    position: int | None = None,
) -> SavedRequest:
    """Save a new request in `collection` (under `folder`), from parts or from an engine `spec`.

    Raises ValidationFailed naming the bad field (e.g. "headers[1].value").
    """
    access.ensure_role(user, collection, "edit")
    quotas.ensure_room(collection.workspace_id, adding=1)
    if folder is not None and folder.collection_id != collection.pk:
        raise ValidationFailed.for_field("folder", "must be a folder of the same collection")
    clean_position(position)
    parts = _parts(
        spec,
        {"method": method, "url": url, "params": params, "headers": headers, "body": body, "auth": auth,
         "options": options},
        partial=False,
    )
    saved = SavedRequest(
        collection=collection,
        folder=folder,
        name=clean_name(name),
        description=clean_text(description, field="description"),
        created_by=user,
        updated_by=user,
        **parts,
        **_extras(assertions, captures, scripts, partial=False),
    )
    with transaction.atomic():
        tree.insert(saved, tree.Parent(collection.pk, folder.pk if folder else None), position)
        record_first_version(saved, user=user)
        activity_record(user=user, verb="created", obj=saved, workspace=collection.workspace_id)
    access.set_role(saved, user, collection.user_role)
    return saved


def request_update(
    *,
    user: AbstractBaseUser,
    saved_request: SavedRequest,
    version: int,
    name: str | None = None,
    spec: RequestSpec | None = None,
    method: str | None = None,
    url: str | None = None,
    params: list[dict[str, Any]] | None = None,
    headers: list[dict[str, Any]] | None = None,
    body: dict[str, Any] | None = None,
    auth: dict[str, Any] | None = None,
    options: dict[str, Any] | None = None,
    description: str | None = None,
    assertions: list[Any] | None = None,
    captures: list[Any] | None = None,
    scripts: dict[str, Any] | None = None,
) -> SavedRequest:
    """Change the given parts (None = unchanged; `spec` replaces all request parts).

    Only if the stored request is still at `version`; else VersionConflict with the stored one.
    """
    access.ensure_role(user, saved_request, "edit")
    changes: dict[str, Any] = _parts(
        spec,
        {"method": method, "url": url, "params": params, "headers": headers, "body": body, "auth": auth,
         "options": options},
        partial=True,
    )
    if name is not None:
        changes["name"] = clean_name(name)
    if description is not None:
        changes["description"] = clean_text(description, field="description")
    changes.update(_extras(assertions, captures, scripts, partial=True))
    changed_fields = [name for name in REQUEST_FIELDS if name in changes and changes[name] != getattr(saved_request, name)]
    changes["updated_by"] = user
    with transaction.atomic():
        saved = save_with_revision(saved_request, user=user, version=version, changes=changes)
        activity_record(user=user, verb="changed", obj=saved, detail={"fields": changed_fields} if changed_fields else None)
    return saved  # type: ignore[no-any-return]


def request_move(
    *,
    user: AbstractBaseUser,
    saved_request: SavedRequest,
    folder: Folder | None,
    collection: Collection | None = None,
    position: int | None = None,
) -> SavedRequest:
    """Move into `folder` (None = root of `collection`, default the request's own) at `position`.

    Reordering is a move to the same folder. Another collection needs editor rights there too.
    """
    access.ensure_role(user, saved_request, "edit")
    clean_position(position)
    if folder is not None:
        access.ensure_role(user, folder, "edit")
        target = folder.collection
        if collection is not None and collection.pk != target.pk:
            raise ValidationFailed.for_field("folder", "must be a folder of the target collection")
    elif collection is not None:
        access.ensure_role(user, collection, "edit")
        target = collection
    else:
        target = saved_request.collection
    if target.workspace_id != saved_request.collection.workspace_id:
        quotas.ensure_room(target.workspace_id, adding=1)
    source = tree.Parent.of(saved_request)
    destination = tree.Parent(target.pk, folder.pk if folder else None)
    source_collection = saved_request.collection
    with transaction.atomic():
        saved_request.position = tree.move(saved_request, source=source, target=destination, position=position)
        SavedRequest.objects.filter(pk=saved_request.pk).update(
            collection=target, folder=folder, position=saved_request.position
        )
        if source != destination:
            activity_record_move(user=user, obj=saved_request, source=source_collection, target=target, folder=folder)
        saved_request.collection = target
        saved_request.folder = folder
    return saved_request



def request_duplicate(*, user: AbstractBaseUser, saved_request: SavedRequest, name: str | None = None) -> SavedRequest:
    """A copy right after the original, in the same folder."""
    access.ensure_role(user, saved_request, "edit")
    quotas.ensure_room(saved_request.collection.workspace_id, adding=1)
    with transaction.atomic():
        position = tree.open_gap_after(
            tree.Parent.of(saved_request), saved_request.position
        )
        copy = SavedRequest.objects.create(
            collection_id=saved_request.collection_id,
            folder_id=saved_request.folder_id,
            created_by=user,
            updated_by=user,
            **{
                **tree.copied_fields(saved_request),
                "name": clean_name(name) if name is not None else (saved_request.name + " copy")[:200],
                "position": position,
            },
        )
        record_first_version(copy, user=user)
        examples_copy([(saved_request.pk, copy)])
        activity_record(user=user, verb="created", obj=copy, workspace=saved_request.collection.workspace_id,
                        detail={"from": saved_request.name})
    access.set_role(copy, user, saved_request.user_role)
    return copy


def request_copy(
    *,
    user: AbstractBaseUser,
    saved_request: SavedRequest,
    collection: Collection | None = None,
    folder: Folder | None = None,
    name: str | None = None,
) -> SavedRequest:
    """A copy at the end of `folder` (or the root of `collection`), in any workspace the user can edit.

    Needs editor rights on both sides; the copy starts its own change history.
    """
    access.ensure_role(user, saved_request, "edit")
    if folder is not None:
        access.ensure_role(user, folder, "edit")
        if collection is not None and collection.pk != folder.collection_id:
            raise ValidationFailed.for_field("folder", "must be a folder of the target collection")
        collection = folder.collection
    elif collection is None:
        raise ValidationFailed.for_field("collection", "Choose where the copy goes.", code="required")
    access.ensure_role(user, collection, "edit")
    quotas.ensure_room(collection.workspace_id, adding=1)
    copy = SavedRequest(
        collection=collection,
        folder=folder,
        created_by=user,
        updated_by=user,
        **{**tree.copied_fields(saved_request), "name": clean_name(name) if name is not None else saved_request.name},
    )
    with transaction.atomic():
        tree.insert(copy, tree.Parent(collection.pk, folder.pk if folder else None), None)
        record_first_version(copy, user=user)
        examples_copy([(saved_request.pk, copy)])
        activity_record_move(user=user, obj=copy, source=saved_request.collection, target=collection, folder=folder,
                    verb="copied")
    access.set_role(copy, user, collection.user_role)
    return copy


def request_delete(*, user: AbstractBaseUser, saved_request: SavedRequest) -> None:
    """Delete the request; its history entries stay (they keep their own copy of what was sent)."""
    access.ensure_role(user, saved_request, "edit")
    with transaction.atomic():
        activity_record(user=user, verb="deleted", obj=saved_request)
        saved_request.delete()
        tree.close_gap(tree.Parent.of(saved_request), saved_request.position)


def request_spec(saved_request: SavedRequest, *, collection: Collection | None = None) -> RequestSpec:
    """The engine spec for a saved request; auth "inherit" resolved through its folders and collection."""
    data = {part: getattr(saved_request, part) for part in REQUEST_PARTS}
    return spec_with_inherited_auth(data, collection=collection or saved_request.collection,
                                    chain=folder_chain(saved_request.folder))

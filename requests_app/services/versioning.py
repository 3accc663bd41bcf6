"""Optimistic concurrency: an update names the version it was based on.

Usage::

    from requests_app.services.versioning import save_versioned
    save_versioned(saved_request, version=3, changes={"name": "List users"})
    # one UPDATE … WHERE id = … AND version = 3, setting version = version + 1;
    # when no row matched, VersionConflict carries the object as stored now.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import F, Model
from django.utils import timezone

from requests_app.services.errors import VERSION_REQUIRED, NotFound, ValidationFailed, VersionConflict

M = TypeVar("M", bound=Model)


def save_versioned(obj: M, *, version: Any, changes: dict[str, Any]) -> M:
    """Apply `changes` to `obj` only if it is still at `version`; bump the version atomically."""
    if isinstance(version, bool) or not isinstance(version, int):
        raise ValidationFailed.for_field("version", VERSION_REQUIRED, code="version_required")
    model = type(obj)
    now = timezone.now()
    matched = model._default_manager.filter(pk=obj.pk, version=version).update(
        **changes, version=F("version") + 1, updated_at=now
    )
    if not matched:
        current = model._default_manager.filter(pk=obj.pk).first()
        if current is None:
            raise NotFound()
        if hasattr(obj, "user_role"):
            current.user_role = obj.user_role  # type: ignore[attr-defined]
            current.role_user_id = getattr(obj, "role_user_id", None)  # type: ignore[attr-defined]
        raise VersionConflict(current)
    for name, value in changes.items():
        setattr(obj, name, value)
    obj.version = version + 1  # type: ignore[attr-defined]
    obj.updated_at = now  # type: ignore[attr-defined]
    return obj

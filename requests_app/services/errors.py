"""Named errors raised by services; the API and the page both map them.

Usage::

    from requests_app.services.errors import ServiceError, VersionConflict
    try:
        request_update(user=user, saved_request=req, version=3, name="x")
    except VersionConflict as conflict:
        conflict.current          # the object as it is now (someone else saved first)
    except ServiceError as error:
        error.code, error.message, error.fields   # {"url": "must be a string", ...}

HTTP statuses: ValidationFailed 400, Forbidden 403, NotFound 404, VersionConflict 409.
Forbidden also subclasses Django's PermissionDenied, and `requests_app.web.ServiceErrorMiddleware`
turns a NotFound no view caught into Django's 404 page, so a page view that does not catch them
still answers 404 / 403 (services know nothing of django.http).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied


class ServiceError(Exception):
    """Base of every error a service raises for a person to read."""

    code: str = "error"
    default_message: str = "The operation failed."
    http_status: int = 400

    def __init__(self, message: str | None = None, *, code: str | None = None, fields: dict[str, Any] | None = None):
        self.message = message or self.default_message
        if code:
            self.code = code
        self.fields: dict[str, Any] = dict(fields or {})
        super().__init__(self.message)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "fields": self.fields}


class ValidationFailed(ServiceError):
    """Input was refused; `fields` maps each bad field (e.g. "headers[2].value") to its message."""

    code = "invalid"
    default_message = "Some fields are invalid."
    http_status = 400

    @classmethod
    def for_field(cls, field: str, message: str, *, code: str | None = None) -> ValidationFailed:
        return cls(f"{field}: {message}", code=code, fields={field: [message]})


class NotFound(ServiceError):
    """Missing, or belonging to a workspace the caller is not a member of (ids can't be probed)."""

    code = "not_found"
    default_message = "Not found."
    http_status = 404


class Forbidden(ServiceError, PermissionDenied):
    """A member whose role does not allow this (e.g. a viewer editing)."""

    code = "forbidden"
    default_message = "Your role in this workspace does not allow that."
    http_status = 403


class VersionConflict(ServiceError):
    """The object changed since the caller read it; `current` is the object as stored now."""

    code = "version_conflict"
    default_message = "Someone else saved a newer version. Reload it, then apply your change again."
    http_status = 409

    def __init__(self, current: Any, message: str | None = None) -> None:
        super().__init__(message)
        self.current = current


# Messages a person can meet, tested by name.
NAME_REQUIRED = "A name is required."
LAST_OWNER = "A workspace needs at least one owner."
PERSONAL_WORKSPACE = "A personal workspace can't be deleted."
FOLDER_CYCLE = "A folder can't be moved into itself or one of its subfolders."
USERNAME_TAKEN = "That username is taken."
MASKED_SECRET_UNKNOWN = "This secret has no stored value yet: type the value instead of the mask."
PERSONAL_WORKSPACE_MEMBERS = "A personal workspace has no other members; create a shared one."
DELETE_CONFIRMATION = "Type the workspace's name exactly to confirm that it and everything in it go."
UNKNOWN_USERNAME = "No account has that username."
UNKNOWN_EMAIL = "No account has that e-mail address. Send an invitation link instead."
AMBIGUOUS_EMAIL = "Several accounts use that e-mail address; add the person by username."
VERSION_REQUIRED = "Send the version you edited, so a newer save by someone else is not overwritten."

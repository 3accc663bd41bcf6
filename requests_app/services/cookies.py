"""The cookie jar of each (user, workspace), persisted between executions.

Usage::

    from requests_app.services.cookies import cookie_list, cookie_delete, cookie_clear
    cookie_list(user=user, workspace=ws)         # [{"name", "value", "domain", "path", "expires", ...}]
    cookie_delete(user=user, workspace=ws, domain="127.0.0.1", path="/", name="session")
    cookie_clear(user=user, workspace=ws)
    cookie_set(user=user, workspace=ws, name="session", value="abc", domain="127.0.0.1", path="/")
    cookie_set(..., replaces=("127.0.0.1", "/", "session"))    # edit: the cookie it was

    # Execution (services.execution) uses:
    jar, before = cookie_jar_load(user=user, workspace=ws)
    send(spec, policy=…, cookie_jar=jar)
    cookie_jar_save(user=user, workspace=ws, before=before, jar=jar)

Saving merges this execution's changes (cookies set, changed or removed) into the jar as it is
stored NOW, under a row lock, instead of writing back the whole jar: two requests running at
once in the same workspace don't erase each other's cookies, and no lock is held while the
network is in use. Every member may manage their own jar, viewers included (execute is theirs).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

from requests_app import access
from requests_app.engine.cookies import CookieFieldError, CookieFormatError, CookieJar
from requests_app.models import CookieJarState, Workspace
from requests_app.services.errors import NotFound, ValidationFailed

logger = logging.getLogger(__name__)

CookieKey = tuple[str, str, str]


def _key(entry: dict[str, Any]) -> CookieKey:
    return (entry.get("domain", ""), entry.get("path", ""), entry.get("name", ""))


def _jar_from(data: Any) -> CookieJar:
    try:
        return CookieJar.from_list(data if isinstance(data, list) else [])
    except CookieFormatError:
        # A damaged jar must not block sending: start afresh rather than fail every request.
        logger.warning("Unreadable cookie jar state replaced by an empty jar.")
        return CookieJar()


def _stored_data(user: AbstractBaseUser, workspace: Workspace) -> list[dict[str, Any]]:
    data = CookieJarState.objects.filter(user=user, workspace=workspace).values_list("data", flat=True).first()
    return data if isinstance(data, list) else []


def cookie_jar_load(*, user: AbstractBaseUser, workspace: Workspace) -> tuple[CookieJar, list[dict[str, Any]]]:
    """The user's jar for this workspace and a snapshot of it (for `cookie_jar_save`)."""
    jar = _jar_from(_stored_data(user, workspace))
    return jar, jar.to_list()


def cookie_jar_save(
    *, user: AbstractBaseUser, workspace: Workspace, before: list[dict[str, Any]], jar: CookieJar
) -> None:
    """Apply what changed between `before` and `jar` onto the stored jar (row-locked)."""
    after = jar.to_list()
    old = {_key(entry): entry for entry in before}
    new = {_key(entry): entry for entry in after}
    changed = {key: entry for key, entry in new.items() if old.get(key) != entry}
    removed = set(old) - set(new)
    if not changed and not removed:
        return
    with transaction.atomic():
        state, _ = CookieJarState.objects.select_for_update().get_or_create(user=user, workspace=workspace)
        current = {_key(entry): entry for entry in (state.data if isinstance(state.data, list) else [])}
        for key in removed:
            current.pop(key, None)
        current.update(changed)
        state.data = _jar_from(list(current.values())).to_list()  # validates and drops expired ones
        state.save(update_fields=["data", "updated_at"])


def cookie_list(*, user: AbstractBaseUser, workspace: Workspace) -> list[dict[str, Any]]:
    """The user's cookies in this workspace (exchange.Cookie fields as a dict), sorted by domain."""
    access.ensure_role(user, workspace, "read")
    cookies = _jar_from(_stored_data(user, workspace)).list()
    rows = [
        {
            "name": c.name,
            "value": c.value,
            "domain": c.domain,
            "path": c.path,
            "expires": c.expires,
            "secure": c.secure,
            "http_only": c.http_only,
            "same_site": c.same_site,
        }
        for c in cookies
    ]
    return sorted(rows, key=lambda row: (row["domain"], row["path"], row["name"]))


def cookie_delete(*, user: AbstractBaseUser, workspace: Workspace, domain: str, path: str, name: str) -> None:
    """Delete one cookie; NotFound when the jar has no such (domain, path, name)."""
    access.ensure_role(user, workspace, "read")
    with transaction.atomic():
        state = CookieJarState.objects.select_for_update().filter(user=user, workspace=workspace).first()
        jar = _jar_from(state.data if state else [])
        if state is None or not jar.delete(domain, path, name):
            raise NotFound("Cookie not found.")
        state.data = jar.to_list()
        state.save(update_fields=["data", "updated_at"])


def cookie_set(
    *, user: AbstractBaseUser, workspace: Workspace, name: str, value: str, domain: str, path: str = "/",
    expires: datetime | None = None, secure: bool = False, http_only: bool = False, replaces: CookieKey | None = None,
) -> None:
    """Add a cookie to the user's jar, or edit one: `replaces` names the (domain, path, name) it was.

    Raises ValidationFailed naming the field (name, value, domain, path, expires).
    """
    access.ensure_role(user, workspace, "read")
    with transaction.atomic():
        state, _ = CookieJarState.objects.select_for_update().get_or_create(user=user, workspace=workspace)
        jar = _jar_from(state.data if isinstance(state.data, list) else [])
        try:  # the engine's jar checks what a typed cookie may be (RFC 6265) and that it has not expired
            key = jar.set(name, value, domain=domain, path=path, expires=expires.timestamp() if expires else None,
                          secure=secure, http_only=http_only)
        except CookieFieldError as error:
            field, message = error.args
            raise ValidationFailed.for_field(field, message, code="bad_cookie") from None
        if replaces is not None and replaces != key and not jar.delete(*replaces):
            raise NotFound("Cookie not found.")
        state.data = jar.to_list()
        state.save(update_fields=["data", "updated_at"])


def cookie_clear(*, user: AbstractBaseUser, workspace: Workspace) -> None:
    """Empty the user's jar in this workspace."""
    access.ensure_role(user, workspace, "read")
    CookieJarState.objects.filter(user=user, workspace=workspace).update(data=[])

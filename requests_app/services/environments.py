"""Environments: ordered variables {key, value, secret, enabled}; secret values encrypted at rest.

Usage::

    from requests_app.services.environments import (
        environment_create, environment_update, environment_variables, environment_values)
    env = environment_create(user=user, workspace=ws, name="Staging", variables=[
        {"key": "base", "value": "https://staging.example.com", "secret": False, "enabled": True},
        {"key": "token", "value": "s3cr3t", "secret": True, "enabled": True}])
    environment_variables(env)                       # secrets shown as MASK ("••••••")
    environment_variables(env, reveal=True)          # plain values: callers check may-edit first
    environment_update(user=user, environment=env, version=env.version,
                       variables=environment_variables(env))   # the mask sent back keeps the secret
    environment_values(env)                          # {"base": "...", "token": "s3cr3t"} for sending
    environment_secrets(env)                         # {"token": "s3cr3t"}: what history must hide
    environment_secret_scope(env, role="viewer")     # engine SecretScope: where each secret may go

A secret row may list `hosts` (exact names, `*.example.com`): the only hosts its value may be
sent to, by anyone. Without hosts, in team mode only editors and owners may send it.

Stored shape of a secret row: {"key", "secret": true, "enabled", "encrypted": <Fernet token>,
"hosts": [..]}; the plain value never reaches the database.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

from requests_app import access
from requests_app.engine.secret_hosts import BoundSecret, SecretScope, clean_host_pattern
from requests_app.models import Environment, Workspace
from requests_app.services.activity import activity_record
from requests_app.services.errors import MASKED_SECRET_UNKNOWN, Forbidden, ValidationFailed
from requests_app.services.revisions import record_first_version, save_with_revision
from requests_app.services.secrets import MASK, decrypt_secret, encrypt_secret
from requests_app.services.validation import clean_kv_list, clean_name


def _stored_secrets_by_key(stored: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Encrypted values of the stored secret rows, per key in order (keys may repeat)."""
    found: dict[str, list[str]] = defaultdict(list)
    for row in stored:
        if row.get("secret") and row.get("encrypted"):
            found[row["key"]].append(row["encrypted"])
    return found


def _store_variables(variables: Any, previous: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Clean submitted variables into the stored shape, encrypting secrets.

    A secret sent back as MASK keeps the stored secret of the same key (n-th row of that key
    matches the n-th stored one), so a form round trip never loses data.
    """
    rows = clean_kv_list(variables, field="variables", allow_secret=True)
    hosts_of = _clean_hosts(variables)
    encrypted_by_key = _stored_secrets_by_key(previous)
    used: dict[str, int] = defaultdict(int)
    out: list[dict[str, Any]] = []
    for index, row in enumerate(rows):
        if not row["key"].strip():
            raise ValidationFailed.for_field(f"variables[{index}].key", "a variable needs a name")
        out_row = _store_row(row, index, encrypted_by_key, used)
        hosts = hosts_of[index] if index in hosts_of else _stored_hosts(previous, out_row)
        if out_row.get("secret") and hosts:
            out_row["hosts"] = hosts
        out.append(out_row)
    return out


SECRET_HOSTS_INVALID = (
    "{host!r} is not a host name: list names like api.example.com or *.example.com (no scheme, port or path)"
)
SECRET_HOSTS_MAX = 50


def _stored_hosts(previous: list[dict[str, Any]], row: dict[str, Any]) -> list[str]:
    """A kept secret (sent back masked, without `hosts`) keeps the hosts stored with it."""
    for stored in previous:
        if stored.get("encrypted") and stored.get("encrypted") == row.get("encrypted"):
            return list(stored.get("hosts") or [])
    return []


def _clean_hosts(variables: Any) -> dict[int, list[str]]:
    """{row index: canonical host patterns} for rows that give `hosts` (a list, or names split by commas/spaces)."""
    found: dict[int, list[str]] = {}
    for index, row in enumerate(variables if isinstance(variables, list) else []):
        if not isinstance(row, dict) or "hosts" not in row:
            continue
        raw = row["hosts"]
        if raw is None:
            raw = []
        where = f"variables[{index}].hosts"
        if isinstance(raw, str):
            raw = raw.replace(",", " ").split()
        if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
            raise ValidationFailed.for_field(where, "must be a list of host names")
        hosts: list[str] = []
        for item in raw:
            pattern = clean_host_pattern(item)
            if pattern is None:
                raise ValidationFailed.for_field(where, SECRET_HOSTS_INVALID.format(host=item), code="bad_host")
            if pattern not in hosts:
                hosts.append(pattern)
        if len(hosts) > SECRET_HOSTS_MAX:
            raise ValidationFailed.for_field(where, f"at most {SECRET_HOSTS_MAX} hosts")
        found[index] = hosts
    return found


def _store_row(
    row: dict[str, Any], index: int, encrypted_by_key: dict[str, list[str]], used: dict[str, int]
) -> dict[str, Any]:
    key, value = row["key"], row["value"]
    candidates = encrypted_by_key.get(key, [])
    if value == MASK and (row["secret"] or used[key] < len(candidates)):
        if used[key] >= len(candidates):
            raise ValidationFailed.for_field(f"variables[{index}].value", MASKED_SECRET_UNKNOWN, code="secret_unknown")
        encrypted = candidates[used[key]]
        used[key] += 1
        if row["secret"]:
            return {"key": key, "secret": True, "enabled": row["enabled"], "encrypted": encrypted}
        # un-marking a secret keeps its value, now in the clear
        return {"key": key, "value": decrypt_secret(encrypted) or "", "secret": False, "enabled": row["enabled"]}
    if row["secret"]:
        return {"key": key, "secret": True, "enabled": row["enabled"], "encrypted": encrypt_secret(value)}
    return {"key": key, "value": value, "secret": False, "enabled": row["enabled"]}


def variables_as_stored(variables: Any, *, like: Environment) -> list[dict[str, Any]]:
    """Submitted variables as they would be stored over `like` (to compare, e.g. in a conflict view).

    Rows that can't be stored (a mask with no stored secret) come back as sent, secrets blanked.
    """
    try:
        return _store_variables(variables, like.variables)
    except ValidationFailed:
        rows = variables if isinstance(variables, list) else []
        return [{**row, "value": ""} if isinstance(row, dict) and row.get("secret") else row for row in rows]


def environment_variables(environment: Environment, *, reveal: bool = False) -> list[dict[str, Any]]:
    """Variables for display: {key, value, secret, enabled}; secrets as MASK unless `reveal`.

    `reveal` is for callers that checked the person may edit the environment
    (see `environment_reveal_allowed`).
    """
    out = []
    for row in environment.variables:
        if row.get("secret"):
            value = (decrypt_secret(row.get("encrypted", "")) or "") if reveal else MASK
        else:
            value = row.get("value", "")
        shown = {"key": row.get("key", ""), "value": value, "secret": bool(row.get("secret")),
                 "enabled": row.get("enabled", True)}
        if row.get("secret"):
            shown["hosts"] = list(row.get("hosts") or [])
        out.append(shown)
    return out


def environment_reveal_allowed(*, user: AbstractBaseUser, environment: Environment) -> bool:
    """Whether `user` may see secret values in the clear (editors and owners)."""
    try:
        access.ensure_role(user, environment, "edit")
    except Forbidden:
        return False
    return True


def environment_values(environment: Environment | None) -> dict[str, str]:
    """Enabled variables as {name: plain value}, for the engine (later rows of a key win).

    An unreadable secret (SECRET_KEY rotated) is left out, so it reads as an unset variable.
    """
    values: dict[str, str] = {}
    if environment is None:
        return values
    for row in environment.variables:
        if not row.get("enabled", True):
            continue
        if row.get("secret"):
            plain = decrypt_secret(row.get("encrypted", ""))
            if plain is None:
                continue
            values[row["key"]] = plain
        else:
            values[row["key"]] = row.get("value", "")
    return values


def environment_secrets(environment: Environment | None) -> dict[str, str]:
    """{name: plain value} of every secret row (enabled or not) with a readable, non-empty value."""
    found: dict[str, str] = {}
    if environment is None:
        return found
    for row in environment.variables:
        if row.get("secret"):
            plain = decrypt_secret(row.get("encrypted", ""))
            if plain:
                found[row["key"]] = plain
    return found


def environment_secret_scope(environment: Environment | None, *, role: str | None) -> SecretScope:
    """Where each enabled secret of `environment` may be sent by a member with `role` (engine.secret_hosts).

    Secrets with hosts go only there, whoever sends them. Secrets without hosts: anywhere for
    editors and owners (who may read them anyway) and in local mode; nowhere for viewers in team mode.
    """
    bound: list[BoundSecret] = []
    for row in environment.variables if environment is not None else []:
        if row.get("secret") and row.get("enabled", True):
            plain = decrypt_secret(row.get("encrypted", ""))
            if plain:
                bound.append(BoundSecret(row["key"], plain, tuple(row.get("hosts") or ())))
    unbound_allowed = access.can_edit(role) or not settings.TEAM_MODE
    return SecretScope(secrets=tuple(bound), unbound_allowed=unbound_allowed)


def environment_create(
    *,
    user: AbstractBaseUser,
    workspace: Workspace,
    name: str,
    variables: list[dict[str, Any]] | None = None,
    secrets_from: Environment | None = None,
) -> Environment:
    """A new environment (editor or owner); secret values are encrypted before saving.

    `secrets_from`: an environment of the same workspace whose stored secrets a masked value
    stands for (saving your edits of it as a copy).
    """
    access.ensure_role(user, workspace, "edit")
    if secrets_from is not None:
        access.ensure_role(user, secrets_from, "edit")
        if secrets_from.workspace_id != workspace.pk:
            raise ValidationFailed.for_field("secrets_from", "must be an environment of the same workspace")
    stored = _store_variables(variables, secrets_from.variables if secrets_from is not None else [])
    with transaction.atomic():
        environment = Environment.objects.create(workspace=workspace, name=clean_name(name), variables=stored)
        record_first_version(environment, user=user)
        activity_record(user=user, verb="created", obj=environment, workspace=workspace.pk)
    access.set_role(environment, user, workspace.user_role)
    return environment


def environment_update(
    *,
    user: AbstractBaseUser,
    environment: Environment,
    version: int,
    name: str | None = None,
    variables: list[dict[str, Any]] | None = None,
) -> Environment:
    """Rename and/or replace the variables if still at `version` (else VersionConflict).

    Secrets sent back as MASK keep their stored value.
    """
    access.ensure_role(user, environment, "edit")
    changes: dict[str, Any] = {}
    if name is not None:
        changes["name"] = clean_name(name)
    if variables is not None:
        changes["variables"] = _store_variables(variables, environment.variables)
    changed_fields = [key for key, value in changes.items() if value != getattr(environment, key)]
    with transaction.atomic():
        saved = save_with_revision(environment, user=user, version=version, changes=changes)
        activity_record(user=user, verb="changed", obj=saved, detail={"fields": changed_fields} if changed_fields else None)
    return saved  # type: ignore[no-any-return]


def environment_duplicate(*, user: AbstractBaseUser, environment: Environment, name: str | None = None) -> Environment:
    """A copy with the same (still encrypted) variables."""
    access.ensure_role(user, environment, "edit")
    with transaction.atomic():
        copy = Environment.objects.create(
            workspace_id=environment.workspace_id,
            name=clean_name(name) if name is not None else (environment.name + " copy")[:200],
            variables=list(environment.variables),
        )
        record_first_version(copy, user=user)
        activity_record(user=user, verb="created", obj=copy, detail={"from": environment.name})
    access.set_role(copy, user, environment.user_role)
    return copy


def environment_delete(*, user: AbstractBaseUser, environment: Environment) -> None:
    """Delete the environment; history entries that used it keep their (masked) record."""
    access.ensure_role(user, environment, "edit")
    with transaction.atomic():
        activity_record(user=user, verb="deleted", obj=environment)
        environment.delete()

"""Pre-request and test scripts of stored collections, folders and requests: plan chains, limits, write-back.

    script_limits()                                   # WEBCLIENT_SCRIPT_* settings as ScriptLimits
    stored_scripts(collection, folders, saved)        # {"prerequest": (ScriptSource…), "test": (…)} in Postman's order
    environment_rows_after_scripts(rows, before, after)  # environment rows with the scripts' changes

The scripts themselves run in requests_app/scripting (no Django), called by the runner and by
services.execution for a single Send.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from requests_app.scripting.sources import EVENTS, ScriptLimits, ScriptSource

MAX_SCRIPT_CHARS = 200_000
# What a stored `scripts` object may hold: the two Postman events (run), and .http files' JetBrains
# handler scripts (kept for export, never run; see interop/httpfile.py).
STORED_KEYS = (*EVENTS, "http_client_prerequest", "http_client_test")


def clean_scripts(value: Any, *, field: str = "scripts") -> dict[str, str]:
    """{"prerequest": js, "test": js}: the two events only, text only; empty scripts are dropped."""
    from requests_app.services.errors import ValidationFailed
    from requests_app.services.validation import reject_nul

    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValidationFailed.for_field(field, "must be an object with prerequest and test scripts")
    cleaned = {}
    for key, text in value.items():
        if key not in STORED_KEYS:
            raise ValidationFailed.for_field(f"{field}.{key}", f"unknown script event; use {' or '.join(EVENTS)}")
        if not isinstance(text, str):
            raise ValidationFailed.for_field(f"{field}.{key}", "must be the script's text")
        if len(text) > MAX_SCRIPT_CHARS:
            raise ValidationFailed.for_field(f"{field}.{key}", f"is longer than {MAX_SCRIPT_CHARS} characters")
        if text.strip():
            cleaned[key] = text.replace("\r\n", "\n")
    return reject_nul(cleaned, field=field)  # type: ignore[no-any-return]


def script_limits() -> ScriptLimits:
    return ScriptLimits(timeout_ms=settings.WEBCLIENT_SCRIPT_TIMEOUT_MS, max_memory_mb=settings.WEBCLIENT_SCRIPT_MAX_MEMORY_MB)


def stored_scripts(collection: Any, folders: Sequence[Any], saved: Any) -> dict[str, tuple[ScriptSource, ...]]:
    """Collection, then folders from the outside in, then the request — for both events, as Postman runs them."""
    owners = [("collection", collection.scripts), *((f"folder {f.name!r}", f.scripts) for f in folders), ("request", saved.scripts)]
    chain: dict[str, tuple[ScriptSource, ...]] = {}
    for event in EVENTS:
        sources = tuple(
            ScriptSource(owner, scripts[event])
            for owner, scripts in owners
            if isinstance(scripts, dict) and isinstance(scripts.get(event), str) and scripts[event].strip()
        )
        if sources:
            chain[event] = sources
    return chain


def environment_rows_after_scripts(
    rows: list[dict[str, Any]], before: Mapping[str, str], after: Mapping[str, Any]
) -> tuple[list[dict[str, Any]], bool]:
    """(rows, changed): `rows` as environment_variables gives them (secrets masked), with what the
    scripts set (`after`, the environment scope at the end) and unset (in `before`, gone from `after`).
    Rows the scripts left alone stay as they are, so a masked secret is never written back as text."""
    from requests_app.runner.scripted import MASK, as_text

    changed = False
    kept = []
    seen = set()
    for row in rows:
        key = row["key"]
        if key in before and key not in after and row.get("enabled", True):
            changed = True  # pm.environment.unset
            continue
        if key in after and as_text(after[key]) not in (before.get(key), MASK if row.get("secret") else None):
            row = {**row, "value": as_text(after[key]), "enabled": True}
            changed = True
        seen.add(key)
        kept.append(row)
    for key, value in after.items():
        if key not in seen and key not in before:
            kept.append({"key": key, "value": as_text(value), "secret": False, "enabled": True})
            changed = True
    return kept, changed


def request_scripts(
    collection: Any, saved: Any, scripts: Mapping[str, str] | None, *, folders: Sequence[Any] | None = None
) -> dict[str, tuple[ScriptSource, ...]]:
    """The chain for a single Send: stored collection and folder scripts, the request's as edited.

    `folders`: the request's folders, outermost first, when the caller has them already."""
    from types import SimpleNamespace

    from requests_app.models import Folder

    given = folders is not None
    folders = list(folders or [])
    folder_id = None if given else getattr(saved, "folder_id", None)
    while folder_id is not None and len(folders) < 64:
        folder = Folder.objects.filter(pk=folder_id).only("id", "name", "scripts", "parent_id").first()
        if folder is None:
            break
        folders.insert(0, folder)
        folder_id = folder.parent_id
    own = dict(scripts) if scripts is not None else dict(getattr(saved, "scripts", None) or {})
    empty = SimpleNamespace(scripts={})
    return stored_scripts(collection or empty, folders, SimpleNamespace(scripts=own))


@dataclass
class SendScripts:
    exchange: Any
    report: dict[str, Any]  # stored in the history entry's exchange as "scripts"
    environment: dict[str, Any] | None  # the environment scope after the scripts, when they changed it


def run_send_scripts(
    spec: Any, chain: dict[str, tuple[ScriptSource, ...]], *, send_fn: Any, scopes: list[dict[str, str]], name: str,
    secrets: Mapping[str, str], folder_vars: Mapping[str, str] | None = None,
) -> SendScripts:
    """Pre-request scripts, the send, test scripts: one request of a run, in a context of its own.

    `scopes`: [collection variables, environment]; `folder_vars`: the request's folders', which
    the request gets above the collection's and scripts do not see, as in a run."""
    from requests_app.runner.loop import make_plan_item, with_folder_scope
    from requests_app.runner.script_steps import bounded_console
    from requests_app.runner.scripted import ScriptedRun, ScriptStep, script_error_text

    item = make_plan_item(name=name or "request", spec=spec, scripts=chain, variables=folder_vars)
    scripted = ScriptedRun(send_fn=send_fn, collection_vars=scopes[0], environment_vars=scopes[1], limits=script_limits(),
                           hidden=secrets)
    try:
        before = scripted.prerequest(item, iteration=1, captured={})
        if before.skip:
            from requests_app.services.errors import ValidationFailed

            raise ValidationFailed.for_field(
                "scripts", "A pre-request script skipped this request (pm.execution.skipRequest()).", code="skipped"
            )
        exchange = send_fn(before.spec, with_folder_scope(scripted.scopes({}), item, after=2))
        after = scripted.test(item, before, exchange, iteration=1, captured={}) if exchange.response is not None else ScriptStep(spec=before.spec)
    finally:
        scripted.close()
    tests = [
        {**a.to_dict(), "error": "" if a.passed else a.message.removeprefix(f"{a.target}: ")}
        for a in (*before.assertions, *after.assertions)
    ]
    errors = [*before.errors, *after.errors]
    report = {
        "tests": tests,
        "passed": sum(1 for t in tests if t["passed"]),
        "failed": sum(1 for t in tests if not t["passed"]),
        "errors": [{"name": e.name, "message": e.describe(), "line": e.line, "column": e.column} for e in errors],
        "error_text": script_error_text(errors),
        "console": bounded_console([*before.console, *after.console]),
        "sent": [
            {"method": sub_spec.method, "url": sub_spec.url, "status": sub.response.status if sub.response else None,
             "error": sub.error.message if sub.error else ""}
            for sub_spec, sub in (*before.sent, *after.sent)
        ],
        "skipped": before.skip,
    }
    environment = scripted.typed["environment"] if "environment" in scripted.changed else None
    return SendScripts(exchange, report, environment)


def environment_after_send(*, user: Any, environment: Any, before: Mapping[str, str], after: Mapping[str, Any]) -> bool:
    """Write a Send's pm.environment changes back when `user` may edit the environment (else keep them out)."""
    from requests_app import access
    from requests_app.services.environments import environment_update, environment_variables
    from requests_app.services.errors import Forbidden, NotFound, VersionConflict

    try:
        fresh = access.get_environment_for_user(user, environment.pk, need="edit")
    except (NotFound, Forbidden):
        return False
    for _attempt in range(3):
        rows, changed = environment_rows_after_scripts(environment_variables(fresh), before, after)
        if not changed:
            return False
        try:
            environment_update(user=user, environment=fresh, version=fresh.version, variables=rows)
            return True
        except VersionConflict:
            fresh = access.get_environment_for_user(user, environment.pk, need="edit")
    return False

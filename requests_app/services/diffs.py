"""Response diffs: two history entries, a saved request's last two responses, or one request
sent with two environments. The comparison itself is requests_app.responsediff (plain Python).

Usage::

    from requests_app.services.diffs import history_diff, request_diff_environments
    result = history_diff(user=user, entry_a=1, entry_b=2)          # {"a": …, "b": …, "diff": …}
    result = request_diff_previous(user=user, saved_request=req)
    result = request_diff_environments(user=user, saved_request=req, environments=[staging, prod])
    request_diff_ignore_set(user=user, saved_request=req, rules={"headers": ["Date"], "json_paths": ["$..id"]})
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser

from requests_app import access
from requests_app.engine.validation import is_token
from requests_app.models import Environment, HistoryEntry, SavedRequest
from requests_app.responsediff import DiffRefused, IgnoreRules, diff_responses, validate_json_path
from requests_app.services.errors import ValidationFailed
from requests_app.services.execution import request_execute
from requests_app.services.history import history_exchange

MAX_IGNORE_RULES = 100
NOTHING_TO_COMPARE = "nothing_to_compare"


def _summary(entry: HistoryEntry) -> dict[str, Any]:
    return {
        "id": entry.pk,
        "method": entry.method,
        "url": entry.url,
        "status": entry.status,
        "error_kind": entry.error_kind,
        "total_ms": entry.total_ms,
        "created_at": entry.created_at.isoformat(),
        "environment": entry.environment.name if entry.environment_id and entry.environment else None,
        "saved_request": entry.saved_request_id,
    }


def _compare(entry_a: HistoryEntry, entry_b: HistoryEntry, ignore: IgnoreRules) -> dict[str, Any]:
    try:
        diff = diff_responses(history_exchange(entry_a).get("response"), history_exchange(entry_b).get("response"),
                              ignore=ignore)
    except DiffRefused as refused:
        raise ValidationFailed(refused.message, code=refused.code, fields={"b": [refused.message]}) from None
    return {"a": _summary(entry_a), "b": _summary(entry_b), "diff": diff.to_dict()}


def _rules_of(*entries: HistoryEntry) -> IgnoreRules:
    """The saved request's ignore rules when both entries are responses of the same one."""
    ids = {entry.saved_request_id for entry in entries}
    if len(ids) == 1 and None not in ids and entries[0].saved_request is not None:
        return IgnoreRules.from_dict(entries[0].saved_request.diff_ignore)
    return IgnoreRules()


def history_diff(*, user: AbstractBaseUser, entry_a: Any, entry_b: Any) -> dict[str, Any]:
    """Compare two of the user's history entries (any of their workspaces); NotFound otherwise."""
    first = access.get_history_for_user(user, entry_a)
    second = access.get_history_for_user(user, entry_b)
    return _compare(first, second, _rules_of(first, second))


def request_diff_previous(*, user: AbstractBaseUser, saved_request: SavedRequest) -> dict[str, Any]:
    """Compare the user's last response of a saved request with the one before it."""
    access.require(saved_request, "read")
    latest = list(access.history_for_user(user).filter(saved_request=saved_request)
                  .select_related("saved_request", "environment").order_by("-created_at", "-id")[:2])
    if len(latest) < 2:
        raise ValidationFailed("Send this request twice to compare its responses: there is "
                               f"{'one response' if latest else 'no response'} in your history.",
                               code=NOTHING_TO_COMPARE)
    previous, last = latest[1], latest[0]
    return _compare(previous, last, IgnoreRules.from_dict(saved_request.diff_ignore))


def request_diff_environments(*, user: AbstractBaseUser, saved_request: SavedRequest,
                              environments: list[Environment | None]) -> dict[str, Any]:
    """Send the saved request now with each of two environments (one after the other, each
    recorded in history as any send) and compare the two responses."""
    access.require(saved_request, "read")
    if len(environments) != 2:
        raise ValidationFailed.for_field("environments", "Name two environments (or null for none).")
    workspace = saved_request.collection.workspace
    entries = [request_execute(user=user, workspace=workspace, saved_request=saved_request, environment=environment)
               for environment in environments]
    return _compare(entries[0], entries[1], IgnoreRules.from_dict(saved_request.diff_ignore))


def request_diff_ignore_set(*, user: AbstractBaseUser, saved_request: SavedRequest, rules: Any) -> SavedRequest:
    """Replace the request's diff ignore rules (editors and owners); ValidationFailed names the bad rule."""
    access.require(saved_request, "edit")
    if not isinstance(rules, dict) or set(rules) - {"headers", "json_paths"}:
        raise ValidationFailed.for_field("diff_ignore", 'must be {"headers": [...], "json_paths": [...]}')
    cleaned: dict[str, list[str]] = {"headers": [], "json_paths": []}
    for part, check in (("headers", _header_problem), ("json_paths", validate_json_path)):
        values = rules.get(part) or []
        if not isinstance(values, list) or len(values) > MAX_IGNORE_RULES:
            raise ValidationFailed.for_field(part, f"must be a list of at most {MAX_IGNORE_RULES} strings")
        for index, value in enumerate(values):
            problem = "must be a string" if not isinstance(value, str) else check(value.strip())
            if problem:
                raise ValidationFailed.for_field(f"{part}[{index}]", problem)
            if value.strip() not in cleaned[part]:
                cleaned[part].append(value.strip())
    saved_request.diff_ignore = cleaned
    saved_request.save(update_fields=["diff_ignore"])
    return saved_request


def _header_problem(name: str) -> str | None:
    return None if is_token(name) else "must be a header name (letters, digits and !#$%&'*+-.^_`|~)"

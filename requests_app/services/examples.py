"""Saved examples: named responses of a saved request (status, headers, body), several per request.

Usage::

    from requests_app.services.examples import example_create, example_create_from_history
    ex = example_create(user=user, saved_request=r, name="Found", status=200,
                        headers=[{"key": "Content-Type", "value": "application/json", "enabled": True}],
                        body='{"id": 1}')
    ex = example_create_from_history(user=user, saved_request=r, entry=history_entry, name="Found")
    example_update(user=user, example=ex, status=404, delay_ms=250)
    example_delete(user=user, example=ex)
    example_to_dict(ex)     # the API's shape

`request` is what the example answers (method, url, params, headers, body in the engine's
dict shapes); it defaults to the saved request's own parts and is what the mock server
matches calls against. Editing needs the editor role on the request's workspace.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.db.models import Max

from requests_app import access
from requests_app.engine.spec import KeyValue, SpecFormatError, spec_from_dict, spec_to_dict
from requests_app.interop.model import ImportedExample
from requests_app.models import Example, HistoryEntry, SavedRequest
from requests_app.services.errors import ValidationFailed
from requests_app.services.validation import clean_kv_list, clean_name, clean_text, reject_nul

STATUS_INVALID = "must be a whole number from 100 to 599"
DELAY_INVALID = "must be a whole number of milliseconds from 0 to 10000"
HISTORY_NO_RESPONSE = "That history entry has no response to save: the request failed before one arrived."
HISTORY_BINARY_BODY = "That response's body is not text; examples keep text bodies only."
HISTORY_TRUNCATED = "That response was cut at the size limit; raise the limit in Settings and send again."
MAX_DELAY_MS = 10_000
MAX_BODY_CHARS = 5 * 1024 * 1024
EXAMPLE_REQUEST_PARTS = ("method", "url", "params", "headers", "body")
# Describe how the original bytes were framed and coded; the mock frames its own answer.
FRAMING_HEADERS = frozenset({"content-length", "transfer-encoding", "connection", "keep-alive", "content-encoding"})


def _clean_status(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 100 <= value <= 599:
        raise ValidationFailed.for_field("status", STATUS_INVALID, code="bad_status")
    return value


def _clean_delay(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_DELAY_MS:
        raise ValidationFailed.for_field("delay_ms", DELAY_INVALID, code="bad_delay")
    return value


def _clean_request(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValidationFailed.for_field("request", "must be an object with method, url, params, headers, body")
    try:
        spec = spec_to_dict(spec_from_dict({part: value.get(part) for part in EXAMPLE_REQUEST_PARTS}))
    except SpecFormatError as error:
        raise ValidationFailed.for_field(f"request.{error.field}", error.message) from None
    spec["method"] = spec["method"].strip().upper() or "GET"
    return reject_nul({part: spec[part] for part in EXAMPLE_REQUEST_PARTS}, field="request")


def request_parts_of(saved_request: SavedRequest) -> dict[str, Any]:
    """The saved request's own parts: what its examples answer unless told otherwise."""
    return {part: getattr(saved_request, part) for part in EXAMPLE_REQUEST_PARTS}


def _clean_fields(fields: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "name" in fields:
        out["name"] = clean_name(fields["name"])
    if "status" in fields:
        out["status"] = _clean_status(fields["status"])
    if "headers" in fields:
        out["headers"] = clean_kv_list(fields["headers"], field="headers")
    if "body" in fields:
        out["body"] = clean_text(fields["body"], field="body", max_length=MAX_BODY_CHARS)
    if "delay_ms" in fields:
        out["delay_ms"] = _clean_delay(fields["delay_ms"])
    if "request" in fields:
        out["request"] = _clean_request(fields["request"])
    return out


def example_create(
    *,
    user: AbstractBaseUser,
    saved_request: SavedRequest,
    name: str,
    status: int = 200,
    headers: list[dict[str, Any]] | None = None,
    body: str = "",
    request: dict[str, Any] | None = None,
    delay_ms: int = 0,
) -> Example:
    """Add an example after the request's others; ValidationFailed names the bad field."""
    access.ensure_role(user, saved_request, "edit")
    fields = _clean_fields(
        {"name": name, "status": status, "headers": headers or [], "body": body, "delay_ms": delay_ms,
         "request": request if request is not None else request_parts_of(saved_request)}
    )
    with transaction.atomic():
        last = saved_request.examples.aggregate(last=Max("position"))["last"]
        example = Example.objects.create(saved_request=saved_request, position=(last or 0) + 1, **fields)
    access.set_role(example, user, getattr(saved_request, "user_role", ""))
    return example


def example_create_from_history(
    *, user: AbstractBaseUser, saved_request: SavedRequest, entry: HistoryEntry, name: str
) -> Example:
    """Save the response a history entry recorded (secrets already masked there) as an example."""
    from requests_app.services.history import history_exchange, history_spec

    exchange = history_exchange(entry)
    response = exchange.get("response")
    if not response:
        raise ValidationFailed.for_field("history", HISTORY_NO_RESPONSE, code="no_response")
    if "body_text" not in response:
        raise ValidationFailed.for_field("history", HISTORY_BINARY_BODY, code="binary_body")
    if response.get("truncated"):
        raise ValidationFailed.for_field("history", HISTORY_TRUNCATED, code="truncated_body")
    headers = [
        {"key": key, "value": value, "enabled": True}
        for key, value in response.get("headers", [])
        if key.lower() not in FRAMING_HEADERS
    ]
    asked = history_spec(entry)
    request = {part: asked.get(part) for part in EXAMPLE_REQUEST_PARTS}
    return example_create(
        user=user, saved_request=saved_request, name=name, status=response["status"], headers=headers,
        body=response["body_text"], request=request,
    )


def example_update(*, user: AbstractBaseUser, example: Example, **fields: Any) -> Example:
    access.ensure_role(user, example, "edit")
    unknown = set(fields) - {"name", "status", "headers", "body", "delay_ms", "request"}
    if unknown:
        raise ValidationFailed.for_field(sorted(unknown)[0], "is not a field of an example")
    for key, value in _clean_fields(fields).items():
        setattr(example, key, value)
    example.save()
    return example


def example_delete(*, user: AbstractBaseUser, example: Example) -> None:
    access.ensure_role(user, example, "edit")
    example.delete()


def example_to_dict(example: Example) -> dict[str, Any]:
    return {
        "id": example.pk,
        "request_id": example.saved_request_id,
        "name": example.name,
        "position": example.position,
        "status": example.status,
        "headers": example.headers,
        "body": example.body,
        "delay_ms": example.delay_ms,
        "request": example.request,
        "created_at": example.created_at.isoformat(),
        "updated_at": example.updated_at.isoformat(),
    }


# ---------------------------------------------------------------- import and export


def example_rows_for_import(saved: SavedRequest, imported: list[ImportedExample], *, path: str) -> list[Example]:
    """Unsaved Example rows for an imported request (its pk set); ValidationFailed names the example."""
    rows = []
    for index, item in enumerate(imported):
        request = spec_to_dict(item.request) if item.request is not None else request_parts_of(saved)
        try:
            fields = _clean_fields(
                {"name": item.name, "status": item.status, "body": item.body, "request": request,
                 "headers": [{"key": h.key, "value": h.value, "enabled": h.enabled} for h in item.headers]}
            )
        except ValidationFailed as error:
            raise ValidationFailed(f"{path}.response[{index}]: {error.message}", fields=error.fields) from None
        rows.append(Example(saved_request=saved, position=index + 1, **fields))
    return rows


def imported_examples(examples: list[Example]) -> list[ImportedExample]:
    """The neutral tree's examples of one request, for the exporters."""
    out = []
    for example in examples:
        try:
            request = spec_from_dict(example.request) if example.request else None
        except SpecFormatError:
            request = None
        out.append(
            ImportedExample(
                name=example.name,
                status=example.status,
                headers=[KeyValue(h.get("key", ""), h.get("value", ""), h.get("enabled", True)) for h in example.headers],
                body=example.body,
                request=request,
            )
        )
    return out


def examples_copy(pairs: list[tuple[int, SavedRequest]]) -> None:
    """Copy the examples of each (original request id, its new copy): duplicates keep their examples.

    One query to read them, one to write them (none to write when there are none).
    """
    copies = dict(pairs)
    rows = [
        Example(
            saved_request=copies[example.saved_request_id], name=example.name, position=example.position,
            request=example.request, status=example.status, headers=example.headers, body=example.body,
            delay_ms=example.delay_ms,
        )
        for example in Example.objects.filter(saved_request_id__in=list(copies)).order_by("position", "id")
    ]
    if rows:
        Example.objects.bulk_create(rows)

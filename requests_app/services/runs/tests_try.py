"""Trying a request's (unsaved) assertions and captures against a recorded response: nothing is sent."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser

from requests_app import access
from requests_app.engine.exchange import exchange_from_dict
from requests_app.models import HistoryEntry, SavedRequest
from requests_app.runner.assertions import AssertionFormatError, AssertionResult, compile_assertions, evaluate
from requests_app.runner.captures import CaptureFormatError, apply_captures, compile_captures
from requests_app.runner.responses import ResponseView
from requests_app.services.errors import ValidationFailed
from requests_app.services.history import history_exchange, history_list

NO_RESPONSE_YET = "There is no response of this request to try against yet: send it once first."


@dataclass
class TestsPreview:
    """Assertions and captures evaluated against a recorded response; nothing was sent."""

    assertions: list[AssertionResult]
    captures: list[dict[str, Any]]
    status: int | None
    recorded_at: Any



def request_tests_try(
    *,
    user: AbstractBaseUser,
    saved_request: SavedRequest,
    assertions: list[Any],
    captures: list[Any],
    history_entry: HistoryEntry | None = None,
) -> TestsPreview:
    """Evaluate (unsaved) assertions and captures against the given history entry, or the user's
    latest one of this request, without sending anything. Viewers may try; invalid lists raise
    ValidationFailed naming the field."""
    access.ensure_role(user, saved_request, "read")
    try:
        compiled_assertions = compile_assertions(assertions)
        compiled_captures = compile_captures(captures)
    except (AssertionFormatError, CaptureFormatError) as error:
        raise ValidationFailed(error.message, code=error.code, fields={error.field: [error.message]}) from None
    entry = history_entry
    if entry is None:
        entry = history_list(user=user, saved_request=saved_request).defer(None).first()
    if entry is None:
        raise ValidationFailed.for_field("history", NO_RESPONSE_YET, code="no_response")
    exchange = exchange_from_dict(history_exchange(entry))
    view = ResponseView(exchange)
    return TestsPreview(
        assertions=evaluate(compiled_assertions, view),
        captures=[result.to_dict() for result in apply_captures(compiled_captures, view)],
        status=exchange.response.status if exchange.response else None,
        recorded_at=entry.created_at,
    )

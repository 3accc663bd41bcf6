"""The Examples tab of a saved request, "Save as example" on a response, and a collection's
mock server dialog. Thin: access, parse, one service, render."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods, require_POST

from requests_app import access
from requests_app.models import SavedRequest, Workspace
from requests_app.services import examples as example_services
from requests_app.services import mock as mock_services
from requests_app.services.errors import ServiceError, ValidationFailed
from requests_app.views.common import can_edit, in_workspace, with_events, workspace_for

HEADER_LINE_INVALID = "Line {line} of the headers has no colon: write one header per line as Name: value."
EXAMPLE_SAVED = "Example saved."
EXAMPLES_CHANGED = "examples-changed"
NOT_FROM_A_SAVED_REQUEST = "This response is not from a saved request: save the request first, then send it again."


def _panel(request: HttpRequest, workspace: Workspace, saved: SavedRequest, **extra: Any) -> HttpResponse:
    examples = access.examples_for_user(request.user, saved_request=saved).order_by("position", "id")
    context = {"workspace": workspace, "saved": saved, "examples": examples, "can_edit": can_edit(workspace), **extra}
    return render(request, "requests_app/editor/examples.html", context, status=400 if extra.get("error") else 200)


def request_examples(request: HttpRequest, workspace_id: int, request_id: int) -> HttpResponse:
    workspace = workspace_for(request, workspace_id)
    saved = in_workspace(access.get_request_for_user(request.user, request_id), workspace)
    return _panel(request, workspace, saved)


def _headers_from_text(text: str) -> list[dict[str, Any]]:
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        name, colon, value = line.partition(":")
        if not colon or not name.strip():
            raise ValueError(HEADER_LINE_INVALID.format(line=number))
        rows.append({"key": name.strip(), "value": value.strip(), "enabled": True})
    return rows


def _int(value: str, default: int) -> int | str:
    value = (value or "").strip()
    if not value:
        return default
    return int(value) if value.isdigit() else value  # a non-number reaches the service, which names it


def _editable_example(request: HttpRequest, workspace_id: int, example_id: int) -> tuple[Workspace, Any, SavedRequest]:
    workspace = workspace_for(request, workspace_id)
    example = in_workspace(access.get_example_for_user(request.user, example_id, need="edit"), workspace)
    return workspace, example, example.saved_request


@require_POST
def example_edit(request: HttpRequest, workspace_id: int, example_id: int) -> HttpResponse:
    workspace, example, saved = _editable_example(request, workspace_id, example_id)
    try:
        headers = _headers_from_text(request.POST.get("ex_headers", ""))
        answers = {**example.request, "method": request.POST.get("ex_method", "GET").strip() or "GET",
                   "url": request.POST.get("ex_url", "")}
        example_services.example_update(
            user=request.user, example=example, name=request.POST.get("ex_name", ""),
            status=_int(request.POST.get("ex_status", ""), 200), delay_ms=_int(request.POST.get("ex_delay_ms", ""), 0),
            headers=headers, body=request.POST.get("ex_body", ""), request=answers,
        )  # fmt: skip
    except ValueError as error:
        return _panel(request, workspace, saved, error=str(error), error_example=example.pk)
    except ServiceError as error:
        return _panel(request, workspace, saved, error=error.message, error_example=example.pk)
    # The answer is the fresh panel itself: no examples-changed, whose reload would replace it (and its notice).
    return with_events(_panel(request, workspace, saved, notice=EXAMPLE_SAVED), "tree-changed")


@require_POST
def example_delete(request: HttpRequest, workspace_id: int, example_id: int) -> HttpResponse:
    workspace, example, saved = _editable_example(request, workspace_id, example_id)
    example_services.example_delete(user=request.user, example=example)
    return with_events(_panel(request, workspace, saved, notice=f"Example “{example.name}” deleted."), "tree-changed")


@require_POST
def example_from_history(request: HttpRequest, workspace_id: int, entry_id: int) -> HttpResponse:
    """The response panel's "Save as example": the entry's response on the request it was sent from."""
    workspace = workspace_for(request, workspace_id)
    entry = in_workspace(access.get_history_for_user(request.user, entry_id), workspace)
    context: dict[str, Any] = {"workspace": workspace, "entry": entry, "can_edit": True}
    try:
        if entry.saved_request_id is None:
            raise ValidationFailed.for_field("history", NOT_FROM_A_SAVED_REQUEST, code="not_saved")
        saved = access.get_request_for_user(request.user, entry.saved_request_id, need="edit")
        example = example_services.example_create_from_history(
            user=request.user, saved_request=saved, entry=entry, name=request.POST.get("name", "")
        )
    except ServiceError as error:
        context["example_error"] = error.message
        return render(request, "requests_app/editor/save_example.html", context, status=400)
    context["example_saved"] = example
    return with_events(render(request, "requests_app/editor/save_example.html", context), EXAMPLES_CHANGED, "tree-changed")


@require_http_methods(["GET", "POST"])
def collection_mock(request: HttpRequest, workspace_id: int, collection_id: int) -> HttpResponse:
    """The mock server dialog: on/off, address, the secret token for outside callers."""
    workspace = workspace_for(request, workspace_id)
    collection = in_workspace(access.get_collection_for_user(request.user, collection_id), workspace)
    context: dict[str, Any] = {"workspace": workspace, "collection": collection, "can_edit": can_edit(workspace)}
    status = 200
    if request.method == "POST":
        collection = access.get_collection_for_user(request.user, collection_id, need="edit")
        try:
            action = request.POST.get("action", "save")
            if action == "token":
                context["token"] = mock_services.mock_token_rotate(user=request.user, collection=collection)
            elif action == "clear-token":
                mock_services.mock_token_clear(user=request.user, collection=collection)
            else:
                mock_services.mock_update(user=request.user, collection=collection,
                                          enabled="enabled" in request.POST, slug=request.POST.get("slug", "").strip())
                context["notice"] = "Saved."
        except ServiceError as error:
            context["error"] = error.message
            status = 400
    server = mock_services.mock_for(collection)
    context["mock"] = mock_services.mock_to_dict(server, base_url=request.build_absolute_uri("/").rstrip("/"))
    return render(request, "requests_app/dialogs/mock.html", context, status=status)

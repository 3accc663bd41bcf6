"""The three-pane page: open a workspace, a saved request, a history entry; history actions."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from requests_app import access
from requests_app.engine.spec import Auth, RequestSpec, SpecFormatError, spec_from_dict
from requests_app.services.curl_paste import request_from_curl
from requests_app.services.errors import ValidationFailed
from requests_app.services.history import (
    history_body_bytes,
    history_clear,
    history_delete,
    history_exchange,
    history_list,
    history_spec,
)
from requests_app.services.inheritance import stored_spec
from requests_app.templatetags.lazy_json import JsonPointerError, json_children
from requests_app.views.common import (
    KEEP_RESPONSE_HEADER,
    active_environment,
    editor_context,
    editor_state,
    history_context,
    in_workspace,
    page,
    workspace_for,
)
from requests_app.views.response_view import PAGE_BODY_CHARS, ResponseView
from requests_app.web import HtmxHttpRequest, download_response, download_stream

DOWNLOAD_EXTENSIONS = {"json": "json", "xml": "xml", "html": "html", "text": "txt", "image": "img", "binary": "bin"}


@login_not_required
def home(request: HttpRequest) -> HttpResponse:
    """Anonymous: sign in (or create the first account); signed in: the first workspace."""
    if not request.user.is_authenticated:
        return redirect("login")
    first = access.workspaces_for_user(request.user).first()
    if first is None:
        return render(request, "requests_app/no_workspace.html", status=200)
    return redirect("workspace", workspace_id=first.pk)


@require_GET
def workspace_switch(request: HttpRequest) -> HttpResponse:
    workspace = workspace_for(request, request.GET.get("workspace", ""))
    return redirect("workspace", workspace_id=workspace.pk)


@require_GET
def workspace_page(request: HtmxHttpRequest, workspace_id: int) -> HttpResponse:
    """A new, empty request in the editor (also the "New" button's target)."""
    workspace = workspace_for(request, workspace_id)
    # auth "inherit": a new request saved into a collection uses the collection's auth, as in Postman
    editor = editor_state(RequestSpec(auth=Auth(type="inherit")), environment=active_environment(request, workspace))
    if request.htmx and request.htmx.target == "editor":  # a new tab: the editor and an empty response
        return _editor_with_response(request, workspace, editor, None, None)
    return page(request, workspace, editor)


def _editor_with_response(
    request: HtmxHttpRequest, workspace, editor, response: ResponseView | None, entry
) -> HttpResponse:  # type: ignore[no-untyped-def]
    """htmx: the editor, plus the response pane out of band; otherwise the whole page."""
    if not request.htmx:
        return page(request, workspace, editor, response=response, entry=entry)
    context = {**editor_context(workspace, editor), "response": response, "entry": entry, "oob_response": True}
    return render(request, "requests_app/editor/editor_swap.html", context)


@require_GET
def request_open(request: HtmxHttpRequest, workspace_id: int, request_id: int) -> HttpResponse:
    workspace = workspace_for(request, workspace_id)
    saved = in_workspace(access.get_request_for_user(request.user, request_id), workspace)
    data = {part: getattr(saved, part) for part in ("method", "url", "params", "headers", "body", "auth", "options")}
    spec = stored_spec(data)  # "inherit" stays "inherit": the editor names what it inherits
    editor = editor_state(spec, environment=active_environment(request, workspace), saved_request=saved)
    if request.htmx and request.headers.get(KEEP_RESPONSE_HEADER):  # Save as…: the response pane stays
        return render(request, "requests_app/editor/editor.html", editor_context(workspace, editor))
    last = history_list(user=request.user, workspace=workspace, saved_request=saved).first()
    response = ResponseView.from_exchange(history_exchange(last, body_excerpt_chars=PAGE_BODY_CHARS)) if last else None
    return _editor_with_response(request, workspace, editor, response, last)


@require_GET
def history_open(request: HttpRequest, workspace_id: int, entry_id: int) -> HttpResponse:
    """The exact request of a history entry (secrets as {{name}}) with its response."""
    workspace = workspace_for(request, workspace_id)
    entry = in_workspace(access.get_history_for_user(request.user, entry_id), workspace)
    try:
        spec = spec_from_dict(history_spec(entry))
    except SpecFormatError:
        spec = RequestSpec(method=entry.method, url=entry.url)
    editor = editor_state(
        spec,
        environment=active_environment(request, workspace),
        name=f"{entry.method} {entry.url}"[:120],
        breadcrumb="History",
        from_history=True,
    )
    response = ResponseView.from_exchange(history_exchange(entry, body_excerpt_chars=PAGE_BODY_CHARS))
    return _editor_with_response(request, workspace, editor, response, entry)


@require_GET
def history_body(request: HttpRequest, workspace_id: int, entry_id: int) -> HttpResponse:
    """The response body as a download: never rendered in our origin."""
    workspace = workspace_for(request, workspace_id)
    entry = in_workspace(access.get_history_for_user(request.user, entry_id), workspace)
    recorded = entry.exchange.get("response") or {}
    name = f"response-{entry.pk}.{DOWNLOAD_EXTENSIONS.get(recorded.get('kind', ''), 'bin')}"
    if recorded.get("body_stored"):  # from the history file, a piece at a time
        return download_stream(name, "application/octet-stream", history_body_bytes(entry))
    return download_response(name, "application/octet-stream", b"".join(history_body_bytes(entry)))


@require_GET
def history_json(request: HttpRequest, workspace_id: int, entry_id: int) -> HttpResponse:
    """One folded part of a large JSON body (a container's children), as the Pretty view opens it."""
    workspace = workspace_for(request, workspace_id)
    entry = in_workspace(access.get_history_for_user(request.user, entry_id), workspace)
    text = (history_exchange(entry).get("response") or {}).get("body_text") or ""
    offset = access.parse_id(request.GET.get("offset")) or 0
    try:
        html = json_children(json.loads(text), request.GET.get("pointer", ""), url=request.path, offset=offset)
    except (ValueError, RecursionError, JsonPointerError):
        return HttpResponse('<div class="j-line muted">This part is no longer in the body.</div>', status=200)
    return HttpResponse(html)


def _history_partial(request: HttpRequest, workspace) -> HttpResponse:  # type: ignore[no-untyped-def]
    """The history list (filtered by the query) newest first; with `cursor` only the next rows."""
    cursor = request.GET.get("cursor", "")[:200] if request.method == "GET" else ""
    context = {"workspace": workspace, **history_context(request, workspace, cursor)}
    return render(request, f"requests_app/sidebar/history.html#history-{'rows' if cursor else 'list'}", context)


@require_GET
def history_list_view(request: HttpRequest, workspace_id: int) -> HttpResponse:
    return _history_partial(request, workspace_for(request, workspace_id))


@require_POST
def history_delete_view(request: HtmxHttpRequest, workspace_id: int, entry_id: int) -> HttpResponse:
    workspace = workspace_for(request, workspace_id)
    entry = in_workspace(access.get_history_for_user(request.user, entry_id), workspace)
    history_delete(user=request.user, entry=entry)
    if not request.htmx:
        return redirect("workspace", workspace_id=workspace.pk)
    return _history_partial(request, workspace)


@require_POST
def history_clear_view(request: HtmxHttpRequest, workspace_id: int) -> HttpResponse:
    workspace = workspace_for(request, workspace_id)
    history_clear(user=request.user, workspace=workspace)
    if not request.htmx:
        return redirect("workspace", workspace_id=workspace.pk)
    return _history_partial(request, workspace)


@require_POST
def request_paste_curl(request: HttpRequest, workspace_id: int) -> HttpResponse:
    """A curl command pasted into the URL field: the editor holding that request, not saved yet.

    A text the importer cannot read answers 422 with its message as text (the page says it and
    keeps the pasted text in the field)."""
    workspace = workspace_for(request, workspace_id)
    try:
        pasted = request_from_curl(text=request.POST.get("curl", ""))
    except ValidationFailed as failure:
        return HttpResponse(failure.message, status=422, content_type="text/plain; charset=utf-8")
    notice = "Made from the pasted curl command." + (" " + " ".join(pasted.notes) if pasted.notes else "")
    editor = editor_state(pasted.spec, environment=active_environment(request, workspace), notice=notice)
    return _editor_with_response(request, workspace, editor, None, None)

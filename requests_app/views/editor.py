"""The request editor's actions: send, save, save as."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods, require_POST

from requests_app import access
from requests_app.engine.exchange import ERROR_HINTS, INVALID_REQUEST
from requests_app.engine.spec import RequestSpec, spec_to_dict
from requests_app.forms import EditorInputError, SaveAsForm, scripts_from_editor, spec_from_editor
from requests_app.models import SavedRequest, Workspace
from requests_app.services.errors import ServiceError, ValidationFailed, VersionConflict
from requests_app.services.execution import request_execute
from requests_app.services.history import history_exchange
from requests_app.services.pickers import location_choices
from requests_app.services.saved_requests import request_create, request_update
from requests_app.services.validation import clean_request_parts
from requests_app.views.common import (
    can_edit,
    chosen_environment,
    editor_context,
    editor_state,
    in_workspace,
    open_in_editor,
    page,
    with_events,
    workspace_for,
)
from requests_app.views.response_view import PAGE_BODY_CHARS, ResponseView, bad_url_part
from requests_app.views.versions import conflict_view
from requests_app.web import HtmxHttpRequest

SAVED = "Saved."
SAVED_OVER = "Saved over their version (it is kept in History)."


def _saved_request(request: HttpRequest, workspace: Workspace, need: str = "read") -> SavedRequest | None:
    return _saved_request_in(request.POST, request, workspace, need)


def _saved_request_in(
    data: Any, request: HttpRequest, workspace: Workspace, need: str = "read"
) -> SavedRequest | None:
    request_id = data.get("saved_request")
    if not request_id:
        return None
    return in_workspace(access.get_request_for_user(request.user, request_id, need=need), workspace)  # type: ignore[arg-type]


def _invalid(request: HttpRequest, workspace: Workspace, field: str, message: str, code: str = "") -> HttpResponse:
    """Input the request can't be built from, shown where the response would be (the part at fault marked)."""
    error = {"kind": INVALID_REQUEST, "code": code, "message": message, "field": field,
             "hint": ERROR_HINTS[INVALID_REQUEST]}  # fmt: skip
    url = request.POST.get("url", "").strip()
    if field == "url" and url:
        error["mark"] = bad_url_part(url, error)
    view = ResponseView.from_exchange({"error": error})
    return render(request, "requests_app/editor/response.html", {"workspace": workspace, "response": view})


def _first_field(error: ValidationFailed) -> str:
    return next(iter(error.fields), "")


@require_POST
def request_send(request: HtmxHttpRequest, workspace_id: int) -> HttpResponse:
    workspace = workspace_for(request, workspace_id)
    saved = _saved_request(request, workspace)
    environment = chosen_environment(request, workspace)
    try:
        spec = spec_from_editor(request.POST, request.FILES)
    except EditorInputError as error:
        return _invalid(request, workspace, error.field, error.message)
    try:
        scripts = scripts_from_editor(request.POST, saved.scripts if saved else None)
        entry = request_execute(
            user=request.user, workspace=workspace, spec=spec, saved_request=saved, environment=environment, scripts=scripts
        )
    except ValidationFailed as error:
        return _invalid(request, workspace, _first_field(error), error.message,
                        error.code if error.code != ValidationFailed.code else "")
    response = ResponseView.from_exchange(history_exchange(entry, body_excerpt_chars=PAGE_BODY_CHARS))
    if not request.htmx:  # a plain form post: the whole page, the editor as it was sent
        editor = editor_state(spec, environment=environment, saved_request=saved)
        return page(request, workspace, editor, response=response, entry=entry)
    context = {"workspace": workspace, "response": response, "entry": entry, "can_edit": can_edit(workspace)}
    return with_events(render(request, "requests_app/editor/response.html", context), "history-changed")


def _editor_head(request: HttpRequest, workspace: Workspace, saved: SavedRequest, spec, **extra) -> HttpResponse:  # type: ignore[no-untyped-def]
    editor = editor_state(spec or RequestSpec(), environment=None, saved_request=saved, **extra)
    return render(request, "requests_app/editor/editor.html#editor-head", editor_context(workspace, editor))


@require_POST
def request_save(request: HttpRequest, workspace_id: int) -> HttpResponse:
    """Save the editor over its saved request, if nobody saved a newer version meanwhile."""
    workspace = workspace_for(request, workspace_id)
    saved = _saved_request(request, workspace, need="edit")
    if saved is None:
        return _invalid(request, workspace, "saved_request", "Use “Save as…” to save a new request.")
    try:
        spec = spec_from_editor(request.POST, request.FILES)
    except EditorInputError as error:
        return _editor_head(request, workspace, saved, None, error={"field": error.field, "message": error.message})
    # "Overwrite with mine" on the conflict view names the version it overwrites, knowingly.
    overwrite = access.parse_id(request.POST.get("overwrite_version"))
    version = overwrite or access.parse_id(request.POST.get("version")) or 0
    try:
        scripts = scripts_from_editor(request.POST, saved.scripts)
        saved = request_update(user=request.user, saved_request=saved, version=version, spec=spec, scripts=scripts)
    except VersionConflict as conflict:
        yours = clean_request_parts(spec_to_dict(spec))
        view = conflict_view(conflict.current, yours, access.parse_id(request.POST.get("version")) or 0)
        return _editor_head(request, workspace, conflict.current, spec, conflict=view)
    except ServiceError as error:
        return _editor_head(request, workspace, saved, spec, error={"message": error.message})
    notice = SAVED_OVER if overwrite else SAVED
    return with_events(_editor_head(request, workspace, saved, spec, notice=notice), "tree-changed", "request-saved")


@require_http_methods(["GET", "POST"])
def request_save_as(request: HttpRequest, workspace_id: int) -> HttpResponse:
    """GET: the dialog (name, collection or folder). POST: create the request and open it."""
    workspace = workspace_for(request, workspace_id, need="edit")
    context: dict[str, Any] = {"workspace": workspace, "form": SaveAsForm()}
    if request.method == "GET":
        context["name"] = request.GET.get("name") or "Untitled request"
        current = _saved_request_in(request.GET, request, workspace)
        if current is not None:  # offer the current request's place first
            context["location"] = f"f:{current.folder_id}" if current.folder_id else f"c:{current.collection_id}"
        # a page of places, the rest found by the search box (services/pickers.py)
        context["locations"] = location_choices(user=request.user, workspace=workspace, chosen=context.get("location", ""))
        return render(request, "requests_app/dialogs/save_as.html", context)
    form = SaveAsForm({"name": request.POST.get("save_as_name", ""), "location": request.POST.get("location", "")})
    context.update(form=form, name=request.POST.get("save_as_name", ""), location=request.POST.get("location", ""),
                   locations=location_choices(user=request.user, workspace=workspace,
                                              chosen=request.POST.get("location", "")[:40]))
    if not form.is_valid():
        return render(request, "requests_app/dialogs/save_as.html", context)
    kind, target_id = form.target()
    if kind == "folder":
        folder = in_workspace(access.get_folder_for_user(request.user, target_id, need="edit"), workspace)
        collection = folder.collection
        collection.user_role = folder.user_role
    else:
        folder = None
        collection = in_workspace(access.get_collection_for_user(request.user, target_id, need="edit"), workspace)
    try:
        spec = spec_from_editor(request.POST, request.FILES)
        saved = request_create(
            user=request.user, collection=collection, folder=folder, name=form.cleaned_data["name"], spec=spec,
            scripts=scripts_from_editor(request.POST),
        )
    except EditorInputError as error:
        return render(request, "requests_app/dialogs/save_as.html", {**context, "error": error.message})
    except ServiceError as error:
        return render(request, "requests_app/dialogs/save_as.html", {**context, "error": error.message})
    # "request-saved": the edits are saved, so opening the copy asks nothing (static/js/unsaved.js)
    return with_events(open_in_editor(request, workspace, saved, keep_response=True), "request-saved")

"""The page's import and export: the Import dialog, collection downloads, the Code panel, HAR downloads.

Each view: check access, parse input, call one service (requests_app.services.interop), render.
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from requests_app import access
from requests_app.forms import EditorInputError, spec_from_editor
from requests_app.interop import FORMATS, ImportFormatError, detect_format
from requests_app.interop.limits import MAX_IMPORT_BYTES
from requests_app.models import Workspace
from requests_app.services.errors import ServiceError
from requests_app.services.history import history_list
from requests_app.services.interop import collection_export, collection_import, history_har, spec_snippet
from requests_app.services.pickers import location_choices
from requests_app.views.common import (
    HISTORY_SHOWN,
    chosen_environment,
    in_workspace,
    with_events,
    workspace_for,
)
from requests_app.web import download_response

FORMAT_LABELS = {
    "auto": "Detect automatically",
    "curl": "cURL command",
    "postman": "Postman collection (v2.0 / v2.1)",
    "postman_environment": "Postman environment",
    "http": ".http file (VS Code, JetBrains)",
    "har": "HAR file",
    "openapi": "OpenAPI 3 (JSON or YAML)",
}
# What a pasted text is echoed back into the textarea after an error (bigger pastes are not).
ECHO_LIMIT = 1024 * 1024
IMPORT_EMPTY = "Paste something to import, or choose a file."
SNIPPET_LANG_DEFAULT = "curl"


# ---------------------------------------------------------------- import


def _uploaded(upload: UploadedFile | None) -> tuple[bytes | None, str]:
    """The first bytes of an upload (one more than allowed, so the size check can say so) and its name."""
    if upload is None:
        return None, ""
    return upload.read(MAX_IMPORT_BYTES + 1), upload.name or ""


def _import_context(request: HttpRequest, workspace: Workspace, **extra: Any) -> dict[str, Any]:
    return {
        "workspace": workspace,
        "formats": [(value, FORMAT_LABELS[value]) for value in ("auto", *FORMATS)],
        # a page of collections, the rest found by the search box (services/pickers.py)
        "collections": location_choices(user=request.user, workspace=workspace, collections_only=True,
                                        chosen=extra.get("collection_id", "")),
        "limit_mib": MAX_IMPORT_BYTES // 1024 // 1024,
        "format": "auto",
        **extra,
    }


@require_http_methods(["GET", "POST"])
def import_dialog(request: HttpRequest, workspace_id: int) -> HttpResponse:
    """GET: the dialog. POST: import the pasted text or the uploaded file, then show the report."""
    workspace = workspace_for(request, workspace_id, need="edit")
    if request.method == "GET":
        return render(request, "requests_app/partials/import_dialog.html", _import_context(request, workspace))
    pasted = request.POST.get("content", "")
    chosen = request.POST.get("format", "auto")
    collection_id = request.POST.get("collection", "")[:40].removeprefix("c:")  # "c:<id>" from the picker
    context = _import_context(request, workspace, format=chosen, collection_id=f"c:{collection_id}" if collection_id else "",
                              content=pasted if len(pasted) <= ECHO_LIMIT else "")
    file_content, file_name = _uploaded(request.FILES.get("file"))
    content: str | bytes = file_content if file_content is not None else pasted
    if not content.strip():
        return render(request, "requests_app/partials/import_dialog.html", {**context, "error": IMPORT_EMPTY})
    try:
        collection = (
            in_workspace(access.get_collection_for_user(request.user, collection_id, need="edit"), workspace)
            if collection_id else None
        )
        outcome = collection_import(user=request.user, workspace=workspace, content=content, format=chosen,
                                    collection=collection, name=file_name)
    except ServiceError as error:
        return render(request, "requests_app/partials/import_dialog.html", {**context, "error": error.message})
    report_context = {"workspace": workspace, "report": outcome.report, "created": outcome.created,
                      "format_label": FORMAT_LABELS.get(outcome.report["format"], outcome.report["format"])}
    response = render(request, "requests_app/partials/import_report.html", report_context)
    events = ["tree-changed"] + (["environments-changed"] if outcome.created["environments"] else [])
    return with_events(response, *events)


@require_POST
def import_detect(request: HttpRequest, workspace_id: int) -> HttpResponse:
    """The format the pasted text or chosen file looks like, shown beside the format select."""
    workspace_for(request, workspace_id, need="edit")
    file_content, _ = _uploaded(request.FILES.get("file"))
    content: str | bytes = file_content if file_content is not None else request.POST.get("content", "")
    detected, problem = "", ""
    if content.strip():
        try:
            detected = FORMAT_LABELS[detect_format(content)]
        except ImportFormatError as error:
            problem = error.message
    return render(request, "requests_app/partials/import_detected.html", {"detected": detected, "problem": problem})


# ---------------------------------------------------------------- export


@require_GET
def collection_export_view(request: HttpRequest, workspace_id: int, collection_id: int) -> HttpResponse:
    workspace = workspace_for(request, workspace_id)
    in_workspace(access.get_collection_for_user(request.user, collection_id), workspace)
    filename, content_type, text = collection_export(
        user=request.user, collection_id=collection_id, format=request.GET.get("format", "postman"),
        include_secrets=request.GET.get("secrets") == "1",
    )
    return download_response(filename, content_type, text)


@require_GET
def history_har_view(request: HttpRequest, workspace_id: int, entry_id: int) -> HttpResponse:
    workspace = workspace_for(request, workspace_id)
    in_workspace(access.get_history_for_user(request.user, entry_id), workspace)
    return download_response(*history_har(user=request.user, history_ids=[entry_id]))


@require_GET
def history_har_all(request: HttpRequest, workspace_id: int) -> HttpResponse:
    """The entries the History list shows (the newest HISTORY_SHOWN), as one HAR file."""
    workspace = workspace_for(request, workspace_id)
    ids = list(history_list(user=request.user, workspace=workspace).values_list("pk", flat=True)[:HISTORY_SHOWN])
    return download_response(*history_har(user=request.user, history_ids=ids))


# ---------------------------------------------------------------- code panel


@require_POST
def editor_snippet(request: HttpRequest, workspace_id: int) -> HttpResponse:
    """Code for the editor's current state (saved or not), in the language the Code panel names.

    `output=text` answers the bare code as text/plain (Copy as cURL); a problem then comes back
    as its message with the header X-Snippet-Error, so the page can say it instead of copying.
    """
    workspace = workspace_for(request, workspace_id)
    lang = request.POST.get("snippet_lang") or SNIPPET_LANG_DEFAULT
    request_id = request.POST.get("saved_request")
    saved = in_workspace(access.get_request_for_user(request.user, request_id), workspace) if request_id else None
    environment = chosen_environment(request, workspace)
    code, error = "", ""
    try:
        code = spec_snippet(
            user=request.user,
            workspace=workspace,
            spec=spec_from_editor(request.POST, request.FILES),
            lang=lang,
            saved_request=saved,
            environment=environment,
            resolve_variables=request.POST.get("snippet_resolve") == "on",
            reveal_secrets=request.POST.get("snippet_secrets") == "on",
        )
    except (EditorInputError, ServiceError) as problem:
        error = problem.message
    if request.POST.get("output") == "text":
        response = HttpResponse(error or code, content_type="text/plain; charset=utf-8")
        if error:
            response["X-Snippet-Error"] = "1"
        return response
    context = {"workspace": workspace, "lang": lang, "code": code, "error": error}
    return render(request, "requests_app/partials/code_output.html", context)

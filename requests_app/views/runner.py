"""The page's collection runner: start a run, watch it, filter, cancel, re-run, reports, compare;
and the request editor's Tests tab (assertions and captures, tried against the last response).

Each view: check access, parse input, call one service (requests_app.services.runs), render.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from requests_app import access, keyset
from requests_app.models import Run, SavedRequest, Workspace
from requests_app.runner.assertions import (
    ASSERTION_TYPES,
    NO_VALUE,
    OPERATOR_LABELS,
    OPERATORS,
    STATUS_CODE,
    STATUS_LIST,
    TYPE_LABELS,
)
from requests_app.runner.captures import CAPTURE_SOURCES
from requests_app.runner.datafile import MAX_DATA_BYTES, guess_format
from requests_app.runner.loop import MAX_CONCURRENCY, MAX_DELAY_MS, MAX_ITERATIONS
from requests_app.services import runs as run_services
from requests_app.services.errors import NotFound, ServiceError, ValidationFailed, VersionConflict
from requests_app.services.interop import run_har
from requests_app.services.pickers import location_choices, run_request_choices
from requests_app.services.saved_requests import request_update
from requests_app.views.common import active_environment, can_edit, in_workspace, workspace_for
from requests_app.web import HtmxHttpRequest, download_response

RESULTS_SHOWN = 200  # per page of a run's results (keyset pages)
RECENT_RUNS = 30
SHOW_CHOICES = (("all", "All"), ("failed", "Failed"), ("errors", "Errors"))
DATA_TOO_LARGE = f"The data file is larger than {MAX_DATA_BYTES // 1024 // 1024} MiB."
DATA_FORMAT_UNKNOWN = "Name the data file .csv or .json (a CSV with a header row, or a JSON array of objects)."
NOT_A_NUMBER = "must be a whole number"
TESTS_SAVED = "Tests saved."


def _int_field(post: QueryDict, name: str, default: int) -> int:
    text = post.get(name, "").strip()
    if not text:
        return default
    try:
        return int(text)
    except ValueError:
        raise ValidationFailed.for_field(name, f"{name.replace('_', ' ')} {NOT_A_NUMBER}") from None


def _target(request: HttpRequest, workspace: Workspace, post: QueryDict) -> dict[str, Any]:
    """The chosen collection, folder or requests, looked up through access (foreign -> 404)."""
    user = request.user
    chosen = post.get("target", "")
    if chosen == "requests":
        ids = [access.parse_id(value) for value in post.getlist("requests")]
        return {"request_ids": [i for i in ids if i is not None]}
    kind, _, object_id = chosen.partition(":")
    if kind == "c":
        return {"collection": in_workspace(access.get_collection_for_user(user, object_id), workspace)}
    if kind == "f":
        return {"folder": in_workspace(access.get_folder_for_user(user, object_id), workspace)}
    return {}


def _data(post_files: Any) -> dict[str, Any] | None:
    upload = post_files.get("data_file")
    if upload is None or not upload.size:
        return None
    data_format = guess_format(upload.name or "")
    if data_format is None:
        raise ValidationFailed.for_field("data_file", DATA_FORMAT_UNKNOWN, code="unknown_format")
    content = upload.read(MAX_DATA_BYTES + 1)
    if len(content) > MAX_DATA_BYTES:
        raise ValidationFailed.for_field("data_file", DATA_TOO_LARGE, code="too_large")
    return {"format": data_format, "content": content}


TARGETED_TYPES = ("header", "jsonpath")  # the assertion types that take a target (static/js/runner.js)


def _active_id(request: HttpRequest, workspace: Workspace) -> str:
    environment = active_environment(request, workspace)
    return str(environment.pk) if environment is not None else ""


def _runs_page(request: HttpRequest, workspace: Workspace) -> keyset.Page:
    """The workspace's runs, newest first, a keyset page (`?runs=<cursor>` for older ones)."""
    runs = run_services.run_list(user=request.user, filters={"workspace": workspace.pk}).select_related("created_by")
    try:
        return keyset.page(runs, order=run_services.RUN_ORDER, cursor=request.GET.get("runs", "")[:200],
                           limit=RECENT_RUNS)
    except ValidationFailed:  # an old or edited link: the newest runs
        return keyset.page(runs, order=run_services.RUN_ORDER, limit=RECENT_RUNS)


def _runner_context(request: HttpRequest, workspace: Workspace, **extra: Any) -> dict[str, Any]:
    chosen = extra.pop("chosen", None)
    if chosen is None:
        if request.GET.get("folder"):
            chosen = f"f:{request.GET['folder']}"
        elif request.GET.get("collection"):
            chosen = f"c:{request.GET['collection']}"
        else:
            chosen = ""
    return {
        "workspace": workspace,
        "role": workspace.user_role,  # type: ignore[attr-defined]
        "section": "runs",
        # bounded pickers: a page of each, the rest searched on the server (runner_targets, runner_requests)
        "targets": location_choices(user=request.user, workspace=workspace, chosen=chosen),
        **_request_choices(request, workspace, chosen=extra.get("chosen_requests")),
        "environments": access.environments_for_user(request.user, workspace=workspace).order_by("name"),
        "runs": _runs_page(request, workspace),
        "chosen": chosen,
        # the environment chosen in the top bar, as the editor sends with it
        "form": {"iterations": "", "delay_ms": "0", "concurrency": "1", "environment": _active_id(request, workspace)},
        "limits": {"iterations": MAX_ITERATIONS, "delay_ms": MAX_DELAY_MS, "concurrency": MAX_CONCURRENCY},
        **extra,
    }


def _request_choices(request: HttpRequest, workspace: Workspace, *, chosen: list[str] | None = None) -> dict[str, Any]:
    q = request.GET.get("q", "")
    try:
        page, picked = run_request_choices(user=request.user, workspace=workspace, q=q,
                                           cursor=request.GET.get("cursor", "")[:300], chosen=chosen)
    except ServiceError:  # an old or edited link: the first page
        page, picked = run_request_choices(user=request.user, workspace=workspace, q=q, chosen=chosen)
    shown = {choice.value for choice in picked}
    return {"request_choices": [c for c in page.items if c.value not in shown], "picked_requests": picked,
            "requests_q": q, "requests_cursor": page.next_cursor}


@require_GET
def location_options(request: HttpRequest, workspace_id: int) -> HttpResponse:
    """Collection and folder options matching `q` (htmx, typed into the search box above a
    picker): the runner's "What to run" (`runner=1`: with its own first and last options), a
    monitor's (`blank=1`: "Choose…" first), "Save as…"'s place and Import's collection
    (`only=collections`: collections alone, "New collections" first); the chosen one kept."""
    workspace = workspace_for(request, workspace_id)
    chosen = (request.GET.get("target") or request.GET.get("location") or request.GET.get("collection") or "")[:40]
    collections_only = request.GET.get("only") == "collections"
    context = {"workspace": workspace, "chosen": chosen, "runner": request.GET.get("runner") == "1",
               "blank": request.GET.get("blank") == "1", "import": collections_only,
               "targets": location_choices(user=request.user, workspace=workspace, q=request.GET.get("q", ""),
                                           chosen=chosen, collections_only=collections_only)}
    return render(request, "requests_app/runner/pickers.html#targets", context)


@require_GET
def runner_requests(request: HttpRequest, workspace_id: int) -> HttpResponse:
    """A page of "Select requests" options matching `q`; with `cursor`, the next page (appended)."""
    workspace = workspace_for(request, workspace_id)
    context = {"workspace": workspace, **_request_choices(request, workspace, chosen=request.GET.getlist("requests")),
               "more": bool(request.GET.get("cursor"))}
    return render(request, "requests_app/runner/pickers.html#request_options", context)


@require_http_methods(["GET", "POST"])
def runner_page(request: HttpRequest, workspace_id: int) -> HttpResponse:
    """GET: the Runner (a new run's settings, recent runs). POST: start the run and open it."""
    workspace = workspace_for(request, workspace_id)
    if request.method == "GET":
        return render(request, "requests_app/runner/runner.html", _runner_context(request, workspace))
    post = request.POST
    try:
        environment_id = post.get("environment")
        run = run_services.run_start(
            user=request.user,
            workspace=workspace,
            environment=in_workspace(access.get_environment_for_user(request.user, environment_id), workspace)
            if environment_id else None,
            iterations=_int_field(post, "iterations", 0),
            data=_data(request.FILES),
            delay_ms=_int_field(post, "delay_ms", 0),
            bail=post.get("bail") == "on",
            concurrency=_int_field(post, "concurrency", 1),
            persist_captures=post.get("persist_captures") == "on",
            **_target(request, workspace, post),
        )
    except ValidationFailed as error:
        context = _runner_context(request, workspace, chosen=post.get("target", ""), error=error.message,
                                  form=post, chosen_requests=post.getlist("requests"))
        return render(request, "requests_app/runner/runner.html", context, status=400)
    return redirect("run_page", workspace.pk, run.pk)


def _refused(error: ServiceError) -> HttpResponse:
    """A refused action on a run page (not finished, other target…) says why, never a 500."""
    return HttpResponse(error.message, status=400, content_type="text/plain; charset=utf-8")


def _run_for(request: HttpRequest, workspace: Workspace, run_id: int) -> Run:
    run = run_services.get_run_for_user(request.user, run_id)
    if run.workspace_id != workspace.pk:
        raise NotFound("Run not found.")
    return run


def _live_context(request: HttpRequest, workspace: Workspace, run: Run) -> dict[str, Any]:
    show = request.GET.get("show", "all")
    if show not in dict(SHOW_CHOICES):
        show = "all"
    results = run_services.run_results(
        run=run, failed_only=show == "failed", errors_only=show == "errors", failures_first=True
    )
    cursor = request.GET.get("cursor", "")[:200]
    try:
        page = keyset.page(results, order=run_services.RESULT_ORDER_FAILURES_FIRST, cursor=cursor, limit=RESULTS_SHOWN)
    except ValidationFailed:  # an old or edited link: the first page
        page, cursor = keyset.page(results, order=run_services.RESULT_ORDER_FAILURES_FIRST, limit=RESULTS_SHOWN), ""
    totals = run.totals or {}
    done = totals.get("requests", 0)
    finished = run.state in run_services.TERMINAL_STATES
    if finished and run.state in (Run.State.PASSED, Run.State.FAILED):
        percent = 100  # bail stops early: the run is over either way
    else:
        percent = min(100, round(100 * done / run.planned_requests)) if run.planned_requests else 0
    return {
        "workspace": workspace,
        "run": run,
        "totals": totals,
        "done": done,
        "percent": percent,
        "finished": finished,
        "results": page.items,
        "results_next": page.next_cursor,
        "results_later_page": bool(cursor),
        "show": show,
        "show_choices": SHOW_CHOICES,
        "may_cancel": run.created_by_id == request.user.pk or can_edit(workspace),
    }


@require_GET
def run_page(request: HttpRequest, workspace_id: int, run_id: int) -> HttpResponse:
    """One run: progress (polled while it runs), totals, results failures first, and actions."""
    workspace = workspace_for(request, workspace_id)
    run = _run_for(request, workspace, run_id)
    others = run_services.runs_of_same_target(user=request.user, run=run, limit=RECENT_RUNS)
    context = {**_live_context(request, workspace, run), "role": workspace.user_role,  # type: ignore[attr-defined]
               "section": "runs", "others": others}
    return render(request, "requests_app/runner/run.html", context)


@require_GET
def run_live(request: HttpRequest, workspace_id: int, run_id: int) -> HttpResponse:
    """The polled part of the run page: progress, totals and results; stops polling once the run ended."""
    workspace = workspace_for(request, workspace_id)
    run = _run_for(request, workspace, run_id)
    return render(request, "requests_app/runner/live.html", _live_context(request, workspace, run))


@require_POST
def run_cancel_view(request: HtmxHttpRequest, workspace_id: int, run_id: int) -> HttpResponse:
    workspace = workspace_for(request, workspace_id)
    run = run_services.run_cancel(user=request.user, run=_run_for(request, workspace, run_id))
    if request.htmx:
        return render(request, "requests_app/runner/live.html", _live_context(request, workspace, run))
    return redirect("run_page", workspace.pk, run.pk)


@require_POST
def run_rerun_view(request: HttpRequest, workspace_id: int, run_id: int) -> HttpResponse:
    workspace = workspace_for(request, workspace_id)
    try:
        run = run_services.run_rerun(user=request.user, run=_run_for(request, workspace, run_id))
    except ValidationFailed as error:
        return _refused(error)
    return redirect("run_page", workspace.pk, run.pk)


@require_GET
def run_report_view(request: HttpRequest, workspace_id: int, run_id: int) -> HttpResponse:
    workspace = workspace_for(request, workspace_id)
    run = _run_for(request, workspace, run_id)
    try:
        text, content_type, filename = run_services.run_report(run=run, report_format=request.GET.get("format", "junit"))
    except ValidationFailed as error:
        return _refused(error)
    return download_response(filename, f"{content_type}; charset=utf-8", text)


@require_GET
def run_har_view(request: HttpRequest, workspace_id: int, run_id: int) -> HttpResponse:
    """A finished run as HAR: what the run stored of each request (services.interop.run_har)."""
    workspace = workspace_for(request, workspace_id)
    run = _run_for(request, workspace, run_id)
    try:
        return download_response(*run_har(user=request.user, run_id=run.pk))
    except ValidationFailed as error:
        return _refused(error)


@require_GET
def run_compare_view(request: HttpRequest, workspace_id: int, run_id: int) -> HttpResponse:
    """Which assertions changed status between this run and another of the same target."""
    workspace = workspace_for(request, workspace_id)
    run = _run_for(request, workspace, run_id)
    other = _run_for(request, workspace, access.parse_id(request.GET.get("with")) or 0)
    try:
        comparison = run_services.run_compare(run=run, other=other)
    except ValidationFailed as error:
        return _refused(error)
    context = {"workspace": workspace, "role": workspace.user_role,  # type: ignore[attr-defined]
               "section": "runs", "comparison": comparison, "run": run}
    return render(request, "requests_app/runner/compare.html", context)


# ---------------------------------------------------------------- the editor's Tests tab


def _expected_value(kind: str, text: str) -> Any:
    """The typed `expected` for an operator from what was typed in the table."""
    text = text.strip()
    if kind == NO_VALUE:
        return None
    if kind == STATUS_LIST:
        parts = [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]
        return [int(part) if part.isdigit() else part for part in parts]
    if kind in (STATUS_CODE,) or kind.startswith("a number") or kind.startswith("a whole number"):
        try:
            return int(text)
        except ValueError:
            try:
                return float(text)
            except ValueError:
                return text  # the validator names it
    if kind == "any JSON value":
        try:
            return json.loads(text)
        except ValueError:
            return text
    return text


def _tests_from_post(post: QueryDict) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Assertion and capture rows of the Tests table; blank rows are dropped."""
    assertions = []
    rows = zip(post.getlist("t_a_type"), post.getlist("t_a_op"), post.getlist("t_a_target"),
               post.getlist("t_a_expected"), post.getlist("t_a_enabled"), strict=False)
    for kind, op, target, expected, enabled in rows:
        if not kind:
            continue
        item: dict[str, Any] = {"type": kind, "op": op, "enabled": enabled != "0"}
        if target.strip() and kind in TARGETED_TYPES:  # a target left in a greyed-out field means nothing
            item["target"] = target.strip()
        value = _expected_value(OPERATORS.get(kind, {}).get(op, ""), expected)
        if value is not None:
            item["expected"] = value
        assertions.append(item)
    captures = []
    rows = zip(post.getlist("t_c_variable"), post.getlist("t_c_source"), post.getlist("t_c_expression"),
               post.getlist("t_c_secret"), post.getlist("t_c_enabled"), strict=False)
    for variable, source, expression, secret, enabled in rows:
        if not variable.strip() and not expression.strip():
            continue
        captures.append({"variable": variable.strip(), "source": source, "expression": expression,
                         "secret": secret == "1", "enabled": enabled != "0"})
    return assertions, captures


def _expected_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) if all(isinstance(v, int) for v in value) else json.dumps(value)
    if isinstance(value, str):
        return value
    return json.dumps(value)


def _tests_context(workspace: Workspace, saved: SavedRequest, assertions: list[dict[str, Any]],
                   captures: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {
        "workspace": workspace,
        "saved": saved,
        "can_edit": can_edit(workspace),
        "assertion_rows": [{**a, "expected_text": _expected_text(a.get("expected"))} for a in assertions],
        "capture_rows": captures,
        "operators": OPERATORS,
        "operators_json": {kind: list(ops) for kind, ops in OPERATORS.items()},
        "operator_labels": OPERATOR_LABELS,
        "type_labels": TYPE_LABELS,
        "assertion_types": ASSERTION_TYPES,
        "capture_sources": CAPTURE_SOURCES,
        **extra,
    }


@require_http_methods(["GET", "POST"])
def request_tests(request: HttpRequest, workspace_id: int, request_id: int) -> HttpResponse:
    """GET: the Tests tab of a saved request. POST: save its assertions and captures (editors)."""
    workspace = workspace_for(request, workspace_id)
    if request.method == "GET":
        saved = in_workspace(access.get_request_for_user(request.user, request_id), workspace)
        return render(request, "requests_app/runner/tests.html",
                      _tests_context(workspace, saved, saved.assertions, saved.captures))
    saved = in_workspace(access.get_request_for_user(request.user, request_id, need="edit"), workspace)
    assertions, captures = _tests_from_post(request.POST)
    version = access.parse_id(request.POST.get("version")) or saved.version
    try:
        saved = request_update(user=request.user, saved_request=saved, version=version,
                               assertions=assertions, captures=captures)
    except VersionConflict:
        context = _tests_context(workspace, saved, assertions, captures,
                                 error="Someone saved this request meanwhile: reload it, then save the tests again.")
        return render(request, "requests_app/runner/tests.html", context, status=409)
    except ServiceError as error:
        context = _tests_context(workspace, saved, assertions, captures, error=error.message,
                                 error_fields=list(getattr(error, "fields", {}) or {}))
        return render(request, "requests_app/runner/tests.html", context, status=400)
    response = render(request, "requests_app/runner/tests.html",
                      _tests_context(workspace, saved, saved.assertions, saved.captures, notice=TESTS_SAVED))
    response["HX-Trigger"] = json.dumps({"tests-saved": {"version": saved.version, "assertions": len(saved.assertions)},
                                          "request-saved": None})
    return response


@require_POST
def request_tests_try_view(request: HttpRequest, workspace_id: int, request_id: int) -> HttpResponse:
    """Evaluate the Tests table (as typed, unsaved) against the last response of this request."""
    workspace = workspace_for(request, workspace_id)
    saved = in_workspace(access.get_request_for_user(request.user, request_id), workspace)
    assertions, captures = _tests_from_post(request.POST)
    entry_id = request.POST.get("history_entry")
    entry = in_workspace(access.get_history_for_user(request.user, entry_id), workspace) if entry_id else None
    try:
        preview = run_services.request_tests_try(user=request.user, saved_request=saved, assertions=assertions,
                                                 captures=captures, history_entry=entry)
    except ServiceError as error:
        return render(request, "requests_app/runner/tests_preview.html", {"error": error.message})
    return render(request, "requests_app/runner/tests_preview.html", {"preview": preview})


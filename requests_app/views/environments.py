"""Environments (list, create, edit variables, reveal a secret, delete, choose the active one) and the cookie jar."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from requests_app import access
from requests_app.engine.cookies import shown_host
from requests_app.forms import EnvironmentVariablesForm
from requests_app.models import Environment, Workspace
from requests_app.services.cookies import cookie_clear, cookie_delete, cookie_list, cookie_set
from requests_app.services.environments import (
    environment_create,
    environment_delete,
    environment_reveal_allowed,
    environment_update,
    environment_variables,
    variables_as_stored,
)
from requests_app.services.errors import Forbidden, NotFound, ServiceError, ValidationFailed, VersionConflict
from requests_app.services.inheritance import folder_chain
from requests_app.services.secrets import MASK
from requests_app.views.common import (
    active_environment,
    can_edit,
    in_workspace,
    remember_environment,
    variables_map,
    with_events,
    workspace_for,
)
from requests_app.views.versions import conflict_view
from requests_app.web import HtmxHttpRequest


def _list_context(request: HttpRequest, workspace: Workspace) -> dict[str, Any]:
    return {
        "workspace": workspace,
        "can_edit": can_edit(workspace),
        "environments": access.environments_for_user(request.user, workspace=workspace),
        "active_environment": active_environment(request, workspace),
    }


@require_GET
def environment_list(request: HttpRequest, workspace_id: int) -> HttpResponse:
    workspace = workspace_for(request, workspace_id)
    return render(request, "requests_app/sidebar/environments.html#environment-list", _list_context(request, workspace))


def _dialog(
    request: HttpRequest, workspace: Workspace, environment: Environment | None, **extra: Any
) -> HttpResponse:
    action = (
        reverse("environment_edit", args=[workspace.pk, environment.pk])
        if environment
        else reverse("environment_create", args=[workspace.pk])
    )
    context = {
        "workspace": workspace,
        "environment": environment,
        "can_edit": can_edit(workspace),
        "action": action,
        "mask": MASK,
        "name": environment.name if environment else "",
        "variables": environment_variables(environment) if environment else [],
        **extra,
    }
    return render(request, "requests_app/dialogs/environment.html", context)


def _saved(request: HtmxHttpRequest, workspace: Workspace) -> HttpResponse:
    if not request.htmx:
        return redirect("workspace", workspace_id=workspace.pk)
    return with_events(HttpResponse(status=204), "environments-changed", "dialog-close")


@require_http_methods(["GET", "POST"])
def environment_create_view(request: HttpRequest, workspace_id: int) -> HttpResponse:
    workspace = workspace_for(request, workspace_id, need="edit")
    if request.method == "GET":
        return _dialog(request, workspace, None, variables=[{"key": "", "value": "", "enabled": True, "secret": False}])
    rows = EnvironmentVariablesForm(request.POST).rows()
    # "Save mine as a copy" after a conflict: masked secrets stand for those of the environment edited.
    secrets_from = None
    if request.POST.get("secrets_from"):
        secrets_from = in_workspace(
            access.get_environment_for_user(request.user, request.POST["secrets_from"], need="edit"), workspace
        )
    name = request.POST.get("name", "") + (" (copy)" if secrets_from is not None else "")
    try:
        environment_create(user=request.user, workspace=workspace, name=name, variables=rows, secrets_from=secrets_from)
    except ServiceError as error:
        return _dialog(request, workspace, None, error=error.message, name=request.POST.get("name", ""), variables=rows)
    return _saved(request, workspace)


@require_http_methods(["GET", "POST"])
def environment_edit(request: HttpRequest, workspace_id: int, environment_id: int) -> HttpResponse:
    """GET: the dialog (read-only for viewers). POST: save name and variables (editors)."""
    workspace = workspace_for(request, workspace_id)
    need = "edit" if request.method == "POST" else "read"
    environment = in_workspace(access.get_environment_for_user(request.user, environment_id, need=need), workspace)
    if request.method == "GET":
        return _dialog(request, workspace, environment)
    rows = EnvironmentVariablesForm(request.POST).rows()
    your_version = access.parse_id(request.POST.get("version")) or 0
    # "Overwrite with mine" on the conflict view names the version it overwrites, knowingly.
    version = access.parse_id(request.POST.get("overwrite_version")) or your_version
    try:
        environment_update(
            user=request.user,
            environment=environment,
            version=version,
            name=request.POST.get("name", ""),
            variables=rows,
        )
    except VersionConflict as conflict:
        yours = {"name": request.POST.get("name", ""), "variables": variables_as_stored(rows, like=conflict.current)}
        view = conflict_view(conflict.current, yours, your_version)
        # A secret typed just now (not the mask) is shown back to the person who typed it, not lost.
        shown = [{**row, "unsaved_value": row["value"]} if row.get("secret") and row.get("value") != MASK else row
                 for row in rows]  # fmt: skip
        return _dialog(request, workspace, environment, conflict=view, variables=shown, name=yours["name"])
    except ServiceError as error:
        return _dialog(request, workspace, environment, error=error.message, variables=rows)
    return _saved(request, workspace)


@require_GET
def environment_reveal(request: HttpRequest, workspace_id: int, environment_id: int) -> HttpResponse:
    """One secret's value in the clear, for editors and owners."""
    workspace = workspace_for(request, workspace_id)
    environment = in_workspace(access.get_environment_for_user(request.user, environment_id), workspace)
    if not environment_reveal_allowed(user=request.user, environment=environment):
        raise Forbidden()
    index_text = request.GET.get("index", "")
    variables = environment_variables(environment, reveal=True)
    if not index_text.isdigit() or int(index_text) >= len(variables) or not variables[int(index_text)]["secret"]:
        raise NotFound("No such secret.")
    context = {
        "workspace": workspace,
        "environment": environment,
        "can_edit": True,
        "index": int(index_text),
        "revealed": variables[int(index_text)]["value"] or " ",
        "mask": MASK,
    }
    return render(request, "requests_app/dialogs/environment.html#secret-value", context)


@require_POST
def environment_delete_view(request: HttpRequest, workspace_id: int, environment_id: int) -> HttpResponse:
    workspace = workspace_for(request, workspace_id)
    environment = in_workspace(access.get_environment_for_user(request.user, environment_id, need="edit"), workspace)
    environment_delete(user=request.user, environment=environment)
    return _saved(request, workspace)


@require_http_methods(["GET", "POST"])
def environment_activate(request: HtmxHttpRequest, workspace_id: int) -> HttpResponse:
    """Choose the environment sends use (remembered per workspace in the session).

    GET re-renders the select (after environments change); POST chooses.
    """
    workspace = workspace_for(request, workspace_id)
    if request.method == "POST":
        environment_id = request.POST.get("environment", "")
        environment = None
        if environment_id:
            environment = in_workspace(access.get_environment_for_user(request.user, environment_id), workspace)
        remember_environment(request, workspace, environment)
    if not request.htmx:
        return redirect("workspace", workspace_id=workspace.pk)
    environment = active_environment(request, workspace)
    collection, chain = None, []
    saved_id = request.POST.get("saved_request") or request.GET.get("saved_request")
    if saved_id:
        try:
            saved = in_workspace(access.get_request_for_user(request.user, saved_id), workspace)
            collection, chain = saved.collection, folder_chain(saved.folder)
        except NotFound:
            collection = None
    context = {
        **_list_context(request, workspace),
        "variables": variables_map(environment, collection, chain),
    }
    response = render(request, "requests_app/sidebar/environment_select.html#environment-swap", context)
    return with_events(response, "environment-activated", "variables-changed", "dialog-close", after="settle")


# ---------------------------------------------------------------- cookie jar


def _jar(
    request: HttpRequest, workspace: Workspace, *, form: dict[str, Any] | None = None, error: Any = None
) -> HttpResponse:
    groups: dict[str, list[dict[str, Any]]] = {}
    cookies = cookie_list(user=request.user, workspace=workspace)
    for cookie in cookies:
        groups.setdefault(cookie["domain"] or "(no domain)", []).append(cookie)
    if form is None:
        form = _cookie_form_for_edit(request, cookies)
    fields = [(part, label, placeholder, form.get(part) or "") for part, label, placeholder in COOKIE_FIELDS]
    context = {"workspace": workspace, "cookie_groups": list(groups.items()), "cookie_form": form,
               "cookie_fields": fields, "cookie_error": error}  # fmt: skip
    # 200 with the error in the form: htmx swaps only 2xx answers into the dialog
    return render(request, "requests_app/dialogs/cookies.html#cookie-jar", context)


def _cookie_form_for_edit(request: HttpRequest, cookies: list[dict[str, Any]]) -> dict[str, Any]:
    """The add/edit form: empty, or filled with the cookie named by ?edit_domain, edit_path, edit_name."""
    key = (request.GET.get("edit_domain"), request.GET.get("edit_path"), request.GET.get("edit_name"))
    for cookie in cookies:
        if (cookie["domain"], cookie["path"], cookie["name"]) == key:
            expires = (cookie["expires"] or "").rstrip("Z")[:16]
            # localhost, as typed and shown; saved, it is kept as the jar's localhost.local again
            domain = shown_host(cookie["domain"])
            return {**cookie, "domain": domain, "expires": expires, "editing": True, "original": key}
    return {"path": "/"}


def _expires(text: str) -> datetime | None:
    """The form's "YYYY-MM-DDTHH:MM" (UTC) as an aware datetime; empty: a session cookie."""
    if not text.strip():
        return None
    try:
        return datetime.fromisoformat(text.strip()).replace(tzinfo=UTC)
    except ValueError:
        raise ValidationFailed.for_field("expires", COOKIE_EXPIRES_INVALID, code="bad_cookie") from None


COOKIE_FIELDS = (("name", "Name", "session"), ("value", "Value", "abc123"),
                 ("domain", "Domain", "127.0.0.1 or .example.com"), ("path", "Path", "/"))
COOKIE_EXPIRES_INVALID = "Give a date and time (UTC), or leave it empty for a session cookie."


@require_POST
def cookie_set_view(request: HttpRequest, workspace_id: int) -> HttpResponse:
    """Add a cookie to your jar, or save the one being edited (original_* name what it was)."""
    workspace = workspace_for(request, workspace_id)
    post = request.POST
    form = {part: post.get(part, "") for part in ("name", "value", "domain", "path", "expires")}
    form.update(secure="secure" in post, http_only="http_only" in post)
    original = (post.get("original_domain", ""), post.get("original_path", ""), post.get("original_name", ""))
    if all(original):
        form.update(editing=True, original=original)
    try:
        cookie_set(user=request.user, workspace=workspace, name=form["name"], value=form["value"],
                   domain=form["domain"], path=form["path"], expires=_expires(form["expires"]),
                   secure=form["secure"], http_only=form["http_only"], replaces=original if all(original) else None)
    except ValidationFailed as error:
        field_name = next(iter(error.fields), "")
        return _jar(request, workspace, form=form, error={"field": field_name, "message": error.fields[field_name][0]})
    return _jar(request, workspace, form={"path": "/"})


@require_GET
def cookies(request: HttpRequest, workspace_id: int) -> HttpResponse:
    return _jar(request, workspace_for(request, workspace_id))


@require_POST
def cookie_delete_view(request: HttpRequest, workspace_id: int) -> HttpResponse:
    workspace = workspace_for(request, workspace_id)
    cookie_delete(
        user=request.user,
        workspace=workspace,
        domain=request.POST.get("domain", ""),
        path=request.POST.get("path", ""),
        name=request.POST.get("name", ""),
    )
    return _jar(request, workspace)


@require_POST
def cookie_clear_view(request: HttpRequest, workspace_id: int) -> HttpResponse:
    workspace = workspace_for(request, workspace_id)
    cookie_clear(user=request.user, workspace=workspace)
    return _jar(request, workspace)

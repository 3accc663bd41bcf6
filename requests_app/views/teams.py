"""Team pages: new workspace, settings (rename, delete, leave), members, invitation links, activity.

Owners see the controls that change members and the workspace; everyone else sees the same
page read-only. The services check the role again, so a hand-made POST gets a 403.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from requests_app import access, keyset
from requests_app.forms import PASSWORDS_DIFFER
from requests_app.models import Role, Workspace
from requests_app.services.activity import ACTIVITY_ORDER, activity_list, describe_parts
from requests_app.services.errors import ValidationFailed
from requests_app.services.invitations import (
    DEFAULT_DAYS,
    MAX_DAYS,
    InvitationRefused,
    invitation_accept,
    invitation_accept_with_new_account,
    invitation_create,
    invitation_find,
    invitation_list,
    invitation_revoke,
    invitation_state,
)
from requests_app.services.tour import account_create_with_tour
from requests_app.services.workspaces import (
    member_add,
    member_remove,
    member_set_role,
    members_list,
    workspace_create,
    workspace_delete,
    workspace_update,
)
from requests_app.views.accounts import playground_base_url
from requests_app.views.common import workspace_for
from requests_app.web import HtmxHttpRequest, invitation_link

ACTIVITY_PAGE_SIZE = 50
ROLE_HELP = {
    Role.OWNER: "manages members and the workspace, and edits everything",
    Role.EDITOR: "creates, changes and deletes collections, requests and environments",
    Role.VIEWER: "opens and sends requests, reads environments (secrets stay masked)",
}


def _team_context(request: HttpRequest, workspace: Workspace, section: str, **extra: Any) -> dict[str, Any]:
    role = getattr(workspace, "user_role", None)
    return {
        "workspace": workspace,
        "workspaces": access.workspaces_for_user(request.user),
        "section": section,
        "role": role,
        "is_owner": access.is_owner(role),
        "can_edit": access.can_edit(role),
        **extra,
    }


# ---------------------------------------------------------------- workspaces


@require_http_methods(["GET", "POST"])
def workspace_create_view(request: HttpRequest) -> HttpResponse:
    """A new team workspace owned by the caller; then its members page, to invite people."""
    error, name = "", request.POST.get("name", "")
    if request.method == "POST":
        try:
            workspace = workspace_create(user=request.user, name=name)
        except ValidationFailed as failure:
            error = failure.message
        else:
            return redirect("members", workspace_id=workspace.pk)
    context = {"workspaces": access.workspaces_for_user(request.user), "error": error, "name": name,
               "section": "new"}  # fmt: skip
    return render(request, "requests_app/teams/workspace_new.html", context)


@require_http_methods(["GET", "POST"])
def workspace_settings(request: HttpRequest, workspace_id: int) -> HttpResponse:
    """GET: rename / delete / leave. POST: rename (owners)."""
    workspace = workspace_for(request, workspace_id, need="own" if request.method == "POST" else "read")
    context = _team_context(request, workspace, "settings", name=workspace.name)
    if request.method == "POST":
        try:
            workspace_update(user=request.user, workspace=workspace, name=request.POST.get("name", ""))
        except ValidationFailed as error:
            context.update(rename_error=error.message, name=request.POST.get("name", ""))
            return render(request, "requests_app/teams/settings.html", context)
        context.update(notice="Renamed.", name=workspace.name)
    return render(request, "requests_app/teams/settings.html", context)


@require_POST
def workspace_delete_view(request: HttpRequest, workspace_id: int) -> HttpResponse:
    """Delete a team workspace: owners only, after typing its name."""
    workspace = workspace_for(request, workspace_id, need="own")
    try:
        workspace_delete(user=request.user, workspace=workspace, confirm=request.POST.get("confirm", ""))
    except ValidationFailed as error:
        context = _team_context(request, workspace, "settings", name=workspace.name, delete_error=error.message)
        return render(request, "requests_app/teams/settings.html", context)
    return redirect("home")


# ---------------------------------------------------------------- members


def _members_panel(request: HtmxHttpRequest, workspace: Workspace, **extra: Any) -> HttpResponse:
    """The members page, or its panel for htmx; form errors come back in it (status 200, so htmx swaps)."""
    is_owner = access.is_owner(getattr(workspace, "user_role", None))
    invitations = []
    if is_owner and not workspace.is_personal:
        invitations = [
            {"invitation": invitation, "state": invitation_state(invitation)}
            for invitation in invitation_list(user=request.user, workspace=workspace)[:50]
        ]
    members = members_list(user=request.user, workspace=workspace)
    context = _team_context(
        request,
        workspace,
        "members",
        members=members,
        owner_count=sum(1 for member in members if member["role"] == Role.OWNER),
        invitations=invitations,
        roles=[(value, label, ROLE_HELP[value]) for value, label in Role.choices],
        default_days=DEFAULT_DAYS,
        max_days=MAX_DAYS,
        **extra,
    )
    template = "requests_app/teams/members.html"
    return render(request, f"{template}#members-panel" if request.htmx else template, context)


@require_http_methods(["GET", "POST"])
def members(request: HttpRequest, workspace_id: int) -> HttpResponse:
    """GET: the members page (any member). POST: add an account by username or e-mail (owners)."""
    workspace = workspace_for(request, workspace_id, need="own" if request.method == "POST" else "read")
    if request.method == "GET":
        return _members_panel(request, workspace)
    who = request.POST.get("who", "").strip()
    try:
        added = member_add(user=request.user, workspace=workspace, role=request.POST.get("role", ""),
                           **({"email": who} if "@" in who else {"username": who}))
    except ValidationFailed as error:
        return _members_panel(request, workspace, add_error=error.message, who=who,
                              chosen_role=request.POST.get("role", ""))
    return _members_panel(request, workspace, notice=f"{added['username']} is now a member ({added['role']}).")


def _member_id(raw: Any) -> int:
    value = access.parse_id(raw)
    return value if value is not None else 0


@require_POST
def member_role(request: HttpRequest, workspace_id: int, user_id: int) -> HttpResponse:
    workspace = workspace_for(request, workspace_id, need="own")
    try:
        changed = member_set_role(user=request.user, workspace=workspace, member_id=user_id,
                                  role=request.POST.get("role", ""))
    except ValidationFailed as error:
        return _members_panel(request, workspace, error=error.message)
    return _members_panel(request, workspace, notice=f"{changed['username']} is now {changed['role']}.")


@require_POST
def member_remove_view(request: HtmxHttpRequest, workspace_id: int, user_id: int) -> HttpResponse:
    """Owners remove anyone; anyone may leave (their own id). The last owner stays."""
    workspace = workspace_for(request, workspace_id)
    try:
        member_remove(user=request.user, workspace=workspace, member_id=user_id)
    except ValidationFailed as error:
        return _members_panel(request, workspace, error=error.message)
    if user_id == request.user.pk:  # left: this workspace is no longer theirs to see
        if request.htmx:
            response = HttpResponse(status=204)
            response["HX-Redirect"] = reverse("home")
            return response
        return redirect("home")
    return _members_panel(request, workspace, notice="Removed.")


# ---------------------------------------------------------------- invitation links


@require_POST
def invitation_create_view(request: HttpRequest, workspace_id: int) -> HttpResponse:
    workspace = workspace_for(request, workspace_id, need="own")
    days_text = request.POST.get("days", "") or str(DEFAULT_DAYS)
    try:
        invitation, token = invitation_create(
            user=request.user, workspace=workspace, role=request.POST.get("role", ""),
            email=request.POST.get("email", ""), days=int(days_text) if days_text.isdigit() and len(days_text) < 4 else 0,
        )  # fmt: skip
    except ValidationFailed as error:
        return _members_panel(request, workspace, invite_error=error.message)
    return _members_panel(request, workspace, new_link=invitation_link(request, token), new_invitation=invitation)


@require_POST
def invitation_revoke_view(request: HttpRequest, workspace_id: int, invitation_id: int) -> HttpResponse:
    workspace = workspace_for(request, workspace_id, need="own")
    try:
        invitation_revoke(user=request.user, workspace=workspace, invitation_id=invitation_id)
    except ValidationFailed as error:
        return _members_panel(request, workspace, error=error.message)
    return _members_panel(request, workspace, notice="The link no longer works.")


@login_not_required
@require_http_methods(["GET", "POST"])
def invitation_accept_view(request: HttpRequest, token: str) -> HttpResponse:
    """Open an invitation link: join (signed in), or create an account and join (sign-ups off or not)."""
    try:
        invitation = invitation_find(token=token)
    except InvitationRefused as refused:
        return render(request, "requests_app/teams/invitation.html", {"refused": refused.message},
                      status=refused.http_status)
    context: dict[str, Any] = {"invitation": invitation, "token": token, "role_help": ROLE_HELP.get(invitation.role)}
    if request.method == "GET":
        return render(request, "requests_app/teams/invitation.html", context)
    try:
        if request.user.is_authenticated:
            workspace = invitation_accept(token=token, user=request.user)
        else:
            errors = _create_account_and_join(request, token)
            if errors:
                context.update(errors=errors, username=request.POST.get("username", ""),
                               email=request.POST.get("email", ""))
                return render(request, "requests_app/teams/invitation.html", context)
            workspace = invitation.workspace
    except InvitationRefused as refused:
        return render(request, "requests_app/teams/invitation.html", {"refused": refused.message},
                      status=refused.http_status)
    return redirect("workspace", workspace_id=workspace.pk)


def _create_account_and_join(request: HttpRequest, token: str) -> dict[str, list[str]]:
    """The new-account form of an invitation: create, join, sign in; {field: [messages]} when refused."""
    password = request.POST.get("password", "")
    if password != request.POST.get("password_again", ""):
        return {"password_again": [PASSWORDS_DIFFER]}
    try:
        user = invitation_accept_with_new_account(
            token=token,
            username=request.POST.get("username", ""),
            password=password,
            email=request.POST.get("email", ""),
            create_account=lambda **fields: account_create_with_tour(**fields, base_url=playground_base_url(request)),
        )
    except ValidationFailed as error:
        fields = error.fields or {"general": [error.message]}
        return {name if name in ("username", "email", "password") else "general":
                list(messages) if isinstance(messages, list) else [str(messages)]
                for name, messages in fields.items()}  # fmt: skip
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return {}


# ---------------------------------------------------------------- activity


@require_GET
def activity(request: HttpRequest, workspace_id: int) -> HttpResponse:
    workspace = workspace_for(request, workspace_id)
    cursor = request.GET.get("cursor", "")[:200]
    try:
        page = keyset.page(activity_list(user=request.user, workspace=workspace), order=ACTIVITY_ORDER,
                           cursor=cursor, limit=ACTIVITY_PAGE_SIZE)
    except ValidationFailed:  # an old or edited link: the newest page
        page, cursor = keyset.page(activity_list(user=request.user, workspace=workspace), order=ACTIVITY_ORDER,
                                   limit=ACTIVITY_PAGE_SIZE), ""
    lines = []
    for entry in page.items:
        lead, name, tail = describe_parts(entry)
        link = ""
        if entry.kind == "request" and entry.verb != "deleted" and entry.object_id:
            link = reverse("request_share", args=[entry.object_id])
        elif entry.kind == "run" and entry.object_id:
            link = reverse("run_page", args=[workspace.pk, entry.object_id])
        elif entry.kind == "monitor" and entry.verb != "deleted" and entry.object_id:
            link = reverse("monitor_page", args=[workspace.pk, entry.object_id])
        lines.append({"entry": entry, "lead": lead, "name": name, "tail": tail, "link": link})
    context = _team_context(request, workspace, "activity", page=page, lines=lines, is_first_page=not cursor)
    return render(request, "requests_app/teams/activity.html", context)

"""Shared pieces of the page views: workspace lookup, the active environment, the editor state.

Views stay thin: they check access (requests_app.access), parse input (requests_app.forms),
call one service and render a template or one of its partials (`template.html#partial`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django_htmx.http import trigger_client_event

from requests_app import access, keyset
from requests_app.engine.prepare import DEFAULT_ACCEPT, DEFAULT_ACCEPT_ENCODING
from requests_app.engine.spec import DEFAULT_USER_AGENT, RAW_CONTENT_TYPES, RequestSpec, auth_from_dict, auth_to_dict
from requests_app.forms import STANDARD_METHODS, EditorFields, editor_fields
from requests_app.models import Collection, Environment, Folder, SavedRequest, Workspace
from requests_app.services.environments import environment_variables
from requests_app.services.errors import NotFound, ValidationFailed
from requests_app.services.history import HISTORY_FILTERS, HISTORY_ORDER, history_hosts, history_list
from requests_app.services.inheritance import InheritedAuth, enabled_values, folder_chain, inherited_auth
from requests_app.services.masking import credentials_masked
from requests_app.services.sidebar import SidebarTree, sidebar_tree
from requests_app.views.response_view import ResponseView
from requests_app.web import HtmxHttpRequest

Need = Literal["read", "edit", "own"]

HISTORY_SHOWN = 100
BODY_MODES = (
    ("none", "None"),
    ("raw", "Raw"),
    ("urlencoded", "Form (urlencoded)"),
    ("multipart", "Multipart"),
    ("binary", "Binary file"),
    ("graphql", "GraphQL"),
)
RAW_TYPES = (("json", "JSON"), ("xml", "XML"), ("html", "HTML"), ("text", "Text"), ("javascript", "JavaScript"))
AUTH_TYPES = (
    ("inherit", "Inherit from parent"),
    ("none", "No auth"),
    ("basic", "Basic"),
    ("bearer", "Bearer token"),
    ("apikey", "API key"),
    ("digest", "Digest"),
    ("awsv4", "AWS Signature v4"),
    ("oauth2", "OAuth 2.0"),
)
OAUTH2_GRANT_LABELS = (
    ("client_credentials", "Client credentials"),
    ("authorization_code", "Authorization code (PKCE S256)"),
    ("password", "Password"),
    ("refresh_token", "Refresh token"),
)
HEADER_SUGGESTIONS = (
    "Accept", "Accept-Encoding", "Accept-Language", "Authorization", "Cache-Control", "Connection",
    "Content-Disposition", "Content-Encoding", "Content-Language", "Content-Type", "Cookie", "DNT",
    "Forwarded", "If-Match", "If-Modified-Since", "If-None-Match", "If-Range", "If-Unmodified-Since",
    "Origin", "Pragma", "Prefer", "Range", "Referer", "TE", "Upgrade", "User-Agent", "Via",
    "X-API-Key", "X-Correlation-ID", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto",
    "X-Request-ID", "X-Requested-With",
)  # fmt: skip
# What the engine adds when the request does not set it (shown greyed in the Headers tab).
AUTO_HEADERS = (
    ("Host", "from the URL"),
    ("User-Agent", DEFAULT_USER_AGENT),
    ("Accept", DEFAULT_ACCEPT),
    ("Accept-Encoding", DEFAULT_ACCEPT_ENCODING),
    ("Content-Type", "from the Body tab (e.g. " + RAW_CONTENT_TYPES["json"] + ")"),
    ("Content-Length", "computed from the body"),
    ("Authorization", "from the Auth tab, or the folder's or collection's auth it inherits"),
    ("Cookie", "from the cookie jar, when Settings allow it"),
    ("Connection", "close (one connection per request)"),
)


def workspace_for(request: HttpRequest, workspace_id: int, need: Need = "read") -> Workspace:
    return access.get_workspace_for_user(request.user, workspace_id, need=need)


def in_workspace(obj: Any, workspace: Workspace) -> Any:
    """404 for an object of another of the user's workspaces: URLs name one workspace."""
    if access.workspace_id_of(obj) != workspace.pk:
        raise NotFound()
    return obj


def can_edit(workspace: Workspace) -> bool:
    return access.can_edit(getattr(workspace, "user_role", None))


# ---------------------------------------------------------------- environment


def _session_key(workspace: Workspace) -> str:
    return f"environment:{workspace.pk}"


def active_environment(request: HttpRequest, workspace: Workspace) -> Environment | None:
    environment_id = request.session.get(_session_key(workspace))
    if not environment_id:
        return None
    try:
        return in_workspace(access.get_environment_for_user(request.user, environment_id), workspace)
    except NotFound:
        return None


def remember_environment(request: HttpRequest, workspace: Workspace, environment: Environment | None) -> None:
    request.session[_session_key(workspace)] = environment.pk if environment else None


def chosen_environment(request: HttpRequest, workspace: Workspace) -> Environment | None:
    """The environment a send names (the top bar's select), else the remembered one."""
    if "environment" not in request.POST:
        return active_environment(request, workspace)
    environment_id = request.POST.get("environment")
    if not environment_id:
        return None
    return in_workspace(access.get_environment_for_user(request.user, environment_id), workspace)


def variables_map(
    environment: Environment | None, collection: Collection | None, chain: list[Folder] | None = None
) -> dict[str, dict[str, str]]:
    """{name: {value, scope}} for highlighting {{name}} in the editor; secrets stay masked.

    The order a send resolves them in (services.inheritance): collection, its folders from the
    outside in (`chain` is innermost first), then the environment; a later scope wins."""
    found: dict[str, dict[str, str]] = {}
    owners: list[Collection | Folder] = [collection] if collection is not None else []
    owners += reversed(chain or [])
    for owner in owners:
        kind = "folder" if isinstance(owner, Folder) else "collection"
        for key, value in enabled_values(owner.variables).items():
            found[key] = {"value": value, "scope": f"{kind} “{owner.name}”"}
    if environment is not None:
        for row in environment_variables(environment):
            if row["key"] and row["enabled"]:
                scope = f"environment “{environment.name}”" + (", secret" if row["secret"] else "")
                found[row["key"]] = {"value": row["value"], "scope": scope}
    return found


# ---------------------------------------------------------------- editor


@dataclass
class EditorState:
    fields: EditorFields
    saved_request: SavedRequest | None = None
    name: str = ""
    breadcrumb: str = ""
    description: str = ""
    variables: dict[str, Any] = field(default_factory=dict)
    error: dict[str, str] | None = None
    notice: str = ""
    from_history: bool = False
    inherited_auth: str = ""  # what auth "inherit" sends here, in words (inherited_auth_summary)
    inherits_oauth2: bool = False  # "inherit" here is OAuth 2.0: the Auth tab offers its token box
    conflict: Any = None  # views.versions.ConflictView after a save that came too late
    scripts: dict[str, str] = field(default_factory=dict)  # {"prerequest", "test"} as in the Scripts tab


def folder_path(folder: Folder | None) -> list[str]:
    names: list[str] = []
    seen: set[int] = set()
    while folder is not None and folder.pk not in seen:
        seen.add(folder.pk)
        names.insert(0, folder.name)
        folder = folder.parent
    return names


def editor_state(
    spec: RequestSpec,
    *,
    environment: Environment | None,
    saved_request: SavedRequest | None = None,
    collection: Collection | None = None,
    **extra: Any,
) -> EditorState:
    chain: list[Folder] = []
    masked = False
    if saved_request is not None:
        collection = saved_request.collection
        chain = folder_chain(saved_request.folder)
        masked = not access.can_edit(getattr(saved_request, "user_role", None))
        if masked:
            # Credentials are secrets to viewers; a send with the mask uses the stored value.
            spec = replace(spec, auth=auth_from_dict(credentials_masked(auth_to_dict(spec.auth))))
        extra.setdefault("name", saved_request.name)
        extra.setdefault("description", saved_request.description)
        extra.setdefault("scripts", dict(saved_request.scripts or {}))
        extra.setdefault(
            "breadcrumb", " / ".join([saved_request.collection.name, *folder_path(saved_request.folder)])
        )
    source = inherited_auth(None, chain, collection) if collection is not None else None
    extra.setdefault("inherited_auth", inherited_auth_summary(source, masked=masked))
    extra.setdefault("inherits_oauth2", source is not None and (source.auth or {}).get("type") == "oauth2")
    return EditorState(
        fields=editor_fields(spec),
        saved_request=saved_request,
        variables=variables_map(environment, collection, chain),
        **extra,
    )


def _glimpse(secret: str) -> str:
    """Enough of a literal secret to recognise it, not to use it; {{variables}} shown as written."""
    if "{{" in secret or not secret:
        return secret or "(empty)"
    return secret[:4] + "…" if len(secret) > 11 else "•" * 6


def inherited_auth_summary(source: InheritedAuth | None, *, masked: bool) -> str:
    """“Inherit from folder “Admin” (Bearer abcd…)”: what a request with auth "inherit" sends,
    `source` the walk's answer for it (services.inheritance.inherited_auth; None: not saved in a
    collection yet); `masked`: credentials as the mask (viewers)."""
    if source is None:
        return "Uses the auth of the folder or collection it is saved in; not saved yet, so no auth is sent."
    auth = (credentials_masked(source.auth) if masked else source.auth) or {}
    kind = auth.get("type", "none")
    where = f"Inherit from {source.where}"
    if isinstance(source.owner, Folder) and kind == "none":
        return f"{where}: the folder says No auth, so none is sent."
    if kind == "bearer":
        return f"{where} (Bearer {_glimpse(auth.get('token', ''))}): sends Authorization: Bearer …"
    if kind in ("basic", "digest"):
        label = "Basic" if kind == "basic" else "Digest"
        return f"{where} ({label}, user {auth.get('username') or '(empty)'}): sends Authorization: {label} …"
    if kind == "apikey":
        place = "query parameter" if auth.get("location") == "query" else "header"
        key = auth.get("key", "")
        return f"{where} (API key {_glimpse(auth.get('value', ''))}): sends the {place} {key}"
    if kind == "oauth2":
        return f"{where} (OAuth 2.0): sends your token for it; get one below."
    if kind != "none":
        return f"{where} ({dict(AUTH_TYPES).get(kind, kind)})."
    if source.owner is None:
        return "Inherit from parent: nothing above sets auth, so none is sent."
    return f"{where}: it has no auth, so none is sent."


def editor_context(workspace: Workspace, editor: EditorState) -> dict[str, Any]:
    return {
        "workspace": workspace,
        "can_edit": can_edit(workspace),
        "editor": editor,
        "methods": STANDARD_METHODS,
        "body_modes": BODY_MODES,
        "raw_types": RAW_TYPES,
        "auth_types": AUTH_TYPES,
        "oauth2_grants": OAUTH2_GRANT_LABELS,
        "header_suggestions": HEADER_SUGGESTIONS,
        "auto_headers": AUTO_HEADERS,
    }


# ---------------------------------------------------------------- sidebar and page


def folder_ids(text: str) -> set[int]:
    return {int(part) for part in text.split(",") if part.strip().isdigit() and len(part.strip()) < 19}


def tree_for(request: HttpRequest, workspace: Workspace, current_request_id: int | None = None) -> SidebarTree:
    """The sidebar tree with the open/closed state the page sent (a tree reload) or, on a full
    page load, the one static/js/app.js keeps in the `tree-<workspace id>` cookie."""
    state = request.COOKIES.get(f"tree-{workspace.pk}", "")
    opened, _, closed = state.partition("~")
    return sidebar_tree(
        user=request.user,
        workspace=workspace,
        open_folder_ids=folder_ids(request.GET.get("open", opened.replace(".", ","))),
        closed_collection_ids=folder_ids(request.GET.get("closed", closed.replace(".", ","))),
        current_request_id=current_request_id,
    )


def page(
    request: HttpRequest,
    workspace: Workspace,
    editor: EditorState,
    *,
    response: ResponseView | None = None,
    entry: Any = None,
    status: int = 200,
) -> HttpResponse:
    """The whole three-pane page (first load, reload, or no-JS navigation)."""
    environment = active_environment(request, workspace)
    current_id = editor.saved_request.pk if editor.saved_request else None
    context = {
        **editor_context(workspace, editor),
        "workspaces": access.workspaces_for_user(request.user),
        "tree": tree_for(request, workspace, current_id),
        "current_request_id": current_id,
        **history_context(request, workspace),
        "environments": access.environments_for_user(request.user, workspace=workspace),
        "active_environment": environment,
        "response": response,
        "entry": entry,
    }
    return render(request, "requests_app/workspace.html", context, status=status)


def with_events(response: HttpResponse, *events: str, after: str = "receive") -> HttpResponse:
    for event in events:
        trigger_client_event(response, event, after=after)  # type: ignore[arg-type]
    return response


KEEP_RESPONSE_HEADER = "X-Keep-Response"


def open_in_editor(
    request: HtmxHttpRequest, workspace: Workspace, saved: SavedRequest, *, keep_response: bool = False
) -> HttpResponse:
    """After creating a request: close the dialog, reload the tree, open it in the editor.

    With `keep_response` (Save as…), the response pane keeps the response just received.
    """
    url = reverse("request_open", args=[workspace.pk, saved.pk])
    if not request.htmx:
        return redirect(url)
    response = HttpResponse(status=204)
    location: dict[str, Any] = {"path": url, "target": "#editor"}
    if keep_response:
        location["headers"] = {KEEP_RESPONSE_HEADER: "1"}
    response["HX-Location"] = json.dumps(location)
    return with_events(response, "dialog-close", "tree-changed")


HISTORY_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
HISTORY_STATUS_CHOICES = (("2xx", "2xx success"), ("3xx", "3xx redirect"), ("4xx", "4xx client error"),
                          ("5xx", "5xx server error"), ("error", "No response"))


def history_context(request: HttpRequest, workspace: Workspace, cursor: str = "") -> dict[str, Any]:
    """A keyset page of the user's history in the workspace, newest first, filtered by the
    request's query (q, method, status, host); `cursor` names the page after the last one shown."""
    filters = {name: request.GET.get(name, "").strip()[:200] for name in HISTORY_FILTERS}
    error = ""
    try:
        entries = history_list(user=request.user, workspace=workspace, filters=filters)
        try:
            found = keyset.page(entries, order=HISTORY_ORDER, cursor=cursor)
        except ValidationFailed:  # an edited link: the newest entries
            found = keyset.page(entries, order=HISTORY_ORDER)
    except ValidationFailed as failure:
        found, error = keyset.Page(items=[], next_cursor=None), failure.message
    filtered = any(filters.values())
    recent = found.items if not filtered else keyset.page(history_list(user=request.user, workspace=workspace), order=HISTORY_ORDER).items
    return {
        "history": found,
        "history_filters": filters,
        "history_filtered": filtered,
        "history_error": error,
        "history_hosts": history_hosts(recent),
        "history_methods": HISTORY_METHODS,
        "history_status_choices": HISTORY_STATUS_CHOICES,
        # rows of a later page go under the day heading already shown for that day
        "history_after_day": request.GET.get("after_day", "")[:10] if cursor else "",
        "can_edit": can_edit(workspace),
    }

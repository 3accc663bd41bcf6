"""The permission matrix: every page view and API endpoint × owner / editor / viewer / a member
of another workspace / anonymous, from ONE table.

Each row names a URL pattern, a method, what the operation needs, and how to call it:

- read / edit / own: members whose role allows it get `ok`, the others 403; someone who is not
  a member of the workspace gets 404 (ids can't be probed); anonymous visitors are sent to sign
  in (pages: 302 to the login page) or refused (API: 401).
- self: any member, on their own things (history entries, cookie jar); non-members 404.
- signed_in: any account (the acting user's own tokens, new workspaces, lists of their own).
- public: everyone gets `ok` (unless `expect` says otherwise per visitor).

`test_every_url_pattern_has_a_row` walks Django's URL resolver: a new URL pattern (or a new
method on an API endpoint) without a row here fails, so nothing ships unchecked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from requests_app.engine.exchange import Exchange, Response, SentRequest
from requests_app.models import Collection, CookieJarState, DeleteJob, Folder, HistoryEntry, Membership, Run
from requests_app.services.accounts import api_token_create
from requests_app.services.examples import example_create
from requests_app.services.history import history_record
from requests_app.services.invitations import invitation_create
from requests_app.services.monitors import monitor_create
from tests.teams.conftest import Team

ROLES = ("owner", "editor", "viewer", "other", "anonymous")
COOKIE = {"name": "a", "value": "1", "domain": "127.0.0.1", "path": "/", "expires": None}
RANK = {"viewer": 1, "editor": 2, "owner": 3}
NEED_RANK = {"read": 1, "edit": 2, "own": 3}


@dataclass
class World:
    team: Team
    role: str
    ids: dict[str, Any]

    def __getattr__(self, name: str) -> Any:
        try:
            return self.ids[name]
        except KeyError:
            raise AttributeError(name) from None


Builder = Callable[[World], Any]


@dataclass(frozen=True)
class Row:
    name: str  # URL name, API ones as "api:<basename>-<action>"
    method: str
    need: str  # read, edit, own, self, signed_in, public
    path: Builder
    data: Builder | None = None
    ok: tuple[int, ...] = (200,)
    expect: dict[str, int] = field(default_factory=dict)  # per-visitor status, overriding the rule

    @property
    def is_api(self) -> bool:
        return self.name.startswith("api:")

    @property
    def label(self) -> str:
        return f"{self.name}:{self.method}"


def page(name: str, *parts: str, query: str = "") -> Builder:
    """A page URL whose arguments are world ids: page("request_open", "ws", "request")."""
    return lambda w: reverse(name, args=[w.ids[part] for part in parts]) + query


def api(template: str) -> Builder:
    return lambda w: "/api/v1/" + template.format(**w.ids)


def editor_form(w: World) -> dict[str, Any]:
    return {"method": "GET", "url": "http://127.0.0.1:9/users", "body_mode": "none", "auth_type": "none",
            "saved_request": str(w.request), "version": str(w.request_version), "environment": ""}  # fmt: skip


def env_form(w: World) -> dict[str, Any]:
    return {"name": "Staging 2", "version": "1", "vars-0-key": "a", "vars-0-value": "1", "vars-0-enabled": "on"}


def monitor_form(w: World) -> dict[str, Any]:
    return {"name": "Nightly", "target": f"c:{w.collection}", "schedule_kind": "interval", "every_minutes": "5"}


P, R = page, api
TABLE: list[Row] = [
    # ---------------------------------------------------------------- accounts and the page shell
    Row("home", "get", "signed_in", P("home"), ok=(302,)),
    Row("login", "get", "public", P("login"), ok=(302,), expect={"anonymous": 200}),
    Row("logout", "post", "public", P("logout"), ok=(302,)),
    Row("signup", "get", "public", P("signup"), ok=(302,), expect={"anonymous": 200}),
    Row("password_change", "get", "signed_in", P("password_change")),
    Row("tokens", "get", "signed_in", P("tokens")),
    Row("token_revoke", "post", "signed_in", P("token_revoke", "own_token")),
    Row("workspace_switch", "get", "read", lambda w: reverse("workspace_switch") + f"?workspace={w.ws}", ok=(302,)),
    Row("workspace", "get", "read", P("workspace", "ws")),
    Row("request_open", "get", "read", P("request_open", "ws", "request")),
    Row("request_send", "post", "read", P("request_send", "ws"), editor_form),
    Row("request_save", "post", "edit", P("request_save", "ws"), editor_form),
    Row("request_save_as", "get", "edit", P("request_save_as", "ws")),
    Row("request_save_as", "post", "edit", P("request_save_as", "ws"),
        lambda w: {**editor_form(w), "save_as_name": "Copy", "location": f"f:{w.folder}"}, ok=(204,)),
    # history is personal: each member acts on their own entry
    Row("history_list", "get", "self", P("history_list", "ws")),
    Row("history_clear", "post", "self", P("history_clear", "ws")),
    Row("history_open", "get", "self", P("history_open", "ws", "entry")),
    Row("history_body", "get", "self", P("history_body", "ws", "entry")),
    Row("history_delete", "post", "self", P("history_delete", "ws", "entry")),
    # a diff of one's own entries (400 where the entry has no response to compare)
    Row("history_compare", "get", "self",
        lambda w: reverse("history_compare", args=[w.ws]) + f"?a={w.entry}&b={w.entry}", ok=(200, 400)),
    Row("request_paste_curl", "post", "read", P("request_paste_curl", "ws"), lambda w: {"curl": "curl http://127.0.0.1:9/x"}),
    Row("collection_settings", "get", "read", P("collection_settings", "ws", "collection")),
    Row("folder_settings", "get", "read", P("folder_settings", "ws", "folder")),
    # the collections tree
    Row("sidebar_tree", "get", "read", P("sidebar_tree", "ws")),
    Row("folder_children", "get", "read", P("folder_children", "ws", "folder")),
    Row("collection_children", "get", "read", P("collection_children", "ws", "collection")),
    Row("sidebar_search", "get", "read", lambda w: reverse("sidebar_search", args=[w.ws]) + "?q=a"),
    Row("sidebar_collections", "get", "read", P("sidebar_collections", "ws")),
    Row("delete_progress", "get", "read", P("delete_progress", "ws", "delete_job")),
    Row("collection_create", "get", "edit", P("collection_create", "ws")),
    Row("collection_create", "post", "edit", P("collection_create", "ws"), lambda w: {"name": "New"}, ok=(204,)),
    Row("collection_rename", "post", "edit", P("collection_rename", "ws", "collection"), lambda w: {"name": "R"},
        ok=(204,)),
    Row("collection_scripts", "get", "edit", P("collection_scripts", "ws", "collection")),
    Row("collection_scripts", "post", "edit", P("collection_scripts", "ws", "collection"),
        lambda w: {"version": Collection.objects.get(pk=w.collection).version, "script_prerequest": "1;"}, ok=(204,)),
    Row("collection_move", "post", "edit", P("collection_move", "ws", "collection"), lambda w: {"direction": "down"},
        ok=(204,)),
    Row("collection_delete", "post", "edit", P("collection_delete", "ws", "collection"), ok=(204,)),
    Row("folder_create", "post", "edit", P("folder_create", "ws"), lambda w: {"name": "Sub", "folder": w.folder},
        ok=(204,)),
    Row("folder_rename", "post", "edit", P("folder_rename", "ws", "folder"), lambda w: {"name": "R"}, ok=(204,)),
    Row("folder_scripts", "get", "edit", P("folder_scripts", "ws", "folder")),
    Row("folder_scripts", "post", "edit", P("folder_scripts", "ws", "folder"),
        lambda w: {"version": Folder.objects.get(pk=w.folder).version, "script_test": "pm.test('x', function () {});"},
        ok=(204,)),
    Row("folder_move", "post", "edit", P("folder_move", "ws", "folder"), lambda w: {"direction": "up"}, ok=(204,)),
    Row("folder_delete", "post", "edit", P("folder_delete", "ws", "folder"), ok=(204,)),
    Row("request_create", "post", "edit", P("request_create", "ws"),
        lambda w: {"name": "New", "collection": w.collection}, ok=(204,)),
    Row("request_rename", "post", "edit", P("request_rename", "ws", "request"), lambda w: {"name": "R"}, ok=(204,)),
    Row("request_move", "post", "edit", P("request_move", "ws", "request"), lambda w: {"direction": "up"}, ok=(204,)),
    Row("request_duplicate", "post", "edit", P("request_duplicate", "ws", "request"), ok=(204,)),
    Row("request_delete", "post", "edit", P("request_delete", "ws", "request"), ok=(204,)),
    # environments and the cookie jar (each member has their own jar)
    Row("environment_list", "get", "read", P("environment_list", "ws")),
    Row("environment_create", "post", "edit", P("environment_create", "ws"),
        lambda w: {"name": "Prod", "vars-0-key": "a", "vars-0-value": "1", "vars-0-enabled": "on"}, ok=(204,)),
    Row("environment_activate", "post", "read", P("environment_activate", "ws"),
        lambda w: {"environment": w.environment}),
    Row("environment_edit", "get", "read", P("environment_edit", "ws", "environment")),
    Row("environment_edit", "post", "edit", P("environment_edit", "ws", "environment"), env_form, ok=(204,)),
    Row("environment_reveal", "get", "edit", P("environment_reveal", "ws", "environment", query="?index=1")),
    Row("environment_delete", "post", "edit", P("environment_delete", "ws", "environment"), ok=(204,)),
    Row("cookies", "get", "self", P("cookies", "ws")),
    Row("cookie_delete", "post", "self", P("cookie_delete", "ws"),
        lambda w: {"domain": "127.0.0.1", "path": "/", "name": "a"}),
    Row("cookie_clear", "post", "self", P("cookie_clear", "ws")),
    Row("cookie_set", "post", "self", P("cookie_set", "ws"),
        lambda w: {"name": "b", "value": "2", "domain": "127.0.0.1", "path": "/"}),
    Row("history_json", "get", "self", P("history_json", "ws", "entry")),
    # teams: workspaces, members, invitations, activity, history, sharing
    Row("workspace_create", "get", "signed_in", P("workspace_create")),
    Row("workspace_create", "post", "signed_in", P("workspace_create"), lambda w: {"name": "New team"}, ok=(302,)),
    Row("workspace_settings", "get", "read", P("workspace_settings", "ws")),
    Row("workspace_settings", "post", "own", P("workspace_settings", "ws"), lambda w: {"name": "Acme 2"}),
    Row("workspace_delete", "post", "own", P("workspace_delete", "ws"), lambda w: {"confirm": "Acme"}, ok=(302,)),
    Row("members", "get", "read", P("members", "ws")),
    Row("members", "post", "own", P("members", "ws"), lambda w: {"who": "carol", "role": "viewer"}),
    Row("member_role", "post", "own", P("member_role", "ws", "dave"), lambda w: {"role": "editor"}),
    Row("member_remove", "post", "own", P("member_remove", "ws", "dave")),
    Row("invitation_create", "post", "own", P("invitation_create", "ws"), lambda w: {"role": "viewer", "days": "3"}),
    Row("invitation_revoke", "post", "own", P("invitation_revoke", "ws", "invitation")),
    Row("invitation_accept", "get", "public", P("invitation_accept", "token")),
    Row("activity", "get", "read", P("activity", "ws")),
    Row("request_versions", "get", "read", P("request_versions", "ws", "request")),
    Row("request_version_restore", "post", "edit", P("request_version_restore", "ws", "request", "one"), ok=(204,)),
    Row("environment_versions", "get", "read", P("environment_versions", "ws", "environment")),
    Row("environment_version_restore", "post", "edit", P("environment_version_restore", "ws", "environment", "one"),
        ok=(204,)),
    Row("request_share", "get", "read", P("request_share", "request"), ok=(302,)),
    Row("request_transfer", "get", "edit", P("request_transfer", "ws", "request")),
    Row("request_transfer", "post", "edit", P("request_transfer", "ws", "request"),
        lambda w: {"mode": "copy", "location": f"c:{w.collection}"}, ok=(204,)),
    Row("collection_transfer", "get", "edit", P("collection_transfer", "ws", "collection")),
    Row("collection_transfer", "post", "edit", P("collection_transfer", "ws", "collection"),
        lambda w: {"mode": "copy", "workspace": w.ws}, ok=(204,)),
    # import, export, code
    Row("import_dialog", "get", "edit", P("import_dialog", "ws")),
    Row("import_dialog", "post", "edit", P("import_dialog", "ws"), lambda w: {"content": "curl http://127.0.0.1:9/x"}),
    Row("import_detect", "post", "edit", P("import_detect", "ws"), lambda w: {"content": "curl http://127.0.0.1:9/x"}),
    Row("collection_export", "get", "read", P("collection_export", "ws", "collection")),
    Row("editor_snippet", "post", "read", P("editor_snippet", "ws"), editor_form),
    Row("history_har_all", "get", "self", P("history_har_all", "ws")),
    Row("history_har", "get", "self", P("history_har", "ws", "entry")),
    # the playground
    Row("echo:playground", "get", "public", lambda w: "/echo/get"),
    # ---------------------------------------------------------------- API
    Row("api:schema", "get", "public", lambda w: "/api/schema/"),
    Row("api:docs", "get", "public", lambda w: "/api/docs/"),
    Row("api:workspace-list", "get", "signed_in", R("workspaces")),
    Row("api:workspace-list", "post", "signed_in", R("workspaces"), lambda w: {"name": "New team"}, ok=(201,)),
    Row("api:workspace-detail", "get", "read", R("workspaces/{ws}")),
    Row("api:workspace-detail", "put", "own", R("workspaces/{ws}"), lambda w: {"name": "Acme 2"}),
    Row("api:workspace-detail", "patch", "own", R("workspaces/{ws}"), lambda w: {"name": "Acme 2"}),
    Row("api:workspace-detail", "delete", "own", R("workspaces/{ws}"), ok=(204,)),
    Row("api:workspace-members", "get", "read", R("workspaces/{ws}/members/")),
    Row("api:workspace-members", "post", "own", R("workspaces/{ws}/members/"),
        lambda w: {"email": "carol@example.com", "role": "viewer"}, ok=(201,)),
    Row("api:workspace-member", "patch", "own", R("workspaces/{ws}/members/{dave}/"), lambda w: {"role": "editor"}),
    Row("api:workspace-member", "delete", "own", R("workspaces/{ws}/members/{dave}/"), ok=(204,)),
    Row("api:workspace-invitations", "get", "own", R("workspaces/{ws}/invitations/")),
    Row("api:workspace-invitations", "post", "own", R("workspaces/{ws}/invitations/"), lambda w: {"role": "viewer"},
        ok=(201,)),
    Row("api:workspace-invitation", "delete", "own", R("workspaces/{ws}/invitations/{invitation}/")),
    Row("api:workspace-activity", "get", "read", R("workspaces/{ws}/activity/")),
    Row("api:invitation-accept", "post", "signed_in", R("invitations/accept"), lambda w: {"token": w.token}),
    Row("api:collection-list", "get", "signed_in", R("collections")),
    Row("api:collection-list", "post", "edit", R("collections"), lambda w: {"workspace": w.ws, "name": "N"}, ok=(201,)),
    Row("api:collection-detail", "get", "read", R("collections/{collection}")),
    Row("api:collection-detail", "put", "edit", R("collections/{collection}"), lambda w: {"version": 1, "name": "X"}),
    Row("api:collection-detail", "patch", "edit", R("collections/{collection}"), lambda w: {"version": 1, "name": "X"}),
    Row("api:collection-detail", "delete", "edit", R("collections/{collection}"), ok=(204,)),
    Row("api:collection-tree", "get", "read", R("collections/{collection}/tree")),
    Row("api:collection-move", "post", "edit", R("collections/{collection}/move"), lambda w: {"position": 0}),
    Row("api:collection-duplicate", "post", "edit", R("collections/{collection}/duplicate"), lambda w: {}, ok=(201,)),
    Row("api:collection-transfer", "post", "edit", R("collections/{collection}/transfer"),
        lambda w: {"workspace": w.ws, "mode": "copy"}, ok=(201,)),
    Row("api:collection-export", "get", "read", R("collections/{collection}/export")),
    Row("api:folder-list", "get", "signed_in", R("folders")),
    Row("api:folder-list", "post", "edit", R("folders"), lambda w: {"collection": w.collection, "name": "F"}, ok=(201,)),
    Row("api:folder-detail", "get", "read", R("folders/{folder}")),
    Row("api:folder-detail", "put", "edit", R("folders/{folder}"), lambda w: {"version": 1, "name": "F2"}),
    Row("api:folder-detail", "patch", "edit", R("folders/{folder}"), lambda w: {"version": 1, "name": "F2"}),
    Row("api:folder-detail", "delete", "edit", R("folders/{folder}"), ok=(204,)),
    Row("api:folder-move", "post", "edit", R("folders/{folder}/move"), lambda w: {"parent": None, "position": 0}),
    Row("api:folder-duplicate", "post", "edit", R("folders/{folder}/duplicate"), lambda w: {}, ok=(201,)),
    Row("api:request-list", "get", "signed_in", R("requests")),
    Row("api:request-list", "post", "edit", R("requests"),
        lambda w: {"collection": w.collection, "name": "R", "url": "http://127.0.0.1:9/"}, ok=(201,)),
    Row("api:request-detail", "get", "read", R("requests/{request}")),
    Row("api:request-detail", "put", "edit", R("requests/{request}"), lambda w: {"version": 1, "name": "R2"}),
    Row("api:request-detail", "patch", "edit", R("requests/{request}"), lambda w: {"version": 1, "url": "http://y/"}),
    Row("api:request-detail", "delete", "edit", R("requests/{request}"), ok=(204,)),
    Row("api:request-move", "post", "edit", R("requests/{request}/move"), lambda w: {"folder": None}),
    Row("api:request-duplicate", "post", "edit", R("requests/{request}/duplicate"), lambda w: {}, ok=(201,)),
    Row("api:request-copy", "post", "edit", R("requests/{request}/copy"), lambda w: {"collection": w.collection},
        ok=(201,)),
    Row("api:request-execute", "post", "read", R("requests/{request}/execute"), lambda w: {}),
    Row("api:request-versions", "get", "read", R("requests/{request}/versions")),
    Row("api:request-restore", "post", "edit", R("requests/{request}/versions/1/restore"), lambda w: {}),
    Row("api:request-snippet", "get", "read", R("requests/{request}/snippet")),
    Row("api:execute", "post", "read", R("execute"),
        lambda w: {"workspace": w.ws, "method": "GET", "url": "http://127.0.0.1:9/"}),
    Row("api:import", "post", "edit", R("import"),
        lambda w: {"workspace": w.ws, "content": "curl http://127.0.0.1:9/x"}, ok=(201,)),
    Row("api:environment-list", "get", "signed_in", R("environments")),
    Row("api:environment-list", "post", "edit", R("environments"), lambda w: {"workspace": w.ws, "name": "E"},
        ok=(201,)),
    Row("api:environment-detail", "get", "read", R("environments/{environment}")),
    Row("api:environment-detail", "put", "edit", R("environments/{environment}"), lambda w: {"version": 1, "name": "E2"}),
    Row("api:environment-detail", "patch", "edit", R("environments/{environment}"),
        lambda w: {"version": 1, "name": "E2"}),
    Row("api:environment-detail", "delete", "edit", R("environments/{environment}"), ok=(204,)),
    Row("api:environment-duplicate", "post", "edit", R("environments/{environment}/duplicate"), lambda w: {},
        ok=(201,)),
    Row("api:environment-versions", "get", "read", R("environments/{environment}/versions")),
    Row("api:environment-restore", "post", "edit", R("environments/{environment}/versions/1/restore"), lambda w: {}),
    Row("api:history-list", "get", "signed_in", R("history")),
    Row("api:search", "get", "read", R("search?workspace={ws}&q=a")),
    Row("api:delete-detail", "get", "read", R("deletes/{delete_job}")),
    Row("api:history-detail", "get", "self", R("history/{entry}")),
    Row("api:history-detail", "delete", "self", R("history/{entry}"), ok=(204,)),
    Row("api:history-har", "get", "self", R("history/{entry}/har")),
    Row("api:history-har-selection", "get", "self", R("history/har?ids={entry}")),
    Row("api:history-diff", "get", "self", R("history/diff?a={entry}&b={entry}"), ok=(200, 400)),
    Row("api:request-diff-previous", "get", "read", R("requests/{request}/diff-previous"), ok=(200, 400)),
    Row("api:request-diff-environments", "post", "read", R("requests/{request}/diff-environments"),
        lambda w: {"environments": [None, None]}, ok=(200, 400)),
    Row("api:request-diff-ignore", "get", "read", R("requests/{request}/diff-ignore")),
    Row("api:request-diff-ignore", "put", "edit", R("requests/{request}/diff-ignore"), lambda w: {"headers": ["Date"]}),
    Row("api:history-clear", "post", "self", R("history/clear"), lambda w: {"workspace": w.ws}),
    Row("api:cookie-list", "get", "self", R("cookies?workspace={ws}")),
    Row("api:cookie-delete", "post", "self", R("cookies/delete"),
        lambda w: {"workspace": w.ws, "domain": "127.0.0.1", "path": "/", "name": "a"}, ok=(204,)),
    Row("api:cookie-clear", "post", "self", R("cookies/clear"), lambda w: {"workspace": w.ws}, ok=(204,)),
    Row("api:cookie-set", "post", "self", R("cookies/set"),
        lambda w: {"workspace": w.ws, "name": "b", "value": "2", "domain": "127.0.0.1", "path": "/"}, ok=(204,)),
    Row("api:run-list", "get", "signed_in", R("runs")),
    Row("api:run-list", "post", "read", R("runs"), lambda w: {"collection": w.collection}, ok=(202,)),
    Row("api:run-detail", "get", "read", R("runs/{run}")),
    Row("api:run-results", "get", "read", R("runs/{run}/results")),
    Row("api:run-report", "get", "read", R("runs/{run}/report?format=json")),
    Row("api:run-har", "get", "read", R("runs/{run}/har")),
    Row("api:run-cancel", "post", "edit", R("runs/{run}/cancel"), lambda w: {}, ok=(202,)),
    Row("api:run-compare", "get", "read", R("runs/{run}/compare?with={run}")),
    # the Runner page and the editor's Tests tab
    Row("runner", "get", "read", P("runner", "ws")),
    Row("location_options", "get", "read", P("location_options", "ws", query="?q=a")),
    Row("runner_requests", "get", "read", P("runner_requests", "ws", query="?q=a")),
    Row("runner", "post", "read", P("runner", "ws"), lambda w: {"target": f"c:{w.collection}"}, ok=(302,)),
    Row("run_page", "get", "read", P("run_page", "ws", "run")),
    Row("run_live", "get", "read", P("run_live", "ws", "run")),
    Row("run_cancel", "post", "edit", P("run_cancel", "ws", "run")),
    Row("run_rerun", "post", "read", P("run_rerun", "ws", "run"), ok=(302,)),
    Row("run_report", "get", "read", P("run_report", "ws", "run", query="?format=json")),
    Row("run_har", "get", "read", P("run_har", "ws", "run")),
    Row("run_compare", "get", "read", lambda w: reverse("run_compare", args=[w.ws, w.run]) + f"?with={w.run}"),
    Row("request_tests", "get", "read", P("request_tests", "ws", "request")),
    Row("request_tests", "post", "edit", P("request_tests", "ws", "request"),
        lambda w: {"version": w.request_version, "t_a_type": "status", "t_a_op": "equals", "t_a_expected": "200"}),
    Row("request_tests_try", "post", "read", P("request_tests_try", "ws", "request"),
        lambda w: {"t_a_type": "status", "t_a_op": "equals", "t_a_expected": "200"}),
    # monitors: editors create, change, pause and run; viewers read
    Row("monitors", "get", "read", P("monitors", "ws")),
    Row("monitor_new", "get", "edit", P("monitor_new", "ws")),
    Row("monitor_new", "post", "edit", P("monitor_new", "ws"), monitor_form, ok=(302,)),
    Row("monitor_page", "get", "read", P("monitor_page", "ws", "monitor")),
    Row("monitor_edit", "get", "edit", P("monitor_edit", "ws", "monitor")),
    Row("monitor_edit", "post", "edit", P("monitor_edit", "ws", "monitor"), monitor_form, ok=(302,)),
    Row("monitor_pause", "post", "edit", P("monitor_pause", "ws", "monitor"), ok=(302,)),
    Row("monitor_resume", "post", "edit", P("monitor_resume", "ws", "monitor"), ok=(302,)),
    Row("monitor_run", "post", "edit", P("monitor_run", "ws", "monitor"), ok=(302,)),
    Row("monitor_delete", "post", "edit", P("monitor_delete", "ws", "monitor"), ok=(302,)),
    Row("api:monitor-list", "get", "signed_in", R("monitors")),
    Row("api:monitor-list", "post", "edit", R("monitors"),
        lambda w: {"workspace": w.ws, "name": "M2", "collection": w.collection}, ok=(201,)),
    Row("api:monitor-detail", "get", "read", R("monitors/{monitor}")),
    Row("api:monitor-detail", "patch", "edit", R("monitors/{monitor}"), lambda w: {"every_minutes": 2}),
    Row("api:monitor-detail", "delete", "edit", R("monitors/{monitor}"), ok=(204,)),
    Row("api:monitor-pause", "post", "edit", R("monitors/{monitor}/pause"), lambda w: {}),
    Row("api:monitor-resume", "post", "edit", R("monitors/{monitor}/resume"), lambda w: {}),
    Row("api:monitor-run", "post", "edit", R("monitors/{monitor}/run"), lambda w: {}, ok=(202,)),
    Row("api:monitor-runs", "get", "read", R("monitors/{monitor}/runs")),
    Row("api:monitor-deliveries", "get", "read", R("monitors/{monitor}/deliveries")),
    Row("api:monitor-summaries", "get", "read", R("monitors/{monitor}/summaries")),
    # saved examples, mock servers, OAuth 2.0 tokens
    Row("request_examples", "get", "read", P("request_examples", "ws", "request")),
    Row("example_edit", "post", "edit", P("example_edit", "ws", "example"),
        lambda w: {"ex_name": "E2", "ex_status": "201", "ex_delay_ms": "0", "ex_headers": "A: 1", "ex_body": "x"}),
    Row("example_delete", "post", "edit", P("example_delete", "ws", "example")),
    # the matrix's entry was not sent from a saved request: members get the named refusal
    Row("example_from_history", "post", "self", P("example_from_history", "ws", "entry"), lambda w: {"name": "E"},
        ok=(400,)),
    Row("collection_mock", "get", "read", P("collection_mock", "ws", "collection")),
    Row("collection_mock", "post", "edit", P("collection_mock", "ws", "collection"),
        lambda w: {"enabled": "on", "slug": "", "action": "save"}),
    Row("oauth_token_box", "post", "read", P("oauth_token_box", "ws"), lambda w: {"auth_type": "none"}),
    Row("oauth_callback", "get", "signed_in", P("oauth_callback"), ok=(400,)),  # no such state
    # sign-in lockouts are the site staff's (tests/security/test_lockout_unlock.py): no team role is staff
    Row("lockouts", "get", "signed_in", P("lockouts"), ok=(404,)),
    Row("lockout_unlock", "post", "signed_in", P("lockout_unlock"), lambda w: {"kind": "username", "value": "bob"}, ok=(404,)),
    Row("api:lockouts", "get", "signed_in", R("lockouts"), ok=(404,)),
    Row("api:lockout-unlock", "post", "signed_in", R("lockouts/unlock"), lambda w: {"kind": "username", "value": "bob"}, ok=(404,)),
    Row("mock_root", "get", "public", lambda w: "/mock/no-such-mock/", ok=(404,)),
    Row("mock_call", "get", "public", lambda w: "/mock/no-such-mock/users/1", ok=(404,)),
    Row("api:request-examples", "get", "read", R("requests/{request}/examples")),
    Row("api:request-examples", "post", "edit", R("requests/{request}/examples"), lambda w: {"name": "E"}, ok=(201,)),
    Row("api:example-detail", "get", "read", R("examples/{example}")),
    Row("api:example-detail", "patch", "edit", R("examples/{example}"), lambda w: {"body": "y"}),
    Row("api:example-detail", "delete", "edit", R("examples/{example}"), ok=(204,)),
    Row("api:collection-mock", "get", "read", R("collections/{collection}/mock")),
    Row("api:collection-mock", "patch", "edit", R("collections/{collection}/mock"), lambda w: {"enabled": True}),
    Row("api:collection-mock-token", "post", "edit", R("collections/{collection}/mock/token"), ok=(201,)),
    Row("api:collection-mock-token", "delete", "edit", R("collections/{collection}/mock/token"), ok=(204,)),
]  # fmt: skip


# ---------------------------------------------------------------- the world each call runs in


def _history_entry(user: Any, team: Team) -> HistoryEntry:
    body = b'{"ok": true}'
    exchange = Exchange(
        request=SentRequest(method="GET", url="http://127.0.0.1:9/x", wire=b"GET /x HTTP/1.1\r\n\r\n"),
        response=Response(http_version="HTTP/1.1", status=200, reason="OK", headers=[("Content-Type", "application/json")],
                          body=body, wire_body_size=len(body), header_size=40, content_type="application/json",
                          kind="json", wire_head=b"HTTP/1.1 200 OK\r\n\r\n"),
    )  # fmt: skip
    return history_record(user=user, workspace=team.workspace, asked={"method": "GET", "url": "http://127.0.0.1:9/x"},
                          exchange=exchange, secrets={})  # fmt: skip


@pytest.fixture
def world(request: pytest.FixtureRequest, team: Team, make_account: Any) -> World:
    role = request.param
    alice = team.users["owner"]
    dave = make_account("dave")
    Membership.objects.create(workspace=team.workspace, user=dave, role="viewer")
    invitation, token = invitation_create(user=alice, workspace=team.workspace, role="viewer")
    actor = team.users.get(role)
    # history is personal: members act on their own entry, the others aim at alice's
    entry = _history_entry(actor if role in RANK else alice, team)
    run = Run.objects.create(workspace=team.workspace, created_by=alice, collection=team.collection, title="Users API",
                             state=Run.State.PASSED)  # fmt: skip
    own_token, _ = api_token_create(user=actor or alice, name="matrix")
    if role in RANK:  # a cookie in the member's own jar, to delete
        CookieJarState.objects.create(user=actor, workspace=team.workspace, data=[COOKIE])
    ids = {
        "ws": team.workspace.pk, "collection": team.collection.pk, "folder": team.folder.pk,
        "request": team.request.pk, "request_version": team.request.version, "environment": team.environment.pk,
        "entry": entry.pk, "run": run.pk, "dave": dave.pk, "invitation": invitation.pk, "token": token,
        "own_token": own_token.pk, "one": 1,
        "example": example_create(user=alice, saved_request=team.request, name="Found", body="{}").pk,
        "monitor": monitor_create(user=alice, workspace=team.workspace, name="Up", collection=team.collection).pk,
        "delete_job": DeleteJob.objects.create(workspace=team.workspace, kind="collection", name="Gone",
                                               collection_id_deleted=0, state="done").pk,
    }  # fmt: skip
    return World(team, role, ids)


def expected(row: Row, role: str) -> tuple[int, ...]:
    if role in row.expect:
        return (row.expect[role],)
    if row.need == "public":
        return row.ok
    if role == "anonymous":
        return (401,) if row.is_api else (302,)
    if row.need == "signed_in":
        return row.ok
    if role == "other":
        return (404,)
    if row.need == "self":
        return row.ok
    return row.ok if RANK[role] >= NEED_RANK[row.need] else (403,)


def call(row: Row, world: World) -> Any:
    user = world.team.users.get(world.role)
    path = row.path(world)
    data = row.data(world) if row.data else None
    if row.is_api:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return getattr(client, row.method)(path, data, format="json") if data is not None else getattr(
            client, row.method)(path)
    client = Client()
    if user is not None:
        client.force_login(user)
    # as the page sends them: htmx requests (partials, or 204 with HX-Trigger)
    return getattr(client, row.method)(path, data or {}, HTTP_HX_REQUEST="true")


@pytest.mark.parametrize("world", ROLES, indirect=True, ids=ROLES)
@pytest.mark.parametrize("row", TABLE, ids=[row.label for row in TABLE])
def test_permission_matrix(row: Row, world: World) -> None:
    response = call(row, world)
    allowed = expected(row, world.role)
    assert response.status_code in allowed, (
        f"{row.label} as {world.role}: {response.status_code}, expected {allowed}: {response.content[:300]!r}"
    )
    if world.role == "anonymous" and not row.is_api and row.need != "public":
        assert response["Location"].startswith(reverse("login"))


# ---------------------------------------------------------------- the table covers every URL


def _patterns(patterns: list[Any], namespace: str = "") -> list[tuple[str, Any]]:
    found = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            found.extend(_patterns(pattern.url_patterns, inner))
        elif isinstance(pattern, URLPattern):
            found.append((namespace + (pattern.name or f"<unnamed {pattern.pattern}>"), pattern.callback))
    return found


def _methods(callback: Any) -> set[str] | None:
    """The HTTP methods an API view answers (None for page views: the table's rows are the check)."""
    if getattr(callback, "actions", None):  # DRF adds "head" to this dict once a GET was served
        return set(callback.actions) - {"head", "options"}
    view_class = getattr(callback, "cls", None)
    if view_class is not None and hasattr(view_class, "http_method_names"):
        return {m for m in view_class.http_method_names if m not in ("options", "head") and hasattr(view_class, m)}
    return None


def test_every_url_pattern_has_a_row() -> None:
    rows_by_name: dict[str, set[str]] = {}
    for row in TABLE:
        rows_by_name.setdefault(row.name, set()).add(row.method)
    patterns = _patterns(get_resolver().url_patterns)
    missing = sorted(name for name, _ in patterns if name not in rows_by_name)
    assert not missing, f"URL patterns without a row in the permission table: {missing}"
    uncovered = {
        name: sorted(methods - rows_by_name[name])
        for name, callback in patterns
        if name.startswith("api:") and name not in ("api:schema", "api:docs")
        and (methods := _methods(callback)) is not None and methods - rows_by_name[name]
    }
    assert not uncovered, f"API methods without a row in the permission table: {uncovered}"
    stale = sorted(set(rows_by_name) - {name for name, _ in patterns})
    assert not stale, f"rows for URL names that no longer exist: {stale}"


def test_the_completeness_check_notices_a_missing_row(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(f"{__name__}.TABLE", [row for row in TABLE if row.name != "members"])
    with pytest.raises(AssertionError, match="members"):
        test_every_url_pattern_has_a_row()

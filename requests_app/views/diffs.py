"""The page that compares two responses from the user's history (issue 18's response diff).

Each view: check access, parse input, call one service (requests_app.services.diffs), render.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from requests_app import access
from requests_app.services.diffs import history_diff
from requests_app.services.errors import ServiceError
from requests_app.views.common import in_workspace, workspace_for
from requests_app.web import HtmxHttpRequest

CHOICES_SHOWN = 50


@require_GET
def history_compare(request: HtmxHttpRequest, workspace_id: int) -> HttpResponse:
    """Two of the user's history entries side by side: status, headers, body (JSON-aware)."""
    workspace = workspace_for(request, workspace_id)
    entries = list(access.history_for_user(request.user, workspace=workspace)
                   .order_by("-created_at", "-id")[:CHOICES_SHOWN])
    a_id = access.parse_id(request.GET.get("a")) or (entries[1].pk if len(entries) > 1 else None)
    b_id = access.parse_id(request.GET.get("b")) or (entries[0].pk if entries else None)
    context = {"workspace": workspace, "role": workspace.user_role,  # type: ignore[attr-defined]
               "section": "history", "entries": entries, "a_id": a_id, "b_id": b_id}
    status = 200
    if a_id and b_id:
        try:
            in_workspace(access.get_history_for_user(request.user, a_id), workspace)
            in_workspace(access.get_history_for_user(request.user, b_id), workspace)
            context["result"] = history_diff(user=request.user, entry_a=a_id, entry_b=b_id)
        except ServiceError as error:
            context["error"], status = error, error.http_status
    template = "requests_app/diff/compare.html"
    if request.htmx and request.htmx.target == "diff-result":
        template += "#diff-result"
    return render(request, template, context, status=status)

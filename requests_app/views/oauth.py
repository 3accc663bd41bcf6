"""OAuth 2.0 on the page: the token box of the Auth tab (status, Get new token, Clear) and the
callback the provider redirects the browser to after sign-in (authorization code)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from requests_app.engine.spec import Auth
from requests_app.forms import EditorInputError, auth_from_post
from requests_app.services import oauth
from requests_app.services.errors import ServiceError
from requests_app.views.common import chosen_environment, with_events, workspace_for

TOKEN_STORED = "Token stored."
TOKEN_CLEARED = "Token cleared."


def callback_url(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("oauth_callback"))


def _auth_and_variables(request: HttpRequest, workspace: Any) -> Auth:
    from requests_app import access
    from requests_app.services.environments import environment_values
    from requests_app.services.inheritance import folder_chain, inherited_auth, inherited_values

    auth = auth_from_post(request.POST)
    collection = None
    chain: list[Any] = []
    collection_id = request.POST.get("collection") or ""
    saved_id = request.POST.get("saved_request") or ""
    if saved_id:
        saved = access.get_request_for_user(request.user, saved_id)
        collection, chain = saved.collection, folder_chain(saved.folder)
    elif collection_id:
        collection = access.get_collection_for_user(request.user, collection_id)
    source = inherited_auth(None, chain, collection).auth if auth.type == "inherit" else None
    if source is not None and source.get("type") == "oauth2":
        from requests_app.engine.spec import auth_from_dict

        auth = auth_from_dict(source)
    environment = chosen_environment(request, workspace)
    return oauth.resolved_auth(auth, [inherited_values(collection, chain), environment_values(environment)])


@require_POST
def oauth_token_box(request: HttpRequest, workspace_id: int) -> HttpResponse:
    """action=status (default) | get | clear, on the auth settings as typed in the editor."""
    workspace = workspace_for(request, workspace_id)
    context: dict[str, Any] = {"workspace": workspace, "callback_url": callback_url(request)}
    status = 200
    try:
        auth = _auth_and_variables(request, workspace)
        action = request.POST.get("oauth_action", "status")
        if action == "get" and auth.grant_type == "authorization_code":
            context["authorize_url"] = oauth.oauth_authorize_start(
                user=request.user, workspace=workspace, auth=auth, redirect_uri=callback_url(request)
            )
        elif action == "get":
            oauth.oauth_token_get(user=request.user, workspace=workspace, auth=auth)
            context["notice"] = TOKEN_STORED
        elif action == "clear":
            oauth.oauth_token_clear(user=request.user, workspace=workspace, auth=auth)
            context["notice"] = TOKEN_CLEARED
        context["status"] = oauth.oauth_token_status(user=request.user, workspace=workspace, auth=auth)
    except EditorInputError as error:
        context["error"], status = error.message, 400
    except ServiceError as error:
        context["error"], status = error.message, 400
    response = render(request, "requests_app/editor/oauth_token.html", context, status=status)
    # A token request was sent (or refused by the provider): it is in History now.
    return with_events(response, "history-changed") if request.POST.get("oauth_action") == "get" else response


@require_GET
def oauth_callback(request: HttpRequest) -> HttpResponse:
    """Where the provider sends the browser back: state checked, code exchanged, token stored."""
    context: dict[str, Any] = {}
    status = 200
    try:
        oauth.oauth_authorize_finish(
            user=request.user, state=request.GET.get("state", ""), code=request.GET.get("code", ""),
            error=request.GET.get("error", ""), error_description=request.GET.get("error_description", ""),
        )  # fmt: skip
        context["notice"] = TOKEN_STORED
    except ServiceError as error:
        context["error"], status = error.message, 400
    return render(request, "requests_app/oauth_done.html", context, status=status)

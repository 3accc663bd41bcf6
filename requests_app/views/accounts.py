"""Accounts: sign in and out, the first account and later sign-ups, password change, API tokens."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model, login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_http_methods, require_POST

from requests_app.forms import SignupForm, TokenCreateForm
from requests_app.services.accounts import api_token_create, api_token_revoke
from requests_app.services.errors import ServiceError
from requests_app.services.tour import account_create_with_tour
from requests_app.web import HtmxHttpRequest

SIGNUPS_CLOSED = "Sign-ups are closed on this server. Ask the person who runs it for an account."


def is_fresh_install() -> bool:
    return not get_user_model().objects.exists()


def signups_open() -> bool:
    return settings.WEBCLIENT_SIGNUPS == "open"


class LoginView(auth_views.LoginView):
    template_name = "requests_app/accounts/login.html"
    redirect_authenticated_user = True

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if is_fresh_install():
            return redirect("signup")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "signups_open": signups_open()}


@method_decorator(login_not_required, name="dispatch")
class LogoutView(auth_views.LogoutView):
    pass


def playground_base_url(request: HttpRequest) -> str:
    """Where the HTTP tour's {{baseUrl}} points: this server's /echo, as the browser reached it."""
    return request.build_absolute_uri(reverse("echo:playground", kwargs={"rest": ""})).rstrip("/")


@login_not_required
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    """The first account on a fresh install; later accounts only when WEBCLIENT_SIGNUPS is open."""
    if request.user.is_authenticated:
        return redirect("home")
    first_account = is_fresh_install()
    if not first_account and not signups_open():
        return render(request, "requests_app/accounts/closed.html", {"message": SIGNUPS_CLOSED}, status=403)
    form = SignupForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            user = account_create_with_tour(
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                base_url=playground_base_url(request),
            )
        except ServiceError as error:
            for field, messages in (error.fields or {"__all__": [error.message]}).items():
                for message in messages if isinstance(messages, list) else [messages]:
                    form.add_error(field if field in form.fields else None, message)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("home")
    return render(request, "requests_app/accounts/signup.html", {"form": form, "first_account": first_account})


@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.user, request.POST if request.method == "POST" else None)
    done = False
    if request.method == "POST" and form.is_valid():
        user = form.save()
        update_session_auth_hash(request, user)
        form, done = PasswordChangeForm(user), True
    return render(request, "requests_app/accounts/password_change.html", {"form": form, "done": done})


def _tokens_page(request: HtmxHttpRequest, form: TokenCreateForm, **extra: Any) -> HttpResponse:
    context = {"form": form, "tokens": request.user.api_tokens.all(), **extra}  # type: ignore[union-attr]
    template = "requests_app/accounts/tokens.html"
    return render(request, f"{template}#token-panel" if request.htmx else template, context)


@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    """List personal API tokens; POST creates one and shows its text once."""
    if request.method == "GET":
        return _tokens_page(request, TokenCreateForm())
    form = TokenCreateForm(request.POST)
    if not form.is_valid():
        return _tokens_page(request, form)
    try:
        token, text = api_token_create(user=request.user, name=form.cleaned_data["name"])
    except ServiceError as error:
        form.add_error("name", error.message)
        return _tokens_page(request, form)
    return _tokens_page(request, TokenCreateForm(), new_token=text, new_token_name=token.name)


@require_POST
def token_revoke(request: HtmxHttpRequest, token_id: int) -> HttpResponse:
    api_token_revoke(user=request.user, token_id=token_id)
    if not request.htmx:
        return redirect("tokens")
    return _tokens_page(request, TokenCreateForm())

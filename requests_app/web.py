"""The thin web layer that pages (views/) and the API (api/) share, so neither imports the other.

Usage::

    from requests_app.web import download_response, invitation_link
    return download_response("shop.postman_collection.json", "application/json", text)
    link = invitation_link(request, token)   # absolute, as this server is reached by `request`
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils.http import content_disposition_header
from django_htmx.middleware import HtmxDetails

from requests_app.services.errors import NotFound

# Downloads (exports, reports, response bodies) may quote anything a server sent: whatever a
# browser does with one, nothing in it runs in our origin. Reports keep their inline styles.
DOWNLOAD_CSP = "sandbox; default-src 'none'; style-src 'unsafe-inline'"


def download_stream(filename: str, content_type: str, chunks: Iterator[bytes]) -> StreamingHttpResponse:
    """download_response for content that comes in pieces (a stored 50 MiB body), same headers."""
    return _as_download(StreamingHttpResponse(chunks, content_type=content_type), filename, inline=False)


class HtmxHttpRequest(HttpRequest):
    """A page request as views see it after django_htmx's HtmxMiddleware (settings.MIDDLEWARE):
    `request.htmx` is truthy when htmx sent it, with its details (target, trigger, boosted…)."""

    htmx: HtmxDetails


def download_response(filename: str, content_type: str, content: str | bytes, *, inline: bool = False) -> HttpResponse:
    """A file to save (or, with inline=True, to read as text), never run in our origin.

    The file name is quoted by Django's `content_disposition_header` (RFC 6266, `filename*`
    for names that are not plain ASCII), so a quote or CR/LF in a collection's name cannot
    break the header.
    """
    body = content.encode("utf-8") if isinstance(content, str) else content
    return _as_download(HttpResponse(body, content_type=content_type), filename, inline=inline)


R = TypeVar("R", HttpResponse, StreamingHttpResponse)


def _as_download(response: R, filename: str, *, inline: bool) -> R:
    """The headers every download carries: its file name, the sandbox CSP, nosniff."""
    disposition = content_disposition_header(not inline, filename)
    if disposition:  # None only without a file name to give
        response["Content-Disposition"] = disposition
    response["Content-Security-Policy"] = DOWNLOAD_CSP
    response["X-Content-Type-Options"] = "nosniff"
    return response


def invitation_link(request: HttpRequest, token: str) -> str:
    """The absolute link to send, as the server is reached by `request`."""
    return request.build_absolute_uri(reverse("invitation_accept", args=[token]))


class ServiceErrorMiddleware:
    """A service's NotFound that no page view caught answers Django's 404 page.

    (The API maps every service error itself, in api/errors.py; Forbidden is already Django's
    PermissionDenied.) Services raise their own errors and never import django.http.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        if isinstance(exception, NotFound):
            raise Http404(exception.message) from exception


class SignInRequiredMiddleware(LoginRequiredMiddleware):
    """Django's LoginRequiredMiddleware, asking the view before the session: a page needs a
    signed-in user unless its view is `login_not_required`, and public views (the echo
    playground, mock servers) never load a session or touch the database for it."""

    def process_view(self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any) -> Any:
        if not getattr(view_func, "login_required", True):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)

"""Requests the API refuses before any view reads them, in the API's error shape (issue 13 item 13).

A body over DATA_UPLOAD_MAX_MEMORY_SIZE makes Django raise RequestDataTooBig when a view reads it
(from the declared Content-Length, before reading), which Django answers with an HTML 400 page.
Under /api/ the answer is a JSON 413 instead, unless the view answers it itself (imports do).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse

API_PREFIX = "/api/"


def too_large_response() -> JsonResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    message = f"The request body is larger than this server accepts ({limit:,} bytes)."
    return JsonResponse({"error": {"code": "too_large", "message": message, "fields": {}}}, status=413)


class ApiBodyLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, RequestDataTooBig) and request.path.startswith(API_PREFIX):
            return too_large_response()
        return None

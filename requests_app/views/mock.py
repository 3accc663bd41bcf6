"""/mock/<collection id or slug>/<path>: answers calls with the collection's saved examples.

Any method. The example's status, headers and body go out as stored (the body as UTF-8);
Content-Length is ours; Set-Cookie is never served (it would set cookies of our origin). The answer is never rendered as a page of our origin: it carries
`Content-Security-Policy: sandbox` and `nosniff`, so an HTML example runs in an opaque origin.
"""

from __future__ import annotations

import json
import time

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from requests_app.services import mock
from requests_app.services.errors import NotFound

_SANDBOX = "sandbox"


def _json(status: int, data: dict[str, object], extra: dict[str, str] | None = None) -> HttpResponse:
    response = HttpResponse(json.dumps(data, indent=2) + "\n", status=status, content_type="application/json")
    for name, value in (extra or {}).items():
        response[name] = value
    response["Content-Security-Policy"] = _SANDBOX
    return response


@login_not_required
@csrf_exempt
def mock_call(request: HttpRequest, key: str, path: str = "") -> HttpResponse:
    try:
        server = mock.mock_find(key)
    except NotFound as error:
        return _json(404, {"error": "mock_not_found", "message": error.message})
    if not mock.mock_allows(server, user=request.user, token=request.headers.get(mock.TOKEN_HEADER, "")):
        return _json(
            403,
            {"error": "mock_forbidden",
             "message": f"This mock answers members of its workspace, or callers sending its token in {mock.TOKEN_HEADER}."},
        )  # fmt: skip
    if not mock.mock_rate_allows(server):
        return _json(429, {"error": "mock_rate_limited", "message": "Too many calls to this mock; try again in a minute."},
                     {"Retry-After": "60"})  # fmt: skip
    query = [(k, v) for k, values in request.GET.lists() for v in values]
    headers = [(name, value) for name, value in request.headers.items()]
    result = mock.mock_answer(server, method=request.method or "GET", path="/" + path, query=query, headers=headers)
    example = result.example
    if example is None:
        asked = f"{request.method} /{path}"
        return _json(
            404,
            {"error": "no_example_matches",
             "message": f"No saved example of this collection matches {asked}. The nearest are listed; "
                        f"add an example or pick one with {mock.SELECT_NAME_HEADER}.",
             "candidates": result.candidates},
        )  # fmt: skip
    if example.delay_ms:
        time.sleep(example.delay_ms / 1000.0)
    response = HttpResponse(example.body.encode("utf-8"), status=example.status)
    del response["Content-Type"]  # only the example's own, if it has one
    for row in example.headers:
        if row.get("enabled", True) and row.get("key") and row["key"].lower() not in mock.UNSERVED_HEADERS:
            response.headers[row["key"]] = row["value"]
    response["Content-Security-Policy"] = _SANDBOX
    response["X-Content-Type-Options"] = "nosniff"
    response["X-Mock-Example"] = str(example.pk)
    return response

"""Answers of the API that may carry large bodies: copied out of the stored file a piece at a time.

Usage::

    return exchange_answer(request, entry)      # execute, saved execute, history detail

The answer is ExchangeOutput's JSON either way. When the response body or the request body of
`entry` lives in the entry's file (past WEBCLIENT_HISTORY_INLINE_BYTES), its JSON is copied from
the file into a streamed answer instead of being parsed, held as text and serialised again: a
body of the limit (50 MiB) used to exist four times over here (issue 13 item 16).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

from django.http import HttpResponseBase, StreamingHttpResponse
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from requests_app.api import serializers as s
from requests_app.models import HistoryEntry
from requests_app.services.history import history_stored_parts


def exchange_answer(request: Request, entry: HistoryEntry) -> HttpResponseBase:
    renderer = getattr(request, "accepted_renderer", None)
    if renderer is None or renderer.format != "json":
        return Response(s.ExchangeOutput(entry).data)  # the browsable API renders it whole
    files = ExitStack()
    parts = files.enter_context(history_stored_parts(entry))
    if parts is None:
        files.close()
        return Response(s.ExchangeOutput(entry).data)
    data = s.ExchangeOutput(entry, context={"stored_body": False}).data
    # Each stored part is a placeholder in the rendered JSON, then the file's bytes in its place.
    copies: list[tuple[bytes, tuple[int, int]]] = []
    if parts.spec_body is not None and data["spec"].pop("body_stored", False):
        placeholder = _placeholder()
        data["spec"]["body"] = placeholder
        copies.append((b'"' + placeholder.encode("ascii") + b'"', parts.spec_body))  # an object, not a string
    response: dict[str, Any] | None = data.get("response")
    if parts.response is not None and response is not None and response.pop("body_stored", False):
        key, start, end = parts.response
        placeholder = _placeholder()
        response[key] = placeholder
        copies.append((placeholder.encode("ascii"), (start, end)))  # the string's content
    rendered = JSONRenderer().render(data)
    copies.sort(key=lambda copy: rendered.index(copy[0]))

    def answer() -> Iterator[bytes]:
        with files:
            rest = rendered
            for marker, (start, end) in copies:
                before, rest = rest.split(marker, 1)
                yield before
                yield from parts.pieces(start, end)
            yield rest

    return StreamingHttpResponse(answer(), content_type="application/json")


def _placeholder() -> str:
    return f"webclient-stored-{uuid.uuid4().hex}"

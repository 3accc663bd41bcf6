"""Answers of the API that may carry a large body: copied out a piece at a time.

Usage::

    return exchange_answer(request, entry)      # execute, saved execute, history detail

The answer is ExchangeOutput's JSON either way. When the response body of `entry` lives in the
entry's file (past WEBCLIENT_HISTORY_INLINE_BYTES), its JSON string is copied from the file into
a streamed answer instead of being parsed, held as text and serialised again: a body of the
response limit (50 MiB) used to exist four times over here (issue 13 item 16).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import ExitStack

from django.http import HttpResponseBase, StreamingHttpResponse
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from requests_app.api import serializers as s
from requests_app.models import HistoryEntry
from requests_app.services.history import history_stored_body


def exchange_answer(request: Request, entry: HistoryEntry) -> HttpResponseBase:
    renderer = getattr(request, "accepted_renderer", None)
    if renderer is None or renderer.format != "json":
        return Response(s.ExchangeOutput(entry).data)  # the browsable API renders it whole
    files = ExitStack()
    found = files.enter_context(history_stored_body(entry))
    if found is None:
        files.close()
        return Response(s.ExchangeOutput(entry).data)
    key, pieces = found
    data = s.ExchangeOutput(entry, context={"stored_body": False}).data
    placeholder = f"webclient-body-{uuid.uuid4().hex}"
    data["response"].pop("body_stored", None)
    data["response"][key] = placeholder
    before, after = JSONRenderer().render(data).split(placeholder.encode("ascii"), 1)

    def answer() -> Iterator[bytes]:
        with files:
            yield before
            yield from pieces
            yield after

    return StreamingHttpResponse(answer(), content_type="application/json")

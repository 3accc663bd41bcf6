"""The API's JSON parser: nesting depth checked before json.loads can recurse (issue 13 item 11).

`json.loads` and everything after it (validation, the database's JSON encoder) recurse once per
level; a body nested a thousand levels deep would end in RecursionError, a 500. Deeper than
MAX_API_JSON_DEPTH is refused as a ParseError, which the API answers as 400 in its error shape.

Not a JSONParser subclass on purpose: for those DRF reads `request.body` and keeps it for the
whole request, so a 50 MiB body stayed in memory next to its parsed copy (issue 13 item 16).
This parser reads the request stream itself, and the bytes go once they are decoded.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser
from rest_framework.renderers import JSONRenderer

from requests_app.interop.limits import MAX_NESTING_DEPTH, json_depth

# An import's own limit (MAX_NESTING_DEPTH) plus room for the envelope around it.
MAX_API_JSON_DEPTH = MAX_NESTING_DEPTH + 8


class DepthLimitedJSONParser(BaseParser):
    media_type = "application/json"
    renderer_class = JSONRenderer

    def parse(self, stream: Any, media_type: str | None = None, parser_context: dict[str, Any] | None = None) -> Any:
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        if stream is None:
            return {}
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        request = (parser_context or {}).get("request")
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0) if request is not None else 0
        except ValueError:
            declared = 0
        if limit is not None and declared > limit:
            raise RequestDataTooBig("Request body exceeded settings.DATA_UPLOAD_MAX_MEMORY_SIZE.")
        raw = stream.read() if limit is None else stream.read(limit + 1)
        if limit is not None and len(raw) > limit:
            # What HttpRequest.body raises (from Content-Length, before reading): answered 413 by middleware.py.
            raise RequestDataTooBig("Request body exceeded settings.DATA_UPLOAD_MAX_MEMORY_SIZE.")
        try:
            text = raw.decode(encoding)
            del raw  # the decoded text is all that is needed from here
        except (UnicodeDecodeError, LookupError) as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        if json_depth(text) > MAX_API_JSON_DEPTH:
            raise ParseError(f"JSON parse error - nested deeper than {MAX_API_JSON_DEPTH} levels.")
        try:
            return json.loads(text, parse_constant=_refuse_constant)
        except (ValueError, RecursionError) as exc:
            raise ParseError(f"JSON parse error - {exc}") from None


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not valid JSON")

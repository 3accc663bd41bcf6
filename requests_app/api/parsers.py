"""The API's JSON parser: nesting depth checked before json.loads can recurse (issue 13 item 11).

`json.loads` and everything after it (validation, the database's JSON encoder) recurse once per
level; a body nested a thousand levels deep would end in RecursionError, a 500. Deeper than
MAX_API_JSON_DEPTH is refused as a ParseError, which the API answers as 400 in its error shape.
"""

from __future__ import annotations

import codecs
import json
from typing import Any

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from requests_app.interop.limits import MAX_NESTING_DEPTH, json_depth

# An import's own limit (MAX_NESTING_DEPTH) plus room for the envelope around it.
MAX_API_JSON_DEPTH = MAX_NESTING_DEPTH + 8


class DepthLimitedJSONParser(JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: dict[str, Any] | None = None) -> Any:
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = codecs.getreader(encoding)(stream).read()
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

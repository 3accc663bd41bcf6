"""A curl command pasted into the URL field becomes the request (as Postman does it).

Usage::

    from requests_app.services.curl_paste import request_from_curl
    pasted = request_from_curl(text="curl -X POST https://api.example.com -d 'a=1'")
    pasted.spec        # engine RequestSpec of the first curl command
    pasted.notes       # what the importer could not carry over ("--compressed: ignored", …)

Reads through the cURL importer (`interop.curl`), the same one the Import dialog uses; a text
it cannot read is a ValidationFailed naming where and what, never a 500.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from requests_app.engine.spec import RequestSpec
from requests_app.interop.curl import parse_curl
from requests_app.interop.model import ImportFormatError
from requests_app.services.errors import ValidationFailed

CURL_UNREADABLE = "This curl command could not be read ({detail})."


@dataclass
class PastedRequest:
    spec: RequestSpec
    notes: list[str] = field(default_factory=list)


def request_from_curl(*, text: str) -> PastedRequest:
    """The first curl command in `text` as a request spec, with the importer's notes."""
    try:
        result = parse_curl(text)
    except ImportFormatError as error:
        where = f"{error.position}: " if error.position else ""
        message = CURL_UNREADABLE.format(detail=where + error.message)
        raise ValidationFailed(message, fields={"curl": message}) from None
    request = result.collections[0].requests()[0]
    return PastedRequest(spec=request.spec, notes=[str(item) for item in result.report])

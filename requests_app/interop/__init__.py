"""Formats: text ↔ engine types (RequestSpec) and the neutral import tree. No Django.

Usage::

    from requests_app.interop import import_content, ImportFormatError
    result = import_content(text, format="auto")     # curl | postman | postman_environment | http | har | openapi
    result.collections, result.environments, result.report, result.counts()

    from requests_app.interop.postman import export_postman      # collection → Postman v2.1 dict
    from requests_app.interop.httpfile import to_http, to_http_files
    from requests_app.interop.curl import to_curl
    from requests_app.interop.har import HarSource, export_har
    from requests_app.interop.snippets import generate_snippet, SNIPPET_LANGUAGES

Importers never write anything: services map the tree onto models in one transaction.
Every malformed input raises ImportFormatError (a ValueError) naming format and position.
"""

from typing import Any

from requests_app.interop.model import (
    FORMATS,
    EnvironmentVariable,
    ImportedCollection,
    ImportedEnvironment,
    ImportedFolder,
    ImportedRequest,
    ImportFormatError,
    ImportResult,
    ReportItem,
)

__all__ = [
    "FORMATS",
    "EnvironmentVariable",
    "ImportFormatError",
    "ImportResult",
    "ImportedCollection",
    "ImportedEnvironment",
    "ImportedFolder",
    "ImportedRequest",
    "ReportItem",
    "detect_format",
    "import_content",
]


def __getattr__(name: str) -> Any:
    # detect.py imports every format (YAML, OpenAPI, HAR, cURL...): only callers that detect pay
    # for them, not a run of one Postman file that imports interop.postman.
    if name in ("detect_format", "import_content"):
        from requests_app.interop import detect

        return getattr(detect, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

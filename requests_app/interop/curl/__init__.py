"""cURL commands ↔ RequestSpec.

Usage::

    from requests_app.interop.curl import parse_curl, to_curl

    result = parse_curl("curl -sS -X POST https://api.example.com/items -H 'Accept: application/json' -d 'a=1'")
    request = result.collections[0].items[0]          # ImportedRequest; the collection is "Imported"
    [str(r) for r in result.report]                   # ["line 1: -sS: ignored (affects only curl's own output)"]
    to_curl(request.spec)                              # a command the real curl sends identically

The command is read as a POSIX shell would (quotes, $'…', backslash-newline), or as
cmd.exe would when it is written in the Windows `^` form. Several commands in one paste
(`;`, `&&`, new lines) become several requests. Every option is either mapped, or
listed in the report as ignored or dropped; unknown options are reported, never fatal.
Files named with `@file` cannot be read here: the field or body is created empty and
the report says which file to attach.

The modules: parse.py (commands in), export.py (to_curl), options.py (curl's option table).
"""

from requests_app.interop.curl.export import to_curl
from requests_app.interop.curl.options import FORMAT, IMPORTED_COLLECTION_NAME, MAX_NAME_LENGTH
from requests_app.interop.curl.parse import parse_curl, parse_curl_command

__all__ = ["FORMAT", "IMPORTED_COLLECTION_NAME", "MAX_NAME_LENGTH", "parse_curl", "parse_curl_command", "to_curl"]

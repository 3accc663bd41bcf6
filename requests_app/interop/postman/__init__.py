"""Postman Collection v2.1 / v2.0 and Postman environments ↔ the interop tree.

Usage::

    from requests_app.interop.postman import (
        parse_postman, parse_postman_environment, export_postman, dumps_postman, export_postman_environment,
    )
    result = parse_postman(text)              # ImportResult: one collection, its report
    result.report                             # "item[3].item[0].event[1]: request test script disabled in the source; not imported"
    data = export_postman(collection)         # a dict valid against the v2.1 JSON schema
    text = dumps_postman(collection)          # the same, as indented JSON

Read: nested folders; requests as a string or an object; `url` as a string or an object
(raw, host, path, query with disabled entries, `:path` variables); headers as a list or
a string; body modes raw (with options.raw.language), urlencoded, formdata (text and
file), file, graphql; disabled entries; auth basic, bearer, apikey, digest, awsv4, oauth2 (others are
reported) on the collection, folders (item-groups) and requests; collection and folder
variables; descriptions (string or {content}); pre-request and
test scripts (run by webclient as newman runs them; disabled ones are left out and reported); protocolProfileBehavior's redirect,
TLS and cookie switches. Files are not part of a collection: file fields and bodies are
created empty and reported as files to attach. Item `response` arrays (saved examples:
name, code, header, body, originalRequest) are read and written back.

Write: the same shapes in v2.1. Options Postman has no place for (timeout, response
size cap) travel in protocolProfileBehavior under `webclient…` names, which Postman
ignores and this package reads back.

The modules: read.py (collections in), write.py (collections out), auth.py (auth blocks both
ways), environment.py (environments both ways), common.py (names and reading helpers).
"""

from requests_app.interop.postman.common import ENVIRONMENT_FORMAT, FORMAT, MAX_NAME_LENGTH, SCHEMA_V20, SCHEMA_V21
from requests_app.interop.postman.environment import (
    export_postman_environment,
    parse_postman_environment,
    parse_postman_environment_data,
)
from requests_app.interop.postman.read import parse_postman, parse_postman_data
from requests_app.interop.postman.write import dumps_postman, export_postman

__all__ = [
    "ENVIRONMENT_FORMAT", "FORMAT", "MAX_NAME_LENGTH", "SCHEMA_V20", "SCHEMA_V21", "dumps_postman", "export_postman",
    "export_postman_environment", "parse_postman", "parse_postman_data", "parse_postman_environment",
    "parse_postman_environment_data",
]

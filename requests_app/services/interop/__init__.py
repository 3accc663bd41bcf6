"""Import and export: the interop formats mapped onto collections, folders, requests, environments.

Usage::

    from requests_app.services.interop import (
        collection_import, collection_export, request_snippet, spec_snippet, history_har)

    outcome = collection_import(user=user, workspace=ws, content=text)              # format detected
    outcome = collection_import(user=user, workspace=ws, content=curl, format="curl",
                                collection=target)                                    # into a collection
    outcome.report     # {"format", "counts": {...}, "items": [{"path", "message", "level"}],
                       #  "into": [{"id", "name"}]: the collections that received requests}
    outcome.created    # {"collections": [ids], "folders": [...], "requests": [...], "environments": [...]}

    filename, content_type, text = collection_export(user=user, collection_id=c.pk, format="postman")
    request_snippet(user=user, request_id=r.pk, lang="python-urllib", resolve_variables=True, environment=env)
    spec_snippet(user=user, workspace=ws, spec=unsaved_spec, lang="curl", collection=c)  # the editor's state
    filename, content_type, text = history_har(user=user, history_ids=[entry.pk])
    filename, content_type, text = run_har(user=user, run_id=run.pk)   # a finished collection run
    filename, content_type, data = collection_export(user=user, collection_id=c.pk, format="http-folders")  # zip bytes

Imports are one transaction: a malformed file (ImportFormatError, named with its position)
or a part our models refuse (named with its path in the source) writes nothing. Folders are
created with one INSERT per depth level and requests in batches, so a large collection costs
a bounded number of queries. Without `collection`, each imported collection becomes a new one,
except cURL commands, which land in the workspace's "Imported" collection (created if missing).
Imported Postman scripts (request, folder and collection `scripts`) run in runs and on Send (services.scripts).
Snippets mask secrets unless `reveal_secrets` (editors of the environment only).
A run's HAR holds what a run stores per request (method, URL as sent with secrets masked,
status, time, size, error, assertions): runs keep no headers, bodies or per-request start
times, and the file says so rather than invent them.

The modules: imports.py, exports.py, snippets.py, har.py.
"""

from requests_app.services.interop.exports import (
    EXPORT_FORMAT_UNKNOWN,
    EXPORT_FORMATS,
    EXPORT_TOO_LARGE,
    MAX_HTTP_FOLDERS_BYTES,
    SECRETS_NOT_ALLOWED,
    collection_export,
    ensure_may_export_secrets,
)
from requests_app.services.interop.har import (
    HAR_NOTHING_CHOSEN,
    HAR_TOO_MANY,
    MAX_HAR_ENTRIES,
    RUN_HAR_COMMENT,
    history_har,
    run_har,
)
from requests_app.services.interop.imports import (
    IMPORT_BATCH,
    IMPORT_MALFORMED,
    IMPORT_REFUSED,
    NAMELESS_VARIABLE,
    ImportOutcome,
    collection_import,
)
from requests_app.services.interop.snippets import REVEAL_NOT_ALLOWED, request_snippet, spec_snippet

__all__ = [
    "EXPORT_FORMATS", "EXPORT_FORMAT_UNKNOWN", "EXPORT_TOO_LARGE", "HAR_NOTHING_CHOSEN", "HAR_TOO_MANY", "IMPORT_BATCH",
    "IMPORT_MALFORMED", "IMPORT_REFUSED", "MAX_HAR_ENTRIES", "MAX_HTTP_FOLDERS_BYTES", "NAMELESS_VARIABLE",
    "REVEAL_NOT_ALLOWED", "RUN_HAR_COMMENT", "SECRETS_NOT_ALLOWED", "ImportOutcome", "collection_export",
    "collection_import", "ensure_may_export_secrets", "history_har", "request_snippet", "run_har", "spec_snippet",
]

"""Quotas of big workspaces (issue 15), from settings (read from the environment, see README).

Usage::

    from requests_app.services.quotas import ensure_import_size, ensure_room
    ensure_import_size(20_001)                    # raises QuotaExceeded naming WEBCLIENT_MAX_IMPORT_REQUESTS
    ensure_room(workspace, adding=5)              # raises when the workspace would hold too many requests

Both are checked before anything is written, so a refused import or copy creates nothing.
"""

from __future__ import annotations

from django.conf import settings

from requests_app.models import SavedRequest, Workspace
from requests_app.services.errors import ValidationFailed

IMPORT_TOO_LARGE = ("This import holds {count:,} requests; one import may create at most {limit:,} "
                    "(quota WEBCLIENT_MAX_IMPORT_REQUESTS). Split the file, or ask the administrator.")
WORKSPACE_FULL = ("This workspace holds {count:,} requests; adding {adding:,} would pass its quota of {limit:,} "
                  "(WEBCLIENT_MAX_WORKSPACE_REQUESTS). Delete some, or use another workspace.")
RUN_TOO_LARGE = ("iterations × requests is {count:,}; a run keeps at most {limit:,} results "
                 "(quota WEBCLIENT_MAX_RUN_RESULTS).")


def ensure_import_size(count: int) -> None:
    limit = settings.WEBCLIENT_MAX_IMPORT_REQUESTS
    if count > limit:
        raise ValidationFailed.for_field("content", IMPORT_TOO_LARGE.format(count=count, limit=limit),
                                         code="quota_import_requests")


def ensure_room(workspace: Workspace | int, *, adding: int) -> None:
    """The workspace may take `adding` more saved requests (one COUNT on an indexed column)."""
    if adding <= 0:
        return
    limit = settings.WEBCLIENT_MAX_WORKSPACE_REQUESTS
    workspace_id = workspace if isinstance(workspace, int) else workspace.pk
    count = SavedRequest.objects.filter(collection__workspace_id=workspace_id).count()
    if count + adding > limit:
        raise ValidationFailed.for_field("workspace", WORKSPACE_FULL.format(count=count, adding=adding, limit=limit),
                                         code="quota_workspace_requests")


def ensure_run_size(count: int) -> None:
    limit = settings.WEBCLIENT_MAX_RUN_RESULTS
    if count > limit:
        raise ValidationFailed.for_field("iterations", RUN_TOO_LARGE.format(count=count, limit=limit),
                                         code="quota_run_results")

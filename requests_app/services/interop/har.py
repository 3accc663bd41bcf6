"""HAR files of history entries and of a finished run (what a run stores, and the file says what it lacks)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser

from requests_app import access
from requests_app.engine.spec import RequestSpec, SpecFormatError, spec_from_dict
from requests_app.interop.credentials import TEMPLATE, credential_values, mask_credentials, mask_header_pairs
from requests_app.interop.har import HarSource, dumps_har
from requests_app.models import HistoryEntry, RunResult
from requests_app.services.errors import NotFound, ValidationFailed
from requests_app.services.history import history_exchange, history_spec
from requests_app.services.interop.exports import ensure_may_export_secrets
from requests_app.services.masking import SecretMasker
from requests_app.services.runs import NOT_FINISHED, TERMINAL_STATES, get_run_for_user

MAX_HAR_ENTRIES = 500


HAR_NOTHING_CHOSEN = "Choose at least one history entry."
HAR_TOO_MANY = f"At most {MAX_HAR_ENTRIES} history entries can be exported at once."


RUN_HAR_COMMENT = ("A webclient collection run. Runs keep each request's method, URL (secrets masked), status, "
                   "time, size, error and assertions; not its headers, bodies or start time, so every entry "
                   "starts at the run's start and headers and bodies are empty.")


# ---------------------------------------------------------------- HAR


def _history_source(entry: HistoryEntry, *, include_secrets: bool) -> HarSource:
    try:
        spec = spec_from_dict(history_spec(entry))
    except SpecFormatError:
        spec = RequestSpec(method=entry.method, url=entry.url)
    exchange = history_exchange(entry)
    if not include_secrets:
        sent = exchange.get("request")
        if sent:
            exchange = {**exchange, "request": {**sent, "headers": mask_header_pairs(sent.get("headers") or [], TEMPLATE)}}
        # Wherever else they went (the raw message, an echoing response), in any encoding.
        exchange = SecretMasker(credential_values(spec)).deep(exchange)
        spec = mask_credentials(spec, TEMPLATE)
    return HarSource(spec=spec, exchange=exchange, started_at=entry.created_at)


def history_har(
    *, user: AbstractBaseUser, history_ids: list[Any], include_secrets: bool = False
) -> tuple[str, str, str]:
    """(filename, content type, HAR 1.2 text) of some of the caller's own history entries, oldest first.

    Entries are stored with secrets masked, so the HAR holds `{{name}}` where secrets were;
    typed credentials (auth, Authorization headers) become placeholders too unless
    `include_secrets` (editors and owners of the entries' workspaces).
    An id that is not one of the caller's entries answers NotFound for the whole export.
    """
    parsed = {access.parse_id(value) for value in history_ids}
    if not parsed:
        raise ValidationFailed.for_field("history", HAR_NOTHING_CHOSEN)
    ids = {pk for pk in parsed if pk is not None}
    if len(ids) != len(parsed):
        raise NotFound("History entry not found.")
    if len(ids) > MAX_HAR_ENTRIES:
        raise ValidationFailed.for_field("history", HAR_TOO_MANY)
    entries = list(access.history_for_user(user).filter(pk__in=ids).order_by("created_at", "id"))
    if len(entries) != len(ids):
        raise NotFound("History entry not found.")
    if include_secrets:
        for entry in entries:
            ensure_may_export_secrets(user=user, obj=entry)
    text = dumps_har([_history_source(entry, include_secrets=include_secrets) for entry in entries])
    filename = f"history-{entries[0].pk}.har" if len(entries) == 1 else f"history-{len(entries)}-entries.har"
    return filename, "application/json", text



def _run_result_source(result: RunResult, started_at: datetime) -> HarSource:
    """A run's result as a HAR entry: only what the run stored (see RUN_HAR_COMMENT)."""
    response = None
    if result.status is not None:
        response = {"status": result.status, "headers": [], "size": {"body": result.size or 0}}
    exchange: dict[str, Any] = {
        "request": None,
        "response": response,
        "redirects": [],
        "timings": {"total_ms": result.time_ms},
        "warnings": [],
        "error": result.error,
    }
    where = f"{result.path} / {result.name}" if result.path else result.name
    return HarSource(
        spec=RequestSpec(method=result.method, url=result.url),
        exchange=exchange,
        started_at=started_at,
        comment=f"iteration {result.iteration}: {where}",
        extra={
            "_iteration": result.iteration,
            "_request": where,
            "_passed": result.passed,
            "_assertions": result.assertions,
            "_captures": result.captures,
        },
    )


def run_har(*, user: AbstractBaseUser, run_id: Any) -> tuple[str, str, str]:
    """(filename, content type, HAR 1.2 text) of a finished run: one entry per executed request
    and iteration, in run order. Any member of the run's workspace; others NotFound."""
    run = get_run_for_user(user, run_id)
    if run.state not in TERMINAL_STATES:
        raise ValidationFailed.for_field("run", NOT_FINISHED, code="not_finished")
    started_at = run.started_at or run.created_at
    sources = [_run_result_source(result, started_at)
               for result in run.results.order_by("iteration", "position", "id").iterator()]
    return f"run-{run.pk}.har", "application/json", dumps_har(sources, comment=RUN_HAR_COMMENT)

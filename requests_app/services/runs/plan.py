"""Planning a run: resolve the target (collection, folder or requests) in tree order, check the
settings, compile the stored assertions and captures, and store the queued Run (run_create).

No access check here: callers check (lifecycle.run_start) or are the server's operator (the CLI).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser

from requests_app import access
from requests_app.models import Collection, Environment, Folder, Run, SavedRequest, Workspace
from requests_app.runner.assertions import AssertionFormatError
from requests_app.runner.captures import CaptureFormatError
from requests_app.runner.datafile import DATA_FORMATS, DataFileError, parse_data_file
from requests_app.runner.loop import MAX_CONCURRENCY, MAX_DELAY_MS, MAX_ITERATIONS, PlanItem, make_plan_item
from requests_app.services import tree
from requests_app.services.errors import NotFound, ServiceError, ValidationFailed
from requests_app.services.inheritance import chain_of, folder_values, spec_with_inherited_auth
from requests_app.services.quotas import ensure_run_size
from requests_app.services.scripts import stored_scripts
from requests_app.services.validation import REQUEST_PARTS

MAX_PLAN_REQUESTS = 2_000

NO_TARGET = "Choose what to run: a collection, a folder or a list of requests."
ONE_TARGET = "Choose one target: a collection, a folder or a list of requests."
EMPTY_TARGET = "There is nothing to run: the target has no requests."
MIXED_COLLECTIONS = "The requests to run must all belong to one collection."
TOO_MANY_REQUESTS = f"A run may hold at most {MAX_PLAN_REQUESTS} requests."


@dataclass
class Target:
    workspace: Workspace
    collection: Collection
    folder: Folder | None
    requests: list[SavedRequest]  # in tree order
    title: str


def tree_order(collection: Collection, *, under: Folder | None = None, only: set[int] | None = None) -> list[SavedRequest]:
    """Requests in the collection's one order, depth first (as newman runs them). Two queries.

    Each request carries its folders (`folder_chain`, outermost first), read from the same two
    queries: planning resolves inherited auth and folder variables without another one."""
    loaded = tree.load(collection, under=under)
    ordered = loaded.requests_in_order(None if under is None else under.pk)
    if only is not None:
        ordered = [saved for saved in ordered if saved.pk in only]
    for saved in ordered:
        saved.folder_path = loaded.path(saved.folder_id)  # type: ignore[attr-defined]
        saved.folder_chain = chain_of(saved.folder_id, loaded.folders)[::-1]  # type: ignore[attr-defined]
    return ordered


def resolve_target(
    workspace: Workspace,
    collection: Collection | None,
    folder: Folder | None,
    request_ids: list[int] | None,
) -> Target:
    given = [x for x in (collection, folder, request_ids) if x]
    if not given:
        raise ValidationFailed.for_field("collection", NO_TARGET, code="no_target")
    if len(given) > 1:
        raise ValidationFailed.for_field("collection", ONE_TARGET, code="one_target")
    if collection is not None:
        _belongs(collection, workspace, "Collection")
        return Target(workspace, collection, None, tree_order(collection), collection.name)
    if folder is not None:
        _belongs(folder, workspace, "Folder")
        ordered = tree_order(folder.collection, under=folder)
        return Target(workspace, folder.collection, folder, ordered, f"{folder.collection.name} / {folder.name}")
    assert request_ids is not None
    ids = list(dict.fromkeys(request_ids))
    found = list(
        SavedRequest.objects.filter(pk__in=ids, collection__workspace=workspace).select_related("collection")
    )
    if len(found) != len(ids):
        raise NotFound("Request not found in this workspace.")
    collections = {saved.collection_id for saved in found}
    if len(collections) != 1:
        raise ValidationFailed.for_field("requests", MIXED_COLLECTIONS, code="mixed_collections")
    owner = found[0].collection
    ordered = tree_order(owner, only={saved.pk for saved in found})
    names = ", ".join(saved.name for saved in ordered[:3]) + ("…" if len(ordered) > 3 else "")
    return Target(workspace, owner, None, ordered, f"{owner.name}: {names}")


def _belongs(obj: Any, workspace: Workspace, what: str) -> None:
    if access.workspace_id_of(obj) != workspace.pk:
        raise NotFound(f"{what} not found in this workspace.")


def plan_items(saved_requests: Iterable[SavedRequest], collection: Collection) -> list[PlanItem]:
    """Plan items for stored requests; stored assertions/captures that no longer validate are named."""
    items = []
    limit = settings.WEBCLIENT_MAX_RESPONSE_BYTES
    for saved in saved_requests:
        folders = getattr(saved, "folder_chain", [])  # outermost first
        spec = spec_with_inherited_auth({part: getattr(saved, part) for part in REQUEST_PARTS},
                                        collection=collection, chain=folders[::-1])
        spec.options.max_response_bytes = min(spec.options.max_response_bytes, limit)
        try:
            items.append(
                make_plan_item(
                    name=saved.name,
                    spec=spec,
                    assertions=saved.assertions,
                    captures=saved.captures,
                    key=saved.pk,
                    path=getattr(saved, "folder_path", ""),
                    scripts=stored_scripts(collection, folders, saved),
                    variables=folder_values(folders[::-1]),
                )
            )
        except (AssertionFormatError, CaptureFormatError) as error:
            message = f"{saved.name!r}: {error.message}"
            raise ValidationFailed(message, code=error.code, fields={f"requests[{saved.pk}].{error.field}": [message]}) from None
    return items


def plan_of_run(run: Run) -> list[PlanItem]:
    """The plan of a stored run, read again from its target (a worker executing it later)."""
    if run.collection is None:
        raise ServiceError("The collection of this run was deleted.", code="target_gone")
    if run.request_ids:
        ordered = tree_order(run.collection, only=set(run.request_ids))
    elif run.folder_id is not None:
        if run.folder is None:
            raise ServiceError("The folder of this run was deleted.", code="target_gone")
        ordered = tree_order(run.collection, under=run.folder)
    else:
        ordered = tree_order(run.collection)
    return plan_items(ordered, run.collection)


def _data_rows(data: dict[str, Any] | None) -> tuple[str, list[dict[str, str]]]:
    if not data:
        return "", []
    data_format = data.get("format", "")
    if data_format not in DATA_FORMATS:
        raise ValidationFailed.for_field("data.format", f"must be one of {', '.join(DATA_FORMATS)}", code="unknown_format")
    content = data.get("content", "")
    if not isinstance(content, (str, bytes)):
        raise ValidationFailed.for_field("data.content", "must be the file's text", code="bad_data")
    try:
        return data_format, parse_data_file(content, data_format)
    except DataFileError as error:
        raise ValidationFailed(str(error), code=error.code, fields={"data.content": [str(error)]}) from None


def _bounded(name: str, value: int, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationFailed.for_field(name, f"must be a whole number from {low} to {high}", code="out_of_range")
    return value


def run_create(
    *, workspace: Workspace, created_by: AbstractBaseUser | None,
    collection: Collection | None = None, folder: Folder | None = None, request_ids: list[int] | None = None,
    environment: Environment | None = None, iterations: int | None = None, data: dict[str, Any] | None = None,
    delay_ms: int = 0, bail: bool = False, concurrency: int = 1, persist_captures: bool = False,
) -> Run:
    """Validate and store a queued run without handing it to a worker (run_start, monitors).

    One target: `collection`, `folder` or `request_ids` (requests of one collection, run in tree
    order). `iterations` None or 0: one per data row, else one. `data`: {"format": "csv"|"json",
    "content": text}. No access check here: callers check (run_start) or are the server's operator.
    """
    return run_create_planned(
        workspace=workspace, created_by=created_by, collection=collection, folder=folder,
        request_ids=request_ids, environment=environment, iterations=iterations, data=data,
        delay_ms=delay_ms, bail=bail, concurrency=concurrency, persist_captures=persist_captures,
    )[0]


def run_create_planned(
    *, workspace: Workspace, created_by: AbstractBaseUser | None,
    collection: Collection | None = None, folder: Folder | None = None, request_ids: list[int] | None = None,
    environment: Environment | None = None, iterations: int | None = None, data: dict[str, Any] | None = None,
    delay_ms: int = 0, bail: bool = False, concurrency: int = 1, persist_captures: bool = False,
) -> tuple[Run, list[PlanItem]]:
    """run_create, also giving the plan it validated: a caller that executes at once in the same
    process (the CLI) hands it to run_execute instead of reading and compiling the target twice."""
    target = resolve_target(workspace, collection, folder, request_ids)
    if environment is not None:
        _belongs(environment, workspace, "Environment")
    if not target.requests:
        raise ValidationFailed.for_field("collection", EMPTY_TARGET, code="empty_target")
    if len(target.requests) > MAX_PLAN_REQUESTS:
        raise ValidationFailed.for_field("collection", TOO_MANY_REQUESTS, code="too_many_requests")
    data_format, rows = _data_rows(data)
    if iterations is None or iterations == 0:
        iterations = len(rows) or 1
    _bounded("iterations", iterations, 1, MAX_ITERATIONS)
    _bounded("delay_ms", delay_ms, 0, MAX_DELAY_MS)
    _bounded("concurrency", concurrency, 1, MAX_CONCURRENCY)
    ensure_run_size(iterations * len(target.requests))
    items = plan_items(target.requests, target.collection)  # validates stored assertions before anything is created
    run = Run.objects.create(
        workspace=workspace,
        created_by=access.stored_user(created_by),
        collection=target.collection,
        folder=target.folder,
        request_ids=[saved.pk for saved in target.requests] if request_ids else [],
        title=target.title[:300],
        environment=environment,
        environment_name=environment.name if environment else "",
        iterations=iterations,
        delay_ms=delay_ms,
        bail=bail,
        concurrency=concurrency,
        data_format=data_format,
        data_rows=rows,
        persist_captures=persist_captures,
        planned_requests=iterations * len(target.requests),
        mode=Run.Mode.CELERY if settings.CELERY_BROKER_URL else Run.Mode.LOCAL,
    )
    return run, items

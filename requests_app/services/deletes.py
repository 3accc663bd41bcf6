"""Deleting a big collection or folder in the background, in batches, with progress (issue 15).

Usage::

    from requests_app.services.deletes import delete_start, delete_execute, delete_status, deletes_resume
    job = delete_start(user=alice, obj=collection)   # None: small enough, deleted at once
    job.state, job.done, job.total                   # queued -> running -> done (or failed)
    delete_status(user=alice, job_id=job.pk)         # read it again (page polling, the API)
    deletes_resume()                                 # worker start: jobs left by a stopped worker go on

`delete_start` marks the collection or folder `deleting` in the same transaction that records
the activity and makes the job: from then on it is hidden from the tree, lists, search and
every lookup (access.py leaves it out), and a folder's siblings close the gap it leaves. The
work goes to `requests_app.tasks.execute_delete` with CELERY_BROKER_URL set, else to a thread
of this process. It deletes the requests in batches of `tree.DELETE_BATCH` taken by id range
(bounded memory, the same few queries per batch whatever the size), beating the job's heartbeat
and counting `done` after each batch, then the folders and the row. A worker that stops
leaves the job `running` with an old heartbeat: the next worker start, or the next look at its
status, hands it to a worker again, which goes on where the rows left off (the rows deleted
are gone, so "where it was" needs no bookkeeping).

Small deletes (at most WEBCLIENT_DELETE_INLINE_REQUESTS requests) are done at once, as before.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import close_old_connections, connection, transaction
from django.db.models import Q
from django.utils import timezone

from requests_app import access
from requests_app.models import Collection, DeleteJob, Folder, Monitor, SavedRequest
from requests_app.services import tree
from requests_app.services.activity import activity_record
from requests_app.services.errors import NotFound
from requests_app.services.monitors import monitors_delete_with

logger = logging.getLogger(__name__)

JOB_NOT_FOUND = "Delete job not found."
STALE_AFTER = timedelta(seconds=60)  # a running job whose worker beat nothing for this long is resumed
ACTIVE = (DeleteJob.State.QUEUED, DeleteJob.State.RUNNING)


def inline_limit() -> int:
    return int(getattr(settings, "WEBCLIENT_DELETE_INLINE_REQUESTS", tree.DELETE_BATCH))


def _requests_of(job: DeleteJob) -> Q:
    """The job's requests: the collection's, or those of the folder and every folder below it."""
    if job.folder_id_deleted is None:
        return Q(collection_id=job.collection_id_deleted)
    folder = Folder.objects.select_related("collection").filter(pk=job.folder_id_deleted).first()
    return Q(folder_id__in=tree.descendant_ids(folder)) if folder is not None else Q(pk__in=[])


def delete_start(*, user: AbstractBaseUser, obj: Collection | Folder) -> DeleteJob | None:
    """Delete `obj` (editors): at once when small, else mark it and hand a job to a worker."""
    access.ensure_role(user, obj, "edit")
    is_folder = isinstance(obj, Folder)
    subtree = tree.descendant_ids(obj) if isinstance(obj, Folder) else set()
    scope = Q(folder_id__in=subtree) if isinstance(obj, Folder) else Q(collection_id=obj.pk)
    total = SavedRequest.objects.filter(scope).count()
    with transaction.atomic():
        activity_record(user=user, verb="deleted", obj=obj)
        monitors_delete_with(user=user, owner=obj.name, monitors=Monitor.objects.filter(
            Q(folder_id__in=subtree) if is_folder else Q(collection_id=obj.pk)))
        if total <= inline_limit():
            tree.delete_requests(SavedRequest.objects.filter(scope))
            obj.delete()
            if isinstance(obj, Folder):
                tree.close_gap(tree.Parent.of(obj), obj.position)
            return None
        if isinstance(obj, Folder):
            Folder.objects.filter(pk__in=subtree).update(deleting=True)  # the folders below go unusable too
        else:
            Collection.objects.filter(pk=obj.pk).update(deleting=True)
        if isinstance(obj, Folder):
            tree.close_gap(tree.Parent.of(obj), obj.position, exclude=obj)
        job = DeleteJob.objects.create(
            workspace_id=access.workspace_id_of(obj), kind=DeleteJob.Kind.FOLDER if is_folder else DeleteJob.Kind.COLLECTION,
            collection_id_deleted=obj.collection_id if isinstance(obj, Folder) else obj.pk,
            folder_id_deleted=obj.pk if is_folder else None, name=obj.name, total=total, created_by=user)
        transaction.on_commit(lambda: _dispatch(job.pk))
    return job


def delete_status(*, user: AbstractBaseUser, job_id: object) -> DeleteJob:
    """The job, for a member of its workspace; a stale one is handed to a worker again."""
    pk = access.parse_id(job_id)
    job = DeleteJob.objects.filter(pk=pk, workspace__in=access.workspaces_for_user(user)).first() \
        if pk is not None else None
    if job is None:
        raise NotFound(JOB_NOT_FOUND, code="not_found")
    if _stale(job):
        _dispatch(job.pk)
    return job


def _stale(job: DeleteJob) -> bool:
    if job.state not in ACTIVE:
        return False
    since = job.heartbeat_at or job.created_at
    return since < timezone.now() - STALE_AFTER


def delete_execute(job_id: int, *, worker: str) -> DeleteJob | None:
    """Do the job (a worker): claim it, delete in batches, finish. None if another worker has it."""
    now = timezone.now()
    claimable = Q(state=DeleteJob.State.QUEUED) | Q(state=DeleteJob.State.RUNNING, heartbeat_at__lt=now - STALE_AFTER) \
        | Q(state=DeleteJob.State.RUNNING, heartbeat_at__isnull=True)
    if not DeleteJob.objects.filter(claimable, pk=job_id).update(state=DeleteJob.State.RUNNING, worker=worker,
                                                                 heartbeat_at=now):
        return None
    job = DeleteJob.objects.get(pk=job_id)
    try:
        _delete_batches(job)
    except Exception as error:  # said on the job; the marked rows stay hidden until a retry
        logger.exception("delete job %s failed", job_id)
        DeleteJob.objects.filter(pk=job_id).update(state=DeleteJob.State.FAILED, error=str(error)[:2000],
                                                   finished_at=timezone.now())
        raise
    return DeleteJob.objects.get(pk=job_id)


def delete_batch(job: DeleteJob, scope: Q, after_id: int) -> int | None:
    """Delete the next batch of the job's requests (`scope`) with ids above `after_id`; the last
    id deleted, or None when none are left. A fixed number of queries per batch."""
    ids = list(SavedRequest.objects.filter(scope, pk__gt=after_id).order_by("pk")
               .values_list("pk", flat=True)[:tree.DELETE_BATCH])
    if not ids:
        return None
    with transaction.atomic():
        SavedRequest.objects.filter(pk__in=ids).delete()
        DeleteJob.objects.filter(pk=job.pk).update(done=min(job.total, job.done + len(ids)), heartbeat_at=timezone.now())
    job.done = min(job.total, job.done + len(ids))
    return ids[-1]


def _delete_batches(job: DeleteJob) -> None:
    scope = _requests_of(job)  # the subtree is fixed: a folder being deleted can't be used
    after_id: int | None = 0
    while after_id is not None:
        after_id = delete_batch(job, scope, after_id)
    with transaction.atomic():
        if job.folder_id_deleted is not None:
            Folder.objects.filter(pk=job.folder_id_deleted).delete()  # its subfolders cascade
        else:
            Collection.objects.filter(pk=job.collection_id_deleted).delete()
        DeleteJob.objects.filter(pk=job.pk).update(state=DeleteJob.State.DONE, done=job.total,
                                                   finished_at=timezone.now(), heartbeat_at=timezone.now())


def deletes_resume() -> int:
    """Hand the jobs nobody is doing (queued, or running with an old heartbeat) to a worker."""
    jobs = [job for job in DeleteJob.objects.filter(state__in=ACTIVE) if job.state == DeleteJob.State.QUEUED or _stale(job)]
    for job in jobs:
        _dispatch(job.pk)
    return len(jobs)


# ------------------------------------------------------------------ where the work runs

_local_pool: ThreadPoolExecutor | None = None
_local_lock = threading.Lock()


def _dispatch(job_id: int) -> None:
    if settings.CELERY_BROKER_URL:
        from requests_app.tasks import execute_delete

        try:
            execute_delete.apply_async((job_id,), queue=settings.WEBCLIENT_RUN_QUEUE or None)
        except Exception:  # the broker is down: the job stays queued; a worker start or a status look resumes it
            logger.exception("could not queue delete job %s", job_id)
        return
    global _local_pool
    with _local_lock:
        if _local_pool is None:
            _local_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="webclient-delete")
        _local_pool.submit(_execute_locally, job_id)


def _execute_locally(job_id: int) -> None:
    from requests_app.services.runs import worker_name

    close_old_connections()
    try:
        delete_execute(job_id, worker=worker_name("local"))
    except Exception:
        pass  # logged and said on the job
    finally:
        connection.close()


def wait_local(timeout: float = 60.0) -> None:
    """Until the local thread has done what it was given (tests)."""
    if _local_pool is not None:
        _local_pool.submit(lambda: None).result(timeout=timeout)

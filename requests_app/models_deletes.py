"""Deletes of big collections and folders, done in batches in the background (issue 15).

Workspace ─< DeleteJob: which collection or folder goes, how many requests it held, how many
are gone. The collection or folder is marked `deleting` when the job is made (hidden from the
tree, lists and lookups at once); its row goes last. Imported at the end of models.py.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from requests_app.models import Workspace


class DeleteJob(models.Model):
    class Kind(models.TextChoices):
        COLLECTION = "collection", "Collection"
        FOLDER = "folder", "Folder"

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Deleting"
        DONE = "done", "Deleted"
        FAILED = "failed", "Failed"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="delete_jobs")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # plain ids: the rows go during the job, the job stays to answer "done"
    collection_id_deleted = models.BigIntegerField()
    folder_id_deleted = models.BigIntegerField(null=True, blank=True)
    name = models.CharField(max_length=200)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    total = models.PositiveIntegerField(default=0)  # requests to delete, counted when it started
    done = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True, default="")
    worker = models.CharField(max_length=200, blank=True, default="")
    heartbeat_at = models.DateTimeField(null=True, blank=True)  # a worker beats it every batch
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["state", "heartbeat_at"], name="deletejob_state_beat")]

    def __str__(self) -> str:
        return f"delete {self.kind} {self.name} ({self.state})"

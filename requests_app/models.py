"""Stored side of webclient.

Workspace ─< Membership >─ User (role: owner / editor / viewer)
Workspace ─< Collection ─< Folder (nested) ─< SavedRequest
Workspace ─< Environment (variables: ordered [{key, value, secret, enabled}])
Workspace ─< HistoryEntry (request as sent, secrets masked; response; timings; error)
(User, Workspace) ─ CookieJarState (http.cookiejar state, serialised)

Request parts (params, headers, body, auth, options) are stored in the engine's dict
shapes (`engine.spec.spec_to_dict`), so lists that may repeat stay ordered lists.
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    EDITOR = "editor", "Editor"
    VIEWER = "viewer", "Viewer"


class Workspace(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220)
    is_personal = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, through="Membership", related_name="workspaces")

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.VIEWER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "user"], name="one_membership_per_user")]

    @property
    def can_edit(self) -> bool:
        return self.role in (Role.OWNER, Role.EDITOR)

    @property
    def is_owner(self) -> bool:
        return self.role == Role.OWNER


class Collection(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="collections")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")
    variables = models.JSONField(default=list, blank=True)  # [{key, value, enabled}]
    auth = models.JSONField(default=dict, blank=True)  # default auth, engine shape; {} = none
    # Collection-level pre-request/test scripts (Postman's pm API), run before/after each request.
    scripts = models.JSONField(default=dict, blank=True)
    position = models.IntegerField(default=0)
    version = models.PositiveIntegerField(default=1)
    # Being deleted in the background (models_deletes.DeleteJob): hidden and not usable.
    deleting = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "name", "id"]

    def __str__(self) -> str:
        return self.name


def inherit_auth() -> dict[str, str]:
    """A folder's default auth: its parent's (services/inheritance.py walks the chain)."""
    return {"type": "inherit"}


class Folder(models.Model):
    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="folders")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")
    # Engine auth shape or {"type": "inherit"}; "none" stops the walk (services/inheritance.py).
    auth = models.JSONField(default=inherit_auth, blank=True)
    # [{key, value, enabled}] like Collection.variables; between the collection's and the environment's.
    variables = models.JSONField(default=list, blank=True)
    # Folder-level pre-request/test scripts, run between the collection's and the request's.
    scripts = models.JSONField(default=dict, blank=True)
    position = models.IntegerField(default=0)
    version = models.PositiveIntegerField(default=1)
    deleting = models.BooleanField(default=False)  # as Collection.deleting
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]
        # Folders and requests share one sequence of positions under a parent (services/tree.py).
        indexes = [models.Index(fields=["collection", "parent", "position", "id"], name="folder_sibling_order")]

    def __str__(self) -> str:
        return self.name


class SavedRequest(models.Model):
    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="requests")
    folder = models.ForeignKey(Folder, null=True, blank=True, on_delete=models.CASCADE, related_name="requests")
    name = models.CharField(max_length=200)
    position = models.IntegerField(default=0)
    method = models.CharField(max_length=32, default="GET")
    url = models.TextField(blank=True, default="")
    params = models.JSONField(default=list, blank=True)
    headers = models.JSONField(default=list, blank=True)
    body = models.JSONField(default=dict, blank=True)
    auth = models.JSONField(default=dict, blank=True)
    options = models.JSONField(default=dict, blank=True)
    description = models.TextField(blank=True, default="")
    # Declarative runner checks and captures (issue: collection runner); engine-free dicts.
    assertions = models.JSONField(default=list, blank=True)
    captures = models.JSONField(default=list, blank=True)
    # Pre-request/test scripts (services.scripts); .http handler scripts kept under http_client_* keys, never run.
    scripts = models.JSONField(default=dict, blank=True)
    # What response diffs leave out: {"headers": [...], "json_paths": [...]} (responsediff.IgnoreRules).
    diff_ignore = models.JSONField(default=dict, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["collection", "folder", "position", "id"], name="request_sibling_order")]

    def __str__(self) -> str:
        return self.name


class Environment(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="environments")
    name = models.CharField(max_length=200)
    # [{key, value, secret, enabled}]; a secret's value is stored encrypted (services.secrets).
    variables = models.JSONField(default=list, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class HistoryEntry(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="history")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    saved_request = models.ForeignKey(
        SavedRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="history"
    )
    environment = models.ForeignKey(Environment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # What was asked for (engine spec dict, secrets masked as {{name}}), for reopening in the editor.
    spec = models.JSONField(default=dict)
    method = models.CharField(max_length=32)
    url = models.TextField()
    status = models.IntegerField(null=True, blank=True)
    error_kind = models.CharField(max_length=32, blank=True, default="")
    total_ms = models.FloatField(null=True, blank=True)
    # engine.exchange.exchange_to_dict output with secrets masked; the body may live in body_file.
    exchange = models.JSONField(default=dict)
    body_file = models.FileField(upload_to="history/%Y/%m/", null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["workspace", "user", "-created_at"]),
                   # keyset pages (requests_app/keyset.py) walk (created_at, id) in index order
                   models.Index(fields=["workspace", "user", "-created_at", "-id"], name="history_keyset")]


class CookieJarState(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    data = models.JSONField(default=list)  # engine.cookies.CookieJar.to_list()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "workspace"], name="one_jar_per_user_workspace")]


class ApiToken(models.Model):
    """A personal API token; only its SHA-256 is stored, the token is shown once."""

    PREFIX = "wc_"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    token_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=12)  # first characters, to tell tokens apart in a list
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def new_token_text(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)


class Run(models.Model):
    """One execution of a collection, a folder or a list of requests (services.runs)."""

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        PASSED = "passed", "Passed"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"
        INTERRUPTED = "interrupted", "Interrupted"

    class Mode(models.TextChoices):
        LOCAL = "local", "In-process"
        CELERY = "celery", "Celery"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="runs")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The target: a collection, a folder of it, or some of its requests (request_ids, tree order).
    collection = models.ForeignKey(Collection, null=True, on_delete=models.SET_NULL, related_name="runs")
    folder = models.ForeignKey(Folder, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    request_ids = models.JSONField(default=list, blank=True)
    title = models.CharField(max_length=300)
    environment = models.ForeignKey(Environment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    environment_name = models.CharField(max_length=200, blank=True, default="")
    iterations = models.PositiveIntegerField(default=1)
    delay_ms = models.PositiveIntegerField(default=0)
    bail = models.BooleanField(default=False)
    concurrency = models.PositiveSmallIntegerField(default=1)
    data_format = models.CharField(max_length=8, blank=True, default="")
    data_rows = models.JSONField(default=list, blank=True)  # one {variable: value} per iteration
    persist_captures = models.BooleanField(default=False)
    captures_saved = models.BooleanField(null=True, blank=True)
    planned_requests = models.PositiveIntegerField(default=0)
    mode = models.CharField(max_length=8, choices=Mode.choices, default=Mode.LOCAL)
    state = models.CharField(max_length=12, choices=State.choices, default=State.QUEUED, db_index=True)
    cancel_requested = models.BooleanField(default=False)
    # RunTotals.to_dict(): requests, assertions passed/failed, errors, duration, mean/p95.
    totals = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True, default="")
    worker = models.CharField(max_length=200, blank=True, default="")  # "<kind>:<host>:<pid>"
    # A monitor's run (models_monitors.Monitor); `monitor_checked` once its outcome was judged
    # (state, notifications): the monitor tick judges the finished runs that are not yet.
    monitor = models.ForeignKey("requests_app.Monitor", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="runs")
    monitor_checked = models.BooleanField(default=False)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["workspace", "-created_at"]), models.Index(fields=["state", "heartbeat_at"]),
                   models.Index(fields=["workspace", "-created_at", "-id"], name="run_keyset"),
                   models.Index(fields=["monitor", "-created_at", "-id"], name="run_monitor_keyset"),
                   models.Index(fields=["monitor", "id"], name="run_monitor_unchecked",
                                condition=models.Q(monitor__isnull=False, monitor_checked=False))]

    @property
    def unchecked(self) -> bool:
        """Ended without a failure but with nothing checked (no assertion, no pm.test): shown as
        "No checks", not as a pass, since a 500 answer passes too when nothing looks at it."""
        totals = self.totals or {}
        return (self.state == self.State.PASSED and not totals.get("assertions_passed")
                and not totals.get("assertions_failed"))

    def __str__(self) -> str:
        return f"{self.title} ({self.state})"


class RunResult(models.Model):
    """One executed request of one iteration; written in batches while the run goes on."""

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="results")
    iteration = models.PositiveIntegerField()
    position = models.PositiveIntegerField()  # index in the run's plan
    saved_request = models.ForeignKey(
        SavedRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(max_length=200)
    path = models.CharField(max_length=500, blank=True, default="")
    method = models.CharField(max_length=32)
    url = models.TextField()  # as sent, secrets masked
    status = models.IntegerField(null=True, blank=True)
    time_ms = models.FloatField(null=True, blank=True)
    size = models.IntegerField(null=True, blank=True)
    passed = models.BooleanField()
    assertions_failed = models.PositiveIntegerField(default=0)
    assertions = models.JSONField(default=list)  # [AssertionResult.to_dict()]
    captures = models.JSONField(default=list)  # [CaptureResult.to_dict()], secrets masked
    error = models.JSONField(null=True, blank=True)  # {"kind", "code", "message"}
    unresolved_variables = models.JSONField(default=list, blank=True)  # ["name"]: sent as {{name}}
    # A monitor run's JSON body shape (responseshape.json_shape): runs keep no bodies.
    response_shape = models.JSONField(null=True, blank=True)
    console = models.JSONField(default=list, blank=True)  # scripts' console output, [{"level", "text"}], bounded, masked

    class Meta:
        ordering = ["iteration", "position", "id"]
        indexes = [models.Index(fields=["run", "iteration", "position"]), models.Index(fields=["run", "passed"]),
                   models.Index(fields=["run", "iteration", "position", "id"], name="result_keyset"),
                   models.Index(fields=["run", "passed", "iteration", "position", "id"], name="result_failures_keyset")]


# ---------------------------------------------------------------- teams (issue 5)


class Invitation(models.Model):
    """A link that lets someone join a workspace with a role: single use, expiring, revocable.

    Only the token's SHA-256 is stored; the link is shown once, when it is made.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="invitations")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.VIEWER)
    email = models.CharField(max_length=254, blank=True, default="")  # who it is meant for (a note)
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @staticmethod
    def new_token_text() -> str:
        return secrets.token_urlsafe(32)

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()


class Revision(models.Model):
    """One saved version of a saved request or of an environment (their change history).

    `data` holds the tracked fields as they were at `version`; secret values never appear in
    clear (environment secrets keep their encrypted form, request auth secrets are encrypted
    too). Exactly one of `saved_request` and `environment` is set.
    """

    saved_request = models.ForeignKey(
        SavedRequest, null=True, blank=True, on_delete=models.CASCADE, related_name="revisions"
    )
    environment = models.ForeignKey(
        Environment, null=True, blank=True, on_delete=models.CASCADE, related_name="revisions"
    )
    version = models.PositiveIntegerField()
    data = models.JSONField(default=dict)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    restored_from = models.PositiveIntegerField(null=True, blank=True)  # the version this one brought back

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["saved_request", "version"], name="one_revision_per_request_version"),
            models.UniqueConstraint(fields=["environment", "version"], name="one_revision_per_environment_version"),
            models.CheckConstraint(
                condition=models.Q(saved_request__isnull=False, environment__isnull=True)
                | models.Q(saved_request__isnull=True, environment__isnull=False),
                name="revision_of_one_object",
            ),
        ]


class Activity(models.Model):
    """One line of a workspace's activity feed: who did what to which object, and when."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="activity")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField(max_length=150, blank=True, default="")  # kept when the account goes
    verb = models.CharField(max_length=20)  # created, changed, renamed, moved, copied, deleted, ran, restored, …
    kind = models.CharField(max_length=20)  # collection, folder, request, environment, workspace, member, invitation
    object_id = models.BigIntegerField(null=True, blank=True)
    object_name = models.CharField(max_length=200, blank=True, default="")
    detail = models.JSONField(default=dict, blank=True)  # e.g. {"fields": [...]} or {"to": "Other workspace"}
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["workspace", "-created_at", "-id"])]


class Example(models.Model):
    """A saved response of a request (Postman's "example"): what a mock server answers with.

    `request` is what the example answers (engine dict shape: method, url, params, headers,
    body); the mock matches incoming calls on it. Headers are ordered [{key, value, enabled}];
    the body is text, served as UTF-8.
    """

    saved_request = models.ForeignKey(SavedRequest, on_delete=models.CASCADE, related_name="examples")
    name = models.CharField(max_length=200)
    position = models.IntegerField(default=0)
    request = models.JSONField(default=dict, blank=True)
    status = models.PositiveSmallIntegerField(default=200)
    headers = models.JSONField(default=list, blank=True)
    body = models.TextField(blank=True, default="")
    delay_ms = models.PositiveIntegerField(default=0)  # the mock waits this long before answering
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class MockServer(models.Model):
    """A collection served at /mock/<id or slug>/… from its requests' examples."""

    collection = models.OneToOneField(Collection, on_delete=models.CASCADE, related_name="mock")
    enabled = models.BooleanField(default=False)
    slug = models.SlugField(max_length=80, unique=True, null=True, blank=True)
    # SHA-256 of the per-mock secret token (shown once); empty: members only.
    token_hash = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"mock of {self.collection_id}"


class OAuthToken(models.Model):
    """An OAuth 2.0 token of one user in one workspace for one client configuration.

    `config_key` hashes what identifies the configuration (token URL, client id, scope,
    audience, resource, grant): requests sharing a configuration share the token. Both
    tokens are stored encrypted like secret variables (services.secrets).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    config_key = models.CharField(max_length=64)
    access_token = models.TextField()  # encrypted
    refresh_token = models.TextField(blank=True, default="")  # encrypted, or ""
    token_type = models.CharField(max_length=40, blank=True, default="")
    scope = models.TextField(blank=True, default="")
    expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "workspace", "config_key"], name="one_oauth_token_per_config")
        ]


from requests_app.models_deletes import DeleteJob  # noqa: E402,F401  (issue 15)
from requests_app.models_monitors import Monitor, MonitorDailySummary, MonitorDelivery  # noqa: E402,F401  (issue 18)

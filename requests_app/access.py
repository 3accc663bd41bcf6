"""The one place that turns (user, id) into an object, scoped to the user's workspaces.

Usage::

    from requests_app import access
    workspace = access.get_workspace_for_user(request.user, workspace_id)              # read
    saved = access.get_request_for_user(request.user, request_id, need="edit")
    saved.user_role                     # "owner" | "editor" | "viewer", set on every object returned
    access.workspaces_for_user(user)    # queryset, each workspace annotated with user_role

Missing ids, malformed ids and objects of workspaces the user is not a member of all raise
`NotFound` (404), so ids can't be probed. A member whose role is too low for `need` gets
`Forbidden` (403). Roles: viewer reads and executes; editor also creates, changes and
deletes; owner also manages members and the workspace itself.

Each getter costs one query: the caller's role comes along as an annotation.
"""

from __future__ import annotations

from typing import Any, Literal, TypeVar

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser, User
from django.db.models import F, Model, Q, QuerySet

from requests_app.models import (
    Collection,
    Environment,
    Example,
    Folder,
    HistoryEntry,
    Membership,
    Role,
    Run,
    SavedRequest,
    Workspace,
)
from requests_app.services.errors import Forbidden, NotFound

Need = Literal["read", "edit", "own"]
UserLike = AbstractBaseUser | AnonymousUser

_ROLE_RANK = {Role.VIEWER: 1, Role.EDITOR: 2, Role.OWNER: 3}
_NEED_RANK = {"read": 1, "edit": 2, "own": 3}
_NEED_MESSAGES = {
    "edit": "Viewers can read and send requests; ask an owner for the editor role to change things.",
    "own": "Only an owner of this workspace can do that.",
}

M = TypeVar("M", bound=Model)


def role_allows(role: str | None, need: Need) -> bool:
    """Whether a member with `role` may do what `need` asks (read < edit < own)."""
    return role is not None and _ROLE_RANK.get(role, 0) >= _NEED_RANK[need]  # type: ignore[call-overload]


def can_edit(role: str | None) -> bool:
    return role_allows(role, "edit")


def is_owner(role: str | None) -> bool:
    return role_allows(role, "own")


def _user_id(user: UserLike | None) -> int | None:
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return None
    return user.pk  # type: ignore[no-any-return]


def _scoped(queryset: QuerySet[M], user: UserLike | None, workspace_path: str) -> QuerySet[M]:
    """Keep only rows of workspaces `user` belongs to, annotated with `user_role`.

    `workspace_path` leads from the model to its Workspace ("" for Workspace itself). One join
    to the membership (unique per workspace and user, so no row repeats) does both the
    filtering and the annotation. `role_user_id` records whose role it is, so an object handed
    to another user's call is checked afresh (see ensure_role).
    """
    user_id = _user_id(user)
    if user_id is None:
        return queryset.none()
    membership = f"{workspace_path}__memberships" if workspace_path else "memberships"
    return queryset.filter(**{f"{membership}__user_id": user_id}).annotate(
        user_role=F(f"{membership}__role"), role_user_id=F(f"{membership}__user_id")
    )


def parse_id(value: Any) -> int | None:
    """A positive database id from an int or a string of digits; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value < 2**63 else None
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 19:
        return int(value) or None
    return None


def _get(queryset: QuerySet[M], object_id: Any, need: Need, what: str) -> M:
    pk = parse_id(object_id)
    if pk is None:
        raise NotFound(f"{what} not found.")
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise NotFound(f"{what} not found.")
    require(obj, need)
    return obj


def require(obj: Model, need: Need) -> None:
    """Raise Forbidden unless the `user_role` annotated on `obj` (by this module) allows `need`."""
    role = getattr(obj, "user_role", None)
    if not role_allows(role, need):
        raise Forbidden(_NEED_MESSAGES.get(need))


def stored_user(user: UserLike | None) -> User | None:
    """`user` as a foreign key keeps it: a person's account, or None (AnonymousUser, the server's
    operator running a command)."""
    return user if isinstance(user, User) else None


def set_role(obj: Model, user: UserLike, role: str) -> None:
    """Record `user`'s role on an object a service just made (so later checks need no query)."""
    obj.user_role = role  # type: ignore[attr-defined]
    obj.role_user_id = user.pk  # type: ignore[attr-defined]


def _has_role_of(obj: Model, user: UserLike | None) -> bool:
    user_id = _user_id(user)
    return user_id is not None and hasattr(obj, "user_role") and getattr(obj, "role_user_id", None) == user_id


def role_for(user: UserLike | None, workspace: Workspace | int) -> str | None:
    """The user's role in a workspace, or None when not a member (one query unless annotated)."""
    if isinstance(workspace, Workspace) and _has_role_of(workspace, user):
        return workspace.user_role  # type: ignore[no-any-return]
    user_id = _user_id(user)
    if user_id is None:
        return None
    workspace_id = workspace.pk if isinstance(workspace, Workspace) else workspace
    return Membership.objects.filter(workspace_id=workspace_id, user_id=user_id).values_list("role", flat=True).first()


def ensure_role(user: UserLike | None, obj: Model, need: Need) -> None:
    """Check `need` on an object that may not come from this module (queries when not annotated).

    Services call this so that a caller who skipped the getters still meets the same rules.
    """
    if not _has_role_of(obj, user):
        role = role_for(user, workspace_id_of(obj))
        if role is None:
            raise NotFound()
        set_role(obj, user, role)  # type: ignore[arg-type]
    require(obj, need)


def is_site_staff(user: UserLike | None) -> bool:
    """Staff or superuser: the people who run this server (sign-in lockouts are theirs, not a workspace's)."""
    return bool(user is not None and user.is_authenticated and (user.is_staff or user.is_superuser))


def ensure_site_staff(user: UserLike | None) -> None:
    """NotFound for everyone else: a page for the server's operators does not exist for members."""
    if not is_site_staff(user):
        raise NotFound()


def workspace_id_of(obj: Model) -> int:
    """The workspace an object belongs to, without a query when its parents are loaded."""
    if isinstance(obj, Workspace):
        return obj.pk  # type: ignore[no-any-return]
    if isinstance(obj, (Collection, Environment, HistoryEntry)):
        return obj.workspace_id  # type: ignore[no-any-return,attr-defined]
    if isinstance(obj, (Folder, SavedRequest)):
        return obj.collection.workspace_id  # type: ignore[no-any-return]
    if isinstance(obj, Example):
        return obj.saved_request.collection.workspace_id  # type: ignore[no-any-return]
    raise TypeError(f"no workspace for {type(obj).__name__}")


# ---------------------------------------------------------------- querysets


def workspaces_for_user(user: UserLike | None) -> QuerySet[Workspace]:
    """The user's workspaces, each with `user_role`; personal first, then by name."""
    return _scoped(Workspace.objects.all(), user, "").order_by("-is_personal", "name", "id")


def collections_for_user(user: UserLike | None, *, workspace: Workspace | None = None) -> QuerySet[Collection]:
    qs = _scoped(Collection.objects.filter(deleting=False), user, "workspace")  # deleting: see services/deletes.py
    return qs.filter(workspace=workspace) if workspace is not None else qs


def folders_for_user(user: UserLike | None, *, collection: Collection | None = None) -> QuerySet[Folder]:
    qs = _scoped(Folder.objects.select_related("collection").filter(deleting=False, collection__deleting=False),
                 user, "collection__workspace")
    return qs.filter(collection=collection) if collection is not None else qs


def requests_for_user(user: UserLike | None, *, collection: Collection | None = None) -> QuerySet[SavedRequest]:
    qs = _scoped(
        SavedRequest.objects.select_related("collection", "created_by", "updated_by").filter(
            Q(folder_id__isnull=True) | Q(folder__deleting=False), collection__deleting=False),
        user,
        "collection__workspace",
    )
    return qs.filter(collection=collection) if collection is not None else qs


def examples_for_user(user: UserLike | None, *, saved_request: SavedRequest | None = None) -> QuerySet[Example]:
    qs = _scoped(Example.objects.select_related("saved_request__collection"), user, "saved_request__collection__workspace")
    return qs.filter(saved_request=saved_request) if saved_request is not None else qs


def environments_for_user(user: UserLike | None, *, workspace: Workspace | None = None) -> QuerySet[Environment]:
    qs = _scoped(Environment.objects.all(), user, "workspace")
    return qs.filter(workspace=workspace) if workspace is not None else qs


def history_for_user(user: UserLike | None, *, workspace: Workspace | None = None) -> QuerySet[HistoryEntry]:
    """The user's own history entries (history is personal, even in a shared workspace)."""
    user_id = _user_id(user)
    qs = _scoped(HistoryEntry.objects.filter(user_id=user_id), user, "workspace")
    return qs.filter(workspace=workspace) if workspace is not None else qs


def runs_for_user(user: UserLike | None, *, workspace: Workspace | None = None) -> QuerySet[Run]:
    """Runs of the user's workspaces (any member sees every run of the workspace)."""
    qs = _scoped(Run.objects.all(), user, "workspace")
    return qs.filter(workspace=workspace) if workspace is not None else qs


# ---------------------------------------------------------------- getters


def get_workspace_for_user(user: UserLike | None, workspace_id: Any, *, need: Need = "read") -> Workspace:
    return _get(_scoped(Workspace.objects.all(), user, ""), workspace_id, need, "Workspace")


def get_collection_for_user(user: UserLike | None, collection_id: Any, *, need: Need = "read") -> Collection:
    return _get(
        _scoped(Collection.objects.select_related("workspace").filter(deleting=False), user, "workspace"),
        collection_id, need, "Collection",
    )


def get_folder_for_user(user: UserLike | None, folder_id: Any, *, need: Need = "read") -> Folder:
    return _get(
        _scoped(Folder.objects.select_related("collection").filter(deleting=False, collection__deleting=False),
                user, "collection__workspace"),
        folder_id,
        need,
        "Folder",
    )


def get_request_for_user(user: UserLike | None, request_id: Any, *, need: Need = "read") -> SavedRequest:
    return _get(requests_for_user(user), request_id, need, "Request")


def get_environment_for_user(user: UserLike | None, environment_id: Any, *, need: Need = "read") -> Environment:
    return _get(environments_for_user(user), environment_id, need, "Environment")


def get_history_for_user(user: UserLike | None, entry_id: Any, *, need: Need = "read") -> HistoryEntry:
    return _get(history_for_user(user), entry_id, need, "History entry")


def get_example_for_user(user: UserLike | None, example_id: Any, *, need: Need = "read") -> Example:
    return _get(examples_for_user(user), example_id, need, "Example")


def get_run_for_user(user: UserLike | None, run_id: Any, *, need: Need = "read") -> Run:
    return _get(runs_for_user(user).select_related("workspace"), run_id, need, "Run")

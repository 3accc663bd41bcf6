"""Workspaces and their members.

Usage::

    from requests_app.services.workspaces import workspace_create, member_add, member_set_role
    ws = workspace_create(user=alice, name="Acme")                 # alice owns it
    member_add(user=alice, workspace=ws, username="bob", role="editor")
    member_set_role(user=alice, workspace=ws, member_id=bob.pk, role="viewer")
    member_remove(user=alice, workspace=ws, member_id=bob.pk)      # members may also remove themselves
    members_list(user=bob, workspace=ws)                           # [{"user_id", "username", "role"}]

Only owners manage members and the workspace itself; a workspace always keeps an owner.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils.text import slugify

from requests_app import access
from requests_app.models import Membership, Role, Workspace
from requests_app.services.errors import LAST_OWNER, PERSONAL_WORKSPACE, NotFound, ValidationFailed
from requests_app.services.validation import clean_name


def unique_slug(name: str) -> str:
    base = slugify(name)[:200] or "workspace"
    slug, number = base, 2
    while Workspace.objects.filter(slug=slug).exists():
        slug = f"{base}-{number}"
        number += 1
    return slug


def _clean_role(role: Any) -> str:
    if role not in Role.values:
        raise ValidationFailed.for_field("role", f"must be one of {', '.join(Role.values)}")
    return str(role)


def workspace_create(*, user: AbstractBaseUser, name: str) -> Workspace:
    """A new shared workspace owned by `user`."""
    name = clean_name(name)
    with transaction.atomic():
        workspace = Workspace.objects.create(name=name, slug=unique_slug(name))
        Membership.objects.create(workspace=workspace, user=user, role=Role.OWNER)
    access.set_role(workspace, user, Role.OWNER)
    return workspace


def workspace_update(*, user: AbstractBaseUser, workspace: Workspace, name: str) -> Workspace:
    """Rename (owners only)."""
    access.ensure_role(user, workspace, "own")
    workspace.name = clean_name(name)
    Workspace.objects.filter(pk=workspace.pk).update(name=workspace.name)
    return workspace


def workspace_delete(*, user: AbstractBaseUser, workspace: Workspace) -> None:
    """Delete a shared workspace with everything in it (owners only; personal ones stay)."""
    access.ensure_role(user, workspace, "own")
    if workspace.is_personal:
        raise ValidationFailed(PERSONAL_WORKSPACE, code="personal_workspace")
    workspace.delete()


def members_list(*, user: AbstractBaseUser, workspace: Workspace) -> list[dict[str, Any]]:
    """Members with their roles, owners first (any member may see who else is in)."""
    access.ensure_role(user, workspace, "read")
    rank = {Role.OWNER: 0, Role.EDITOR: 1, Role.VIEWER: 2}
    rows = Membership.objects.filter(workspace=workspace).values("user_id", "user__username", "role")
    members = [{"user_id": r["user_id"], "username": r["user__username"], "role": r["role"]} for r in rows]
    return sorted(members, key=lambda m: (rank.get(m["role"], 3), m["username"].lower()))


def member_add(*, user: AbstractBaseUser, workspace: Workspace, username: str, role: str) -> dict[str, Any]:
    """Add an existing account by username (owners only); an existing member gets the new role."""
    access.ensure_role(user, workspace, "own")
    role = _clean_role(role)
    if workspace.is_personal:
        raise ValidationFailed("A personal workspace has no other members; create a shared one.",
                               code="personal_workspace")
    member = get_user_model().objects.filter(username__iexact=(username or "").strip(), is_active=True).first()
    if member is None:
        raise ValidationFailed.for_field("username", "No account has that username.", code="unknown_user")
    membership, created = Membership.objects.get_or_create(workspace=workspace, user=member, defaults={"role": role})
    if not created and membership.role != role:
        return member_set_role(user=user, workspace=workspace, member_id=member.pk, role=role)
    return {"user_id": member.pk, "username": member.get_username(), "role": membership.role}


def _keeps_an_owner(workspace: Workspace, member_id: int) -> bool:
    return Membership.objects.filter(workspace=workspace, role=Role.OWNER).exclude(user_id=member_id).exists()


def member_set_role(*, user: AbstractBaseUser, workspace: Workspace, member_id: int, role: str) -> dict[str, Any]:
    """Change a member's role (owners only); the last owner can't step down."""
    access.ensure_role(user, workspace, "own")
    role = _clean_role(role)
    with transaction.atomic():
        membership = (
            Membership.objects.select_for_update().select_related("user")
            .filter(workspace=workspace, user_id=member_id).first()
        )
        if membership is None:
            raise NotFound("Member not found.")
        if membership.role == Role.OWNER and role != Role.OWNER and not _keeps_an_owner(workspace, member_id):
            raise ValidationFailed.for_field("role", LAST_OWNER, code="last_owner")
        Membership.objects.filter(pk=membership.pk).update(role=role)
    return {"user_id": member_id, "username": membership.user.get_username(), "role": role}


def member_remove(*, user: AbstractBaseUser, workspace: Workspace, member_id: int) -> None:
    """Remove a member (owners), or leave (anyone, for themselves); the last owner stays."""
    access.ensure_role(user, workspace, "read" if member_id == user.pk else "own")
    with transaction.atomic():
        membership = Membership.objects.select_for_update().filter(workspace=workspace, user_id=member_id).first()
        if membership is None:
            raise NotFound("Member not found.")
        if membership.role == Role.OWNER and not _keeps_an_owner(workspace, member_id):
            raise ValidationFailed(LAST_OWNER, code="last_owner")
        membership.delete()

"""Workspaces and their members.

Usage::

    from requests_app.services.workspaces import workspace_create, member_add, member_set_role
    ws = workspace_create(user=alice, name="Acme")                 # alice owns it
    member_add(user=alice, workspace=ws, username="bob", role="editor")
    member_add(user=alice, workspace=ws, email="dora@example.com", role="viewer")
    member_set_role(user=alice, workspace=ws, member_id=bob.pk, role="viewer")
    member_remove(user=alice, workspace=ws, member_id=bob.pk)      # members may also remove themselves
    members_list(user=bob, workspace=ws)                           # [{"user_id", "username", "role"}]

Only owners manage members and the workspace itself; a workspace always keeps an owner.
Every change leaves a line in the workspace's activity feed (services.activity).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils.text import slugify

from requests_app import access
from requests_app.models import Membership, Role, Workspace
from requests_app.services.activity import activity_record
from requests_app.services.errors import (
    AMBIGUOUS_EMAIL,
    DELETE_CONFIRMATION,
    LAST_OWNER,
    PERSONAL_WORKSPACE,
    PERSONAL_WORKSPACE_MEMBERS,
    UNKNOWN_EMAIL,
    UNKNOWN_USERNAME,
    NotFound,
    ValidationFailed,
)
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
        activity_record(user=user, verb="created", obj=workspace)
    access.set_role(workspace, user, Role.OWNER)
    return workspace


def workspace_update(*, user: AbstractBaseUser, workspace: Workspace, name: str) -> Workspace:
    """Rename (owners only)."""
    access.ensure_role(user, workspace, "own")
    old_name, workspace.name = workspace.name, clean_name(name)
    with transaction.atomic():
        Workspace.objects.filter(pk=workspace.pk).update(name=workspace.name)
        if workspace.name != old_name:
            activity_record(user=user, verb="renamed", obj=workspace, detail={"from": old_name})
    return workspace


def workspace_delete(*, user: AbstractBaseUser, workspace: Workspace, confirm: str | None = None) -> None:
    """Delete a shared workspace with everything in it (owners only; personal ones stay).

    `confirm`: the name as the person typed it (the page always asks); it must match exactly.
    """
    access.ensure_role(user, workspace, "own")
    if workspace.is_personal:
        raise ValidationFailed(PERSONAL_WORKSPACE, code="personal_workspace")
    if confirm is not None and confirm.strip() != workspace.name:
        raise ValidationFailed.for_field("confirm", DELETE_CONFIRMATION, code="confirmation_mismatch")
    workspace.delete()


def members_list(*, user: AbstractBaseUser, workspace: Workspace) -> list[dict[str, Any]]:
    """Members with their roles, owners first (any member may see who else is in)."""
    access.ensure_role(user, workspace, "read")
    rank = {Role.OWNER: 0, Role.EDITOR: 1, Role.VIEWER: 2}
    rows = Membership.objects.filter(workspace=workspace).values(
        "user_id", "user__username", "user__email", "role", "created_at"
    )
    members = [
        {"user_id": r["user_id"], "username": r["user__username"], "email": r["user__email"], "role": r["role"],
         "joined_at": r["created_at"]}
        for r in rows
    ]  # fmt: skip
    return sorted(members, key=lambda m: (rank.get(m["role"], 3), m["username"].lower()))


def _find_account(username: str | None, email: str | None) -> Any:
    accounts = get_user_model().objects.filter(is_active=True)
    if username and username.strip():
        member = accounts.filter(username__iexact=username.strip()).first()
        if member is None:
            raise ValidationFailed.for_field("username", UNKNOWN_USERNAME, code="unknown_user")
        return member
    if email and email.strip():
        found = list(accounts.filter(email__iexact=email.strip())[:2])
        if not found:
            raise ValidationFailed.for_field("email", UNKNOWN_EMAIL, code="unknown_user")
        if len(found) > 1:
            raise ValidationFailed.for_field("email", AMBIGUOUS_EMAIL, code="ambiguous_email")
        return found[0]
    raise ValidationFailed.for_field("username", "Give the username or the e-mail address of an account.",
                                     code="required")


def member_add(
    *, user: AbstractBaseUser, workspace: Workspace, role: str, username: str | None = None, email: str | None = None
) -> dict[str, Any]:
    """Add an existing account by username or e-mail (owners only); an existing member gets the new role."""
    access.ensure_role(user, workspace, "own")
    role = _clean_role(role)
    if workspace.is_personal:
        raise ValidationFailed(PERSONAL_WORKSPACE_MEMBERS, code="personal_workspace")
    member = _find_account(username, email)
    with transaction.atomic():
        membership, created = Membership.objects.get_or_create(workspace=workspace, user=member,
                                                               defaults={"role": role})
        if created:
            activity_record(user=user, verb="added", kind="member", workspace=workspace, name=member.get_username(),
                            object_id=member.pk, detail={"role": role})
    if not created and membership.role != role:
        return member_set_role(user=user, workspace=workspace, member_id=member.pk, role=role)
    return {"user_id": member.pk, "username": member.get_username(), "email": member.email, "role": membership.role,
            "joined_at": membership.created_at}


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
        if role != membership.role:
            activity_record(user=user, verb="changed", kind="member", workspace=workspace,
                            name=membership.user.get_username(), object_id=member_id,
                            detail={"role": role, "from": membership.role})
    return {"user_id": member_id, "username": membership.user.get_username(), "email": membership.user.email,
            "role": role, "joined_at": membership.created_at}


def member_remove(*, user: AbstractBaseUser, workspace: Workspace, member_id: int) -> None:
    """Remove a member (owners), or leave (anyone, for themselves); the last owner stays."""
    access.ensure_role(user, workspace, "read" if member_id == user.pk else "own")
    with transaction.atomic():
        membership = (
            Membership.objects.select_for_update().select_related("user")
            .filter(workspace=workspace, user_id=member_id).first()
        )
        if membership is None:
            raise NotFound("Member not found.")
        if membership.role == Role.OWNER and not _keeps_an_owner(workspace, member_id):
            raise ValidationFailed(LAST_OWNER, code="last_owner")
        membership.delete()
        activity_record(user=user, verb="left" if member_id == user.pk else "removed", kind="member",
                        workspace=workspace, name=membership.user.get_username(), object_id=member_id)

"""Invitation links: join a workspace with a role, even without an account yet.

Usage::

    from requests_app.services.invitations import (
        invitation_create, invitation_list, invitation_revoke, invitation_find, invitation_accept,
        invitation_accept_with_new_account)
    invitation, token = invitation_create(user=alice, workspace=ws, role="editor", email="dora@example.com")
    # the link carries `token`; only its SHA-256 is stored, so the link is shown once
    invitation_find(token=token)                   # the pending invitation, or InvitationRefused
    invitation_accept(token=token, user=bob)       # bob joins with the invitation's role
    user = invitation_accept_with_new_account(token=token, username="dora", password="…")
    invitation_revoke(user=alice, workspace=ws, invitation_id=invitation.pk)

A link works once, until it expires or an owner revokes it. Accepting one creates the account
even when sign-ups are closed (WEBCLIENT_SIGNUPS): the owner's invitation is the permission.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from requests_app import access
from requests_app.models import Invitation, Membership, Role, Workspace
from requests_app.services.accounts import account_create
from requests_app.services.activity import activity_record
from requests_app.services.errors import PERSONAL_WORKSPACE_MEMBERS, NotFound, ServiceError, ValidationFailed
from requests_app.services.validation import clean_email

DEFAULT_DAYS = 7
MAX_DAYS = 30
_ROLE_RANK = {Role.VIEWER: 1, Role.EDITOR: 2, Role.OWNER: 3}

INVITATION_UNKNOWN = "This invitation link is not valid. Check that you copied all of it, or ask for a new one."
INVITATION_EXPIRED = "This invitation link has expired. Ask an owner of the workspace for a new one."
INVITATION_USED = "This invitation link has already been used; each link works once. Ask for a new one."
INVITATION_REVOKED = "This invitation link was revoked by an owner of the workspace."
INVITATION_NOT_PENDING = "This invitation was already used, revoked or has expired."


class InvitationRefused(ServiceError):
    """A link that can't be used (any more); `code` says why: unknown, expired, used, revoked."""

    code = "invitation_unknown"
    default_message = INVITATION_UNKNOWN
    http_status = 410


def _refusal(invitation: Invitation | None) -> InvitationRefused | None:
    if invitation is None:
        error = InvitationRefused(INVITATION_UNKNOWN, code="invitation_unknown")
        error.http_status = 404
        return error
    if invitation.revoked_at is not None:
        return InvitationRefused(INVITATION_REVOKED, code="invitation_revoked")
    if invitation.accepted_at is not None:
        return InvitationRefused(INVITATION_USED, code="invitation_used")
    if invitation.expires_at <= timezone.now():
        return InvitationRefused(INVITATION_EXPIRED, code="invitation_expired")
    return None


def invitation_create(
    *, user: AbstractBaseUser, workspace: Workspace, role: str, email: str = "", days: int = DEFAULT_DAYS
) -> tuple[Invitation, str]:
    """A new link (owners only); returns (invitation, token). The token is not stored."""
    access.ensure_role(user, workspace, "own")
    if workspace.is_personal:
        raise ValidationFailed(PERSONAL_WORKSPACE_MEMBERS, code="personal_workspace")
    if role not in Role.values:
        raise ValidationFailed.for_field("role", f"must be one of {', '.join(Role.values)}")
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise ValidationFailed.for_field("days", f"must be a whole number of days from 1 to {MAX_DAYS}")
    email = clean_email(email)
    token = Invitation.new_token_text()
    with transaction.atomic():
        invitation = Invitation.objects.create(
            workspace=workspace, role=role, email=email, token_hash=Invitation.hash(token), created_by=user,
            expires_at=timezone.now() + timedelta(days=days),
        )  # fmt: skip
        activity_record(user=user, verb="invited", kind="invitation", workspace=workspace, object_id=invitation.pk,
                        name=email, detail={"role": role})
    return invitation, token


def invitation_list(*, user: AbstractBaseUser, workspace: Workspace) -> QuerySet[Invitation]:
    """The workspace's invitations, newest first (owners only: links grant access)."""
    access.ensure_role(user, workspace, "own")
    return Invitation.objects.filter(workspace=workspace).select_related("created_by", "accepted_by")


def invitation_revoke(*, user: AbstractBaseUser, workspace: Workspace, invitation_id: Any) -> Invitation:
    """Stop a pending link from working (owners only)."""
    access.ensure_role(user, workspace, "own")
    pk = access.parse_id(invitation_id)
    invitation = Invitation.objects.filter(workspace=workspace, pk=pk).first() if pk else None
    if invitation is None:
        raise NotFound("Invitation not found.")
    with transaction.atomic():
        revoked = Invitation.objects.filter(pk=invitation.pk, accepted_at=None, revoked_at=None).update(
            revoked_at=timezone.now()
        )
        if not revoked:
            raise ValidationFailed(INVITATION_NOT_PENDING, code="invitation_not_pending")
        activity_record(user=user, verb="revoked", kind="invitation", workspace=workspace, object_id=invitation.pk,
                        name=invitation.email, detail={"role": invitation.role})
    invitation.refresh_from_db()
    return invitation


def invitation_state(invitation: Invitation) -> str:
    """pending, accepted, revoked or expired."""
    if invitation.revoked_at is not None:
        return "revoked"
    if invitation.accepted_at is not None:
        return "accepted"
    return "pending" if invitation.is_pending else "expired"





def invitation_find(*, token: str) -> Invitation:
    """The pending invitation a link's token names; InvitationRefused says why it can't be used."""
    invitation = None
    if isinstance(token, str) and 0 < len(token) <= 200:
        invitation = Invitation.objects.select_related("workspace", "created_by").filter(
            token_hash=Invitation.hash(token)
        ).first()
    refusal = _refusal(invitation)
    if refusal is not None:
        raise refusal
    assert invitation is not None
    return invitation


def invitation_accept(*, token: str, user: AbstractBaseUser) -> Workspace:
    """Join the invitation's workspace (a member keeps a higher role); the link is then used up."""
    with transaction.atomic():
        invitation = invitation_find(token=token)
        # One conditional UPDATE: of two people using one link at once, exactly one gets in.
        used = Invitation.objects.filter(pk=invitation.pk, accepted_at=None, revoked_at=None,
                                         expires_at__gt=timezone.now()).update(accepted_at=timezone.now(),
                                                                               accepted_by=user)
        if not used:
            raise _refusal(Invitation.objects.get(pk=invitation.pk)) or InvitationRefused(INVITATION_USED,
                                                                                          code="invitation_used")
        membership, created = Membership.objects.get_or_create(
            workspace=invitation.workspace, user=user, defaults={"role": invitation.role}
        )
        if not created and _ROLE_RANK[membership.role] < _ROLE_RANK[invitation.role]:  # type: ignore[index]
            Membership.objects.filter(pk=membership.pk).update(role=invitation.role)
        activity_record(user=user, verb="joined", kind="member", workspace=invitation.workspace,
                        name=user.get_username(), object_id=user.pk, detail={"role": invitation.role})
    workspace = invitation.workspace
    access.set_role(workspace, user, max(membership.role, invitation.role, key=lambda r: _ROLE_RANK[r]))  # type: ignore[index]
    return workspace


def invitation_accept_with_new_account(
    *,
    token: str,
    username: str,
    password: str,
    email: str = "",
    create_account: Callable[..., AbstractBaseUser] | None = None,
) -> AbstractBaseUser:
    """Create an account and join with it, whatever WEBCLIENT_SIGNUPS says (the link is the permission).

    `create_account(username=, password=, email=)` defaults to services.accounts.account_create
    (the page passes the variant that adds the HTTP tour). A refused link creates nothing.
    """
    invitation_find(token=token)  # a clear refusal before any account is made
    make = create_account or account_create
    with transaction.atomic():
        user = make(username=username, password=password, email=email)
        invitation_accept(token=token, user=user)
    return user

"""Accounts and personal API tokens.

Usage::

    from requests_app.services.accounts import account_create, api_token_create, api_token_revoke
    user = account_create(username="alice", password="correct horse 9", email="a@example.com")
    user.personal_workspace          # the workspace the account owns from the start
    token, text = api_token_create(user=user, name="laptop")   # `text` is shown once, only hashed after
    api_token_revoke(user=user, token_id=token.pk)
"""

from __future__ import annotations

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from requests_app import access
from requests_app.models import ApiToken, Membership, Role, Workspace
from requests_app.services.errors import USERNAME_TAKEN, NotFound, ValidationFailed
from requests_app.services.validation import clean_email, clean_name
from requests_app.services.workspaces import unique_slug


def account_create(*, username: str, password: str, email: str = "") -> AbstractBaseUser:
    """Create a user and a personal workspace they own; ValidationFailed names the bad field.

    The password goes through Django's AUTH_PASSWORD_VALIDATORS.
    """
    User = get_user_model()
    username = (username or "").strip()
    if not username:
        raise ValidationFailed.for_field("username", "A username is required.")
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError as error:
        raise ValidationFailed.for_field("username", " ".join(error.messages)) from None
    if len(username) > 150:
        raise ValidationFailed.for_field("username", "must be at most 150 characters")
    email = clean_email(email)
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationFailed.for_field("username", USERNAME_TAKEN, code="username_taken")
    candidate = User(username=username, email=email)
    try:
        password_validation.validate_password(password, user=candidate)
    except ValidationError as error:
        raise ValidationFailed("password: " + " ".join(error.messages), fields={"password": error.messages}) from None
    try:
        with transaction.atomic():
            # the post_save receiver (requests_app/signals.py) gives the account its workspace
            user = User.objects.create_user(username=username, email=email, password=password)
    except IntegrityError:  # a concurrent signup took the name
        raise ValidationFailed.for_field("username", USERNAME_TAKEN, code="username_taken") from None
    return user


def personal_workspace_ensure(*, user: AbstractBaseUser) -> Workspace:
    """The workspace the account owns from the start, made if it has none.

    Runs for every new account however it was made (sign-up, `createsuperuser`, the admin,
    `create_user`), through a post_save receiver, so no account is left with nowhere to go.
    """
    workspace = Workspace.objects.filter(is_personal=True, memberships__user=user,
                                         memberships__role=Role.OWNER).order_by("pk").first()
    if workspace is None:
        with transaction.atomic():
            name = user.get_username()
            workspace = Workspace.objects.create(name=f"{name}'s workspace", slug=unique_slug(name), is_personal=True)
            Membership.objects.create(workspace=workspace, user=user, role=Role.OWNER)
    access.set_role(workspace, user, Role.OWNER)
    user.personal_workspace = workspace  # type: ignore[attr-defined]
    return workspace


def api_token_create(*, user: AbstractBaseUser, name: str) -> tuple[ApiToken, str]:
    """A new personal API token; returns (row, token text). Only the text's SHA-256 is stored."""
    text = ApiToken.new_token_text()
    token = ApiToken.objects.create(
        user=user, name=clean_name(name), token_hash=ApiToken.hash(text), hint=text[: len(ApiToken.PREFIX) + 4]
    )
    return token, text


def api_token_revoke(*, user: AbstractBaseUser, token_id: int) -> None:
    """Delete one of the user's tokens (someone else's token id answers NotFound)."""
    deleted, _ = ApiToken.objects.filter(user=user, pk=token_id).delete()
    if not deleted:
        raise NotFound("Token not found.")

"""Encryption at rest for secret variable values (Fernet, key derived from SECRET_KEY).

Usage::

    from requests_app.services.secrets import encrypt_secret, decrypt_secret
    token = encrypt_secret("s3cr3t")       # str, safe to store in a JSONField
    decrypt_secret(token)                  # "s3cr3t"; None when no configured key can read it
    secrets_reencrypt()                    # (moved, unreadable): every stored secret under SECRET_KEY

The key is HKDF-SHA256(SECRET_KEY, info=...). Rotating SECRET_KEY: put the old key first in
SECRET_KEY_FALLBACKS, and stored secrets stay readable; `manage.py reencrypt_secrets` then moves
them to the new key, after which the fallback can go. A secret no configured key can read acts
as an unset variable rather than a silently wrong value.
"""

from __future__ import annotations

import base64
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

MASK = "••••••"
_HKDF_INFO = b"webclient environment secrets v1"


@lru_cache(maxsize=4)
def _fernet(secret_key: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_HKDF_INFO).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt_secret(plain: str) -> str:
    return _fernet(settings.SECRET_KEY).encrypt(plain.encode()).decode("ascii")


def _all_keys() -> MultiFernet:
    """SECRET_KEY first (it encrypts), then SECRET_KEY_FALLBACKS (they only decrypt)."""
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", ())]
    return MultiFernet([_fernet(key) for key in keys])


def decrypt_secret(token: str) -> str | None:
    """The plain value, or None when neither SECRET_KEY nor a fallback key can read the token."""
    try:
        return _all_keys().decrypt(token.encode("ascii")).decode()
    except (InvalidToken, ValueError, UnicodeError):
        return None


def _reencrypt_tree(value: Any, counts: list[int]) -> Any:
    """`value` with every {"encrypted": token} under SECRET_KEY; counts = [moved, unreadable]."""
    if isinstance(value, list):
        return [_reencrypt_tree(item, counts) for item in value]
    if not isinstance(value, dict):
        return value
    out = {key: _reencrypt_tree(item, counts) for key, item in value.items()}
    token = value.get("encrypted")
    if isinstance(token, str) and token:
        out["encrypted"] = _reencrypt_token(token, counts)
    return out


def _reencrypt_token(token: str, counts: list[int]) -> str:
    """`token` under SECRET_KEY (unchanged when it already is, or when no key reads it)."""
    try:
        _fernet(settings.SECRET_KEY).decrypt(token.encode("ascii"))
    except (InvalidToken, ValueError, UnicodeError):
        try:
            rotated = _all_keys().rotate(token.encode("ascii")).decode("ascii")
            counts[0] += 1
            return rotated
        except (InvalidToken, ValueError, UnicodeError):
            counts[1] += 1
    return token


def secrets_reencrypt() -> tuple[int, int]:
    """Move every stored secret (environments and their versions, OAuth 2.0 tokens) to SECRET_KEY.

    Returns (moved, unreadable): secrets read with a SECRET_KEY_FALLBACKS key and re-encrypted,
    and secrets no configured key can read (left as they are).
    """
    from django.db import transaction

    from requests_app.models import Environment, OAuthToken, Revision

    counts = [0, 0]
    with transaction.atomic():
        for model, field in ((Environment, "variables"), (Revision, "data")):
            for obj in model.objects.select_for_update().only("pk", field).iterator():
                before = counts[0]
                value = _reencrypt_tree(getattr(obj, field), counts)
                if counts[0] != before:
                    model.objects.filter(pk=obj.pk).update(**{field: value})
        for token in OAuthToken.objects.select_for_update().only("pk", "access_token", "refresh_token").iterator():
            before = counts[0]
            access, refresh = (_reencrypt_token(t, counts) if t else t for t in (token.access_token, token.refresh_token))
            if counts[0] != before:
                OAuthToken.objects.filter(pk=token.pk).update(access_token=access, refresh_token=refresh)
    return counts[0], counts[1]

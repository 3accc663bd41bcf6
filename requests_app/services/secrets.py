"""Encryption at rest for secret variable values (Fernet, key derived from SECRET_KEY).

Usage::

    from requests_app.services.secrets import encrypt_secret, decrypt_secret
    token = encrypt_secret("s3cr3t")       # str, safe to store in a JSONField
    decrypt_secret(token)                  # "s3cr3t"; None when SECRET_KEY changed since

The key is HKDF-SHA256(SECRET_KEY, info=...), so rotating SECRET_KEY makes stored secrets
unreadable (they then act as unset variables) rather than silently wrong.
"""

from __future__ import annotations

import base64
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
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


def decrypt_secret(token: str) -> str | None:
    """The plain value, or None when the token can't be read (e.g. SECRET_KEY rotated)."""
    try:
        return _fernet(settings.SECRET_KEY).decrypt(token.encode("ascii")).decode()
    except (InvalidToken, ValueError, UnicodeError):
        return None

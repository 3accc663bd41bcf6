"""Replace secret values with their `{{name}}` in everything that gets stored or shown.

Usage::

    from requests_app.services.masking import SecretMasker
    masker = SecretMasker({"token": "s3cr3t-value"})
    masker.text("Authorization: Bearer s3cr3t-value")     # "Authorization: Bearer {{token}}"
    masker.text("Authorization: Basic " + b64("me:s3cr3t-value"))   # Basic of "me:{{token}}"
    masker.deep(exchange_dict)       # every string in nested dicts/lists, base64 fields decoded first

Besides the plain value it catches the forms a value takes on the way out: percent-encoded
(path and query styles), JSON-escaped, Latin-1 view of its UTF-8 bytes (wire text), base64 of
the value alone, and HTTP Basic credentials containing it (decoded, masked, re-encoded).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, TypeVar

from requests_app.engine.encodings import base64_forms, encoded_forms
from requests_app.services.secrets import MASK

_BASIC = re.compile(r"(Basic\s+)([A-Za-z0-9+/]{4,}={0,2})")
# Streamed masking keeps this much of each window for the next one, so a secret (or a Basic
# credential shorter than this) cut by a window's end is seen whole in the next.
STREAM_OVERLAP_CHARS = 8 * 1024
_Piece = TypeVar("_Piece", str, bytes)
_BASE64_KEYS = ("base64", "body_base64")


def _forms(value: str) -> set[str]:
    """Every form the engine itself writes the value in (engine.encodings: query, path, form,
    multipart, JSON, Latin-1 wire text, base64 at any alignment), for values of any length;
    base64 fragments only where long enough not to match unrelated text."""
    forms = encoded_forms(value) | base64_forms(value)
    forms.discard("")
    return forms


class SecretMasker:
    """Masks {name: secret value}; with no secrets every method returns its input unchanged."""

    def __init__(self, secrets: Mapping[str, str]) -> None:
        self._secrets = dict(secrets)
        replacements: dict[str, str] = {}
        # Longer secrets first, so a secret containing another is masked whole.
        for name, value in sorted(secrets.items(), key=lambda item: -len(item[1])):
            if not value:
                continue
            for form in _forms(value):
                replacements.setdefault(form, "{{" + name + "}}")
        self._replacements = replacements
        needles = sorted(replacements, key=len, reverse=True)
        self._pattern = re.compile("|".join(map(re.escape, needles))) if needles else None
        self._overlap = max(STREAM_OVERLAP_CHARS, 2 * max(map(len, needles), default=0))
        self._byte_replacements = {k.encode("utf-8"): v.encode("utf-8") for k, v in replacements.items()}
        self._byte_pattern = (
            re.compile(b"|".join(map(re.escape, sorted(self._byte_replacements, key=len, reverse=True))))
            if needles
            else None
        )

    def with_secrets(self, more: Mapping[str, str]) -> SecretMasker:
        """A masker for these secrets and `more`."""
        return SecretMasker({**self._secrets, **more})
    def __bool__(self) -> bool:
        return self._pattern is not None

    def text(self, value: str) -> str:
        if self._pattern is None or not value:
            return value
        value = _BASIC.sub(self._mask_basic, value)
        return self._pattern.sub(lambda match: self._replacements[match.group(0)], value)

    def bytes(self, value: bytes) -> bytes:
        if self._byte_pattern is None or not value:
            return value
        return self._byte_pattern.sub(lambda match: self._byte_replacements[match.group(0)], value)

    def text_stream(self, pieces: Iterable[str]) -> Iterator[str]:
        """`text` over a text that comes in pieces (a body read from disk): the same result, a window at a time."""
        if self._pattern is None:
            return iter(pieces)
        return _windows(pieces, (_BASIC, self._pattern), self.text, self._overlap)

    def bytes_stream(self, pieces: Iterable[bytes]) -> Iterator[bytes]:
        """`bytes` over bytes that come in pieces."""
        if self._byte_pattern is None:
            return iter(pieces)
        return _windows(pieces, (self._byte_pattern,), self.bytes, self._overlap)

    def _mask_basic(self, match: re.Match[str]) -> str:
        try:
            decoded = base64.b64decode(match.group(2), validate=True).decode("utf-8")
        except (binascii.Error, ValueError):
            return match.group(0)
        assert self._pattern is not None
        masked = self._pattern.sub(lambda m: self._replacements[m.group(0)], decoded)
        if masked == decoded:
            return match.group(0)
        return match.group(1) + base64.b64encode(masked.encode("utf-8")).decode("ascii")

    def _base64(self, value: str) -> str:
        try:
            raw = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            return self.text(value)
        masked = self.bytes(raw)
        return value if masked == raw else base64.b64encode(masked).decode("ascii")

    def deep(self, value: Any) -> Any:
        """A copy of nested dicts/lists/tuples with every string (and base64 payload) masked."""
        if self._pattern is None:
            return value
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, Mapping):
            return {
                key: self._base64(item) if key in _BASE64_KEYS and isinstance(item, str) else self.deep(item)
                for key, item in value.items()
            }
        if isinstance(value, (list, tuple)):
            return [self.deep(item) for item in value]
        return value


def _uncrossed_cut(buffer: _Piece, cut: int, patterns: tuple[re.Pattern[Any], ...], overlap: int) -> int:
    """The greatest cut at or before `cut` that no match of any pattern crosses."""
    moved = True
    while moved and cut > 0:
        moved = False
        for pattern in patterns:
            for match in pattern.finditer(buffer, max(0, cut - overlap)):
                if match.start() >= cut:
                    break
                if match.end() > cut:
                    cut, moved = match.start(), True
                    break
    return cut


def _windows(
    pieces: Iterable[_Piece], patterns: tuple[re.Pattern[Any], ...], mask: Any, overlap: int
) -> Iterator[_Piece]:
    """Mask each window up to a cut no match crosses; what follows the cut waits for the next piece.

    A match that ends before the cut is found alike in the window and in the whole text (the
    needles are literals; a Basic credential is shorter than the overlap), so the result equals
    masking the whole text at once. Matches are looked for only near the cut: each window costs
    its length, whatever the body holds.
    """
    carry: _Piece | None = None
    for piece in pieces:
        buffer = piece if carry is None else carry + piece
        cut = _uncrossed_cut(buffer, len(buffer) - overlap, patterns, overlap)
        if cut <= 0:
            carry = buffer
            continue
        yield mask(buffer[:cut])
        carry = buffer[cut:]
    if carry:
        yield mask(carry)


# ---------------------------------------------------------------- auth credentials (issue 13 item 3)
# A saved request's (or collection's) Basic/Digest password, bearer token and API key value are
# secrets for viewers, like secret variables: shown as the mask, masked in their history, and a
# mask sent back from the editor stands for the stored value.

# The auth fields whose values are credentials, per auth type (engine.spec.auth_to_dict shapes).
AUTH_SECRET_FIELDS = {
    "basic": ("password",),
    "digest": ("password",),
    "bearer": ("token",),
    "apikey": ("value",),
    "awsv4": ("secret_key", "session_token"),
    "oauth2": ("client_secret", "password"),
}
_VARIABLE_REFERENCE = re.compile(r"^\{\{[^{}]+\}\}$")


def _is_literal(value: Any) -> bool:
    return isinstance(value, str) and bool(value) and not _VARIABLE_REFERENCE.match(value)


def credentials_masked(auth: Any) -> Any:
    """A copy of an auth dict with its credential values as the mask; {{variable}} references stay readable.

    Stored encrypted values ({"encrypted": …}, revisions) are masked too.
    """
    if not isinstance(auth, Mapping):
        return auth
    names = AUTH_SECRET_FIELDS.get(str(auth.get("type")), ())
    return {
        key: (MASK if key in names and (_is_literal(item) or (isinstance(item, Mapping) and "encrypted" in item))
              else item)
        for key, item in auth.items()
    }  # fmt: skip


def credentials_unmasked(auth: Any, stored: Any) -> Any:
    """`auth` with credential values still equal to the mask replaced by `stored`'s (same auth type)."""
    if not isinstance(auth, Mapping) or not isinstance(stored, Mapping) or auth.get("type") != stored.get("type"):
        return auth
    names = AUTH_SECRET_FIELDS.get(str(auth.get("type")), ())
    return {key: (stored.get(key, "") if key in names and item == MASK else item) for key, item in auth.items()}


def credential_secrets(*auths: Any) -> dict[str, str]:
    """{"auth.password": value, …}: literal credential values of stored auth dicts, for a SecretMasker."""
    found: dict[str, str] = {}
    for auth in auths:
        if not isinstance(auth, Mapping):
            continue
        for name in AUTH_SECRET_FIELDS.get(str(auth.get("type")), ()):
            value = auth.get(name)
            if _is_literal(value) and value not in found.values():
                found[f"auth.{name}" if f"auth.{name}" not in found else f"auth.{name}.{len(found)}"] = value
    return found

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
import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, quote_plus

# Encoded and base64 forms of very short values would match unrelated text.
_MIN_LENGTH_FOR_DERIVED_FORMS = 6
_BASIC = re.compile(r"(Basic\s+)([A-Za-z0-9+/]{4,}={0,2})")
_BASE64_KEYS = ("base64", "body_base64")


def _forms(value: str) -> set[str]:
    forms = {value}
    if len(value) >= _MIN_LENGTH_FOR_DERIVED_FORMS:
        forms.add(quote(value, safe=""))
        forms.add(quote(value))
        forms.add(quote_plus(value))
        forms.add(json.dumps(value)[1:-1])
        forms.add(value.encode("utf-8").decode("latin-1"))
        raw = value.encode("utf-8")
        for encoded in (base64.b64encode(raw), base64.urlsafe_b64encode(raw)):
            forms.add(encoded.decode("ascii").rstrip("="))
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

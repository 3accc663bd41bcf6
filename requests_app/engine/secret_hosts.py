"""Secrets bound to the hosts they may be sent to, checked before every hop leaves.

Usage::

    from requests_app.engine.secret_hosts import BoundSecret, SecretScope
    scope = SecretScope(
        secrets=(BoundSecret("token", "s3cr3t-value", hosts=("api.example.com", "*.example.org")),),
        unbound_allowed=False,      # viewers in team mode: secrets with no hosts go nowhere
    )
    exchange = send(spec, policy=policy, variables=[...], secrets=scope)
    exchange.error.code           # "secret_host" when {{token}} would go to another host

A secret with hosts may go only to those hosts (exact names, or `*.example.com` for any name
under example.com, not example.com itself), whoever sends it. A secret without hosts may go
anywhere when `unbound_allowed`, else nowhere. The engine looks at what each hop would carry:
on the first hop the variables the request uses (nested ones too) and, on every hop, the
secret values in the URL, the headers (Basic credentials decoded) and the body in any encoding
the engine writes (engine.encodings) — so a redirect elsewhere, or a script that copies a
secret's value into another request, is refused too. The error names the variable, never its value.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from requests_app.engine.encodings import base64_forms, encoded_forms
from requests_app.engine.exchange import BLOCKED, ExchangeError

SECRET_HOST = "secret_host"
SECRET_UNBOUND = "secret_unbound"
# Shorter values are looked for only where a request uses the variable by name: as plain text they
# would turn up in unrelated requests.
MIN_SEARCHED_LENGTH = 6
_BASIC = re.compile(r"^\s*Basic\s+([A-Za-z0-9+/=]+)\s*$", re.IGNORECASE)
_HOST_PATTERN = re.compile(r"(\*\.)?(?:[a-z0-9_\-]{1,63}\.)*[a-z0-9_\-]{1,63}|\[[0-9a-f:.]+\]")


def clean_host_pattern(text: str) -> str | None:
    """A host pattern in canonical form ("api.example.com", "*.example.com", "[::1]"), or None if invalid."""
    pattern = text.strip().lower().rstrip(".")
    if pattern and pattern.isascii() and _HOST_PATTERN.fullmatch(pattern):
        return pattern
    try:
        ascii_name = pattern.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    return ascii_name if _HOST_PATTERN.fullmatch(ascii_name) else None


def host_matches(host: str, patterns: Iterable[str]) -> bool:
    """Whether `host` (as the engine's Target has it) is one of `patterns`."""
    name = host.lower().rstrip(".")
    if ":" in name and not name.startswith("["):
        name = f"[{name}]"
    for pattern in patterns:
        if pattern.startswith("*."):
            if name.endswith(pattern[1:]) and len(name) > len(pattern) - 1:
                return True
        elif name == pattern:
            return True
    return False


@dataclass(frozen=True)
class BoundSecret:
    name: str
    value: str
    hosts: tuple[str, ...] = ()  # canonical patterns (clean_host_pattern); empty: not bound


@dataclass(frozen=True)
class SecretScope:
    secrets: tuple[BoundSecret, ...] = ()
    unbound_allowed: bool = True  # may secrets without hosts be sent (editors and owners)?
    carried: tuple[str, ...] = ()  # names the caller knows the request carries (e.g. its stored auth)
    _forms: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False, repr=False)

    def refusal(self, *, host: str, used: Iterable[str], url: str, headers: Sequence[tuple[str, str]],
                body: bytes, first_hop: bool = True) -> ExchangeError | None:
        """The error for the first secret this hop may not carry to `host`, or None.

        `used`: the variables the request uses; on a redirect hop (`first_hop` False) one counts
        only while its value is still in what the hop sends.
        """
        refused = [secret for secret in self.secrets if not self._may_go(secret, host)]
        if not refused:
            return None
        used = {*used, *self.carried}
        haystack: str | None = None
        for secret in refused:
            if secret.name in used and first_hop:
                return self._error(secret, host)
            if haystack is None:
                haystack = _text_sent(url, headers)
            if len(secret.value) < MIN_SEARCHED_LENGTH:
                if secret.name in used and (secret.value in haystack or _in_body((secret.value,), body)):
                    return self._error(secret, host)
                continue
            forms = self._forms_of(secret)
            if any(form in haystack for form in forms) or _in_body(forms, body):
                return self._error(secret, host)
        return None

    def _may_go(self, secret: BoundSecret, host: str) -> bool:
        if secret.hosts:
            return host_matches(host, secret.hosts)
        return self.unbound_allowed

    def _forms_of(self, secret: BoundSecret) -> tuple[str, ...]:
        if secret.name not in self._forms:
            self._forms[secret.name] = tuple(encoded_forms(secret.value) | base64_forms(secret.value))
        return self._forms[secret.name]

    @staticmethod
    def _error(secret: BoundSecret, host: str) -> ExchangeError:
        name = "{{" + secret.name + "}}"
        if secret.hosts:
            return ExchangeError(
                BLOCKED,
                f"The secret {name} may be sent only to {', '.join(secret.hosts)}; this request would send it "
                f"to {host}. Nothing was sent.",
                code=SECRET_HOST,
            )
        return ExchangeError(
            BLOCKED,
            f"The secret {name} has no allowed hosts, so only editors and owners can send it; this request "
            f"would send it to {host}. Nothing was sent. An editor can list the hosts it may go to.",
            code=SECRET_UNBOUND,
        )


def _text_sent(url: str, headers: Sequence[tuple[str, str]]) -> str:
    lines = [url]
    for name, value in headers:
        lines.append(f"{name}: {value}")
        basic = _BASIC.match(value) if name.lower() in ("authorization", "proxy-authorization") else None
        if basic:
            try:
                lines.append(base64.b64decode(basic.group(1), validate=True).decode("utf-8", "replace"))
            except (binascii.Error, ValueError):
                pass
    return "\n".join(lines)


def _in_body(forms: Iterable[str], body: bytes) -> bool:
    if not body:
        return False
    return any(form.encode("utf-8") in body for form in forms)

"""Helpers for the send() tests: a policy that never asks a real DNS server, and short calls.

Tests reach 127.0.0.1 only. Names other than localhost never leave the process: the
resolver below answers them as unresolvable, the same OSError path getaddrinfo takes.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Mapping, Sequence
from typing import Any

from requests_app.engine import CookieJar, OutboundPolicy, send
from requests_app.engine.exchange import Exchange
from requests_app.engine.policy import Resolver
from requests_app.engine.spec import RequestSpec

LOOPBACK_NAMES = {"localhost": "127.0.0.1"}


def loopback_resolver(host: str, port: int, *args: Any, **kwargs: Any) -> list[tuple[Any, ...]]:
    try:
        # inet_aton reads the numeric spellings getaddrinfo accepts: 127.1, 0x7f.1, 2130706433.
        address = socket.inet_ntoa(socket.inet_aton(LOOPBACK_NAMES.get(host, host)))
    except OSError:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known") from None
    if not address.startswith("127."):
        raise AssertionError(f"a test tried to reach {address}: only 127.0.0.0/8 is allowed")
    return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port))]


class OfflinePolicy(OutboundPolicy):
    """The real policy, judging what the loopback-only resolver answers."""

    def approve(self, host: str, port: int, *, resolver: Resolver | None = None) -> list[str]:
        return super().approve(host, port, resolver=resolver or loopback_resolver)


ALLOW_ALL = OfflinePolicy()


def send_spec(
    spec: RequestSpec,
    *,
    policy: OutboundPolicy = ALLOW_ALL,
    cookie_jar: CookieJar | None = None,
    variables: Sequence[Mapping[str, str]] = (),
    ca_file: str | None = None,
) -> Exchange:
    return send(spec, policy=policy, cookie_jar=cookie_jar, variables=variables, ca_file=ca_file)


def send_to(url: str, **spec_fields: Any) -> Exchange:
    return send_spec(RequestSpec(url=url, **spec_fields))


def echoed(exchange: Exchange) -> dict[str, Any]:
    """The playground's JSON echo of what arrived, after checking nothing went wrong."""
    assert exchange.error is None, exchange.error
    assert exchange.response is not None
    data: dict[str, Any] = json.loads(exchange.response.body)
    return data


def header_values(echo: dict[str, Any], name: str) -> list[str]:
    return [value for key, value in echo["headers"] if key.lower() == name.lower()]

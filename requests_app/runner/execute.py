"""A plan sent through the engine: one keep-alive pool and one cookie jar per run.

Usage::

    outcome = send_plan(items, policy=OutboundPolicy.allow_all(), max_request_body_bytes=50 * 2**20,
                        iterations=3, data_rows=rows, collection_vars={...}, environment_vars={...})

The caller supplies the outbound policy and limits (services read them from settings).
A run starts with an empty cookie jar and keeps none; its connections are closed when it ends.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from requests_app.engine import send
from requests_app.engine.cookies import CookieJar
from requests_app.engine.exchange import Exchange
from requests_app.engine.keepalive import ConnectionPool
from requests_app.engine.policy import OutboundPolicy
from requests_app.engine.secret_hosts import SecretScope
from requests_app.engine.spec import RequestSpec
from requests_app.runner.loop import PlanItem, RunOutcome, run_plan

BeforeSend = Callable[[RequestSpec, Sequence[Mapping[str, str]]], list[str]]


def send_plan(
    items: Sequence[PlanItem],
    *,
    policy: OutboundPolicy,
    max_request_body_bytes: int,
    secrets: SecretScope | None = None,
    before_send: BeforeSend | None = None,
    **run_settings: Any,
) -> RunOutcome:
    """run_plan with `send_fn` = engine.send over this run's pool and jar; `run_settings` go to run_plan.

    `before_send(spec, variables)` may change a copy of each step's spec just before it goes
    (an OAuth 2.0 token refreshed and set); the warnings it returns join the exchange's.
    `secrets`: where each secret variable may be sent (engine.secret_hosts), for every request of the run.
    """
    jar = CookieJar()
    with ConnectionPool() as pool:

        def send_fn(spec: RequestSpec, variables: Sequence[Mapping[str, str]]) -> Exchange:
            warnings: list[str] = []
            if before_send is not None:
                spec = spec.copy(auth=replace(spec.auth))
                warnings = before_send(spec, variables)
            exchange = send(
                spec,
                policy=policy,
                cookie_jar=jar,
                variables=variables,
                max_request_body_bytes=max_request_body_bytes,
                connections=pool,
                secrets=secrets,
            )
            exchange.warnings[:0] = warnings
            return exchange

        return run_plan(items, send_fn=send_fn, **run_settings)

"""Rate limits on the API's expensive operations (issue 13 item 6): execute, runs, import.

Each limited operation names a scope; WEBCLIENT_API_RATES gives its rate ("120/min"), counted
twice: per person (all their tokens and their session together) and per API token, so one leaked
CI token is held back on its own. Counts live in the default cache: Redis (CACHE_URL) in team
mode, shared by every web process; per process in local mode. Over the rate the API answers 429
with Retry-After, in its error shape (code "throttled").

    class ExecuteView(APIView):
        throttle_scope = "execute"
        throttle_classes = LIMITS
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from requests_app.services.rate_window import CACHE_UNAVAILABLE

logger = logging.getLogger(__name__)


class _ScopedRate(SimpleRateThrottle):
    """DRF's cache-backed throttle, its rate looked up by the view's `throttle_scope`."""

    def __init__(self) -> None:  # the rate is known only with the view, in allow_request
        pass

    def allow_request(self, request: Request, view: Any) -> bool:
        self.scope = getattr(view, "throttle_scope", "")
        self.rate = settings.WEBCLIENT_API_RATES.get(self.scope) if self.scope else None
        if not self.rate:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        try:
            return super().allow_request(request, view)
        except CACHE_UNAVAILABLE:  # Redis down: let the operation say what it needs (a run: the queue)
            logger.warning("API rate %s not counted: the cache is unavailable", self.scope, exc_info=True)
            return True


class PerUserRate(_ScopedRate):
    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if not request.user or not request.user.is_authenticated:
            return None
        return f"throttle:{self.scope}:user:{request.user.pk}"


class PerTokenRate(_ScopedRate):
    def get_cache_key(self, request: Request, view: Any) -> str | None:
        token_id = getattr(request.auth, "pk", None)
        return None if token_id is None else f"throttle:{self.scope}:token:{token_id}"


LIMITS = [PerUserRate, PerTokenRate]


class ThrottledActions:
    """For viewsets: `throttled_actions = {"execute": "execute"}` limits those actions by scope."""

    throttled_actions: dict[str, str] = {}

    def get_throttles(self) -> list[Any]:
        scope = self.throttled_actions.get(getattr(self, "action", "") or "")
        if not scope:
            return super().get_throttles()  # type: ignore[misc, no-any-return]
        self.throttle_scope = scope
        return [throttle() for throttle in LIMITS]

"""Fixed one-minute windows counted in the default cache (Redis in team mode, shared by every
web process; per process in local mode), for limits DRF throttles do not cover (the playground,
mock servers).

    used, retry_after = count_this_minute("echo-heavy:u7")
    if used > limit: ...  # answer 429 with Retry-After: retry_after
"""

from __future__ import annotations

import logging
import time

from django.core.cache import cache

logger = logging.getLogger(__name__)

try:  # the errors of the cache in team mode (Redis) when it cannot be reached
    from redis.exceptions import RedisError

    CACHE_UNAVAILABLE: tuple[type[BaseException], ...] = (RedisError, OSError)
except ImportError:  # pragma: no cover - redis is a requirement; local caches raise none of these
    CACHE_UNAVAILABLE = (OSError,)


def count_this_minute(name: str) -> tuple[int, int]:
    """(calls counted for `name` in this minute, this one included; seconds until the minute ends).

    A cache that cannot be reached counts nothing (0): a limit is not worth an outage of what it
    protects, and the failure is logged (docs/security.md, abuse limits).
    """
    now = time.time()
    key = f"{name}:{int(now // 60)}"
    try:
        cache.add(key, 0, timeout=70)
        try:
            used = cache.incr(key)
        except ValueError:  # expired or evicted between add and incr
            cache.add(key, 1, timeout=70)
            used = 1
    except CACHE_UNAVAILABLE:
        logger.warning("rate limit %s not counted: the cache is unavailable", name.split(":", 1)[0], exc_info=True)
        used = 0
    return used, 60 - int(now % 60)

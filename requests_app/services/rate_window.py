"""Fixed one-minute windows counted in the default cache (Redis in team mode, shared by every
web process; per process in local mode), for limits DRF throttles do not cover (the playground,
mock servers).

    used, retry_after = count_this_minute("echo-heavy:u7")
    if used > limit: ...  # answer 429 with Retry-After: retry_after
"""

from __future__ import annotations

import time

from django.core.cache import cache


def count_this_minute(name: str) -> tuple[int, int]:
    """(calls counted for `name` in this minute, this one included; seconds until the minute ends)."""
    now = time.time()
    key = f"{name}:{int(now // 60)}"
    cache.add(key, 0, timeout=70)
    try:
        used = cache.incr(key)
    except ValueError:  # expired or evicted between add and incr
        cache.add(key, 1, timeout=70)
        used = 1
    return used, 60 - int(now % 60)

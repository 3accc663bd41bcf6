"""Reading webclient's environment variables, without importing Django.

settings.py builds Django's settings from these helpers. The engine's own settings (outbound
policy and size limits) are read here too, because `manage.py run_collection --file` runs a
collection without starting Django (requests_app/runner/cli.py) and must obey the same
policy as the server: one reading, two users.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

MODES = ("local", "team")


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def webclient_mode() -> str:
    mode = env_str("WEBCLIENT_MODE", "local")
    if mode not in MODES:
        raise RuntimeError("WEBCLIENT_MODE must be 'local' or 'team'")
    return mode


@dataclass(frozen=True)
class EngineSettings:
    """What every outbound request obeys (README, "Configuration")."""

    # allow_all: people test their own localhost APIs (local default).
    # public_only: refuse loopback, private, link-local, metadata... (team default).
    outbound: str
    outbound_allow: list[str]
    outbound_deny: list[str]
    max_response_bytes: int
    max_request_body_bytes: int
    # Pre-request and test scripts: wall time per script, heap of one run's script context.
    script_timeout_ms: int = 1000
    script_max_memory_mb: int = 64


def engine_settings() -> EngineSettings:
    team_mode = webclient_mode() == "team"
    return EngineSettings(
        outbound=env_str("WEBCLIENT_OUTBOUND", "public_only" if team_mode else "allow_all"),
        outbound_allow=env_list("WEBCLIENT_OUTBOUND_ALLOW"),
        outbound_deny=env_list("WEBCLIENT_OUTBOUND_DENY"),
        max_response_bytes=env_int("WEBCLIENT_MAX_RESPONSE_BYTES", 10 * 1024 * 1024),
        max_request_body_bytes=env_int("WEBCLIENT_MAX_REQUEST_BODY_BYTES", 50 * 1024 * 1024),
        script_timeout_ms=_positive("WEBCLIENT_SCRIPT_TIMEOUT_MS", 1000, 600_000),
        script_max_memory_mb=_positive("WEBCLIENT_SCRIPT_MAX_MEMORY_MB", 64, 4096),
    )


def _positive(name: str, default: int, high: int) -> int:
    value = env_int(name, default)
    if not 1 <= value <= high:
        raise ValueError(f"{name} must be between 1 and {high}")
    return value

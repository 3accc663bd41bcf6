"""What a script is and what limits it runs under; importing this does not load the JavaScript engine."""

from __future__ import annotations

from dataclasses import dataclass

EVENTS = ("prerequest", "test")


@dataclass(frozen=True)
class ScriptSource:
    owner: str  # "collection", "folder 'Users'", "request"
    text: str


DEFAULT_TIMEOUT_MS = 1000
DEFAULT_MAX_MEMORY_MB = 64
MAX_SEND_REQUESTS = 10  # pm.sendRequest calls per script event


@dataclass(frozen=True)
class ScriptLimits:
    timeout_ms: int = DEFAULT_TIMEOUT_MS  # wall time of one script (WEBCLIENT_SCRIPT_TIMEOUT_MS)
    max_memory_mb: int = DEFAULT_MAX_MEMORY_MB  # heap of one run's context (WEBCLIENT_SCRIPT_MAX_MEMORY_MB)
    max_send_requests: int = MAX_SEND_REQUESTS

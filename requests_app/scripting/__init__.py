"""Postman-style pre-request and test scripts in a sandboxed JavaScript engine. No Django.

See context.py (the sandbox and the pm API's data protocol) and docs/architecture.md, "Scripts".
"""

from requests_app.scripting.context import (
    EVENTS,
    SCOPES,
    EventOutcome,
    ScriptContext,
    ScriptError,
    ScriptLimits,
    ScriptSource,
    ScriptTest,
)

__all__ = ["EVENTS", "SCOPES", "EventOutcome", "ScriptContext", "ScriptError", "ScriptLimits", "ScriptSource", "ScriptTest"]

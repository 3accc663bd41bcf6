"""One sandboxed JavaScript context (a V8 isolate through mini-racer) for one run. No Django.

Usage::

    limits = ScriptLimits(timeout_ms=1000, max_memory_mb=64)
    with ScriptContext(limits) as ctx:                      # the libraries load once per context
        outcome = ctx.run_event(
            "prerequest",
            [ScriptSource("collection", "pm.environment.set('t', Date.now())")],
            request={"method": "GET", "url": "{{base}}/x", "params": [], "headers": [], "body": None},
            response=None,
            variables={"globals": {}, "collectionVariables": {}, "environment": {}, "iterationData": {}, "_variables": {}},
            info={"requestName": "x", "requestId": "1", "iteration": 0, "iterationCount": 1},
            send_request=lambda req: {"error": None, "response": {...}},   # pm.sendRequest, through the engine
        )
        outcome.tests, outcome.errors, outcome.console, outcome.variables, outcome.request, outcome.next_request

Scripts see only what the input holds and the pm API (pm.js); the isolate has no file, process
or network access of its own — pm.sendRequest is queued in JavaScript and sent by the caller's
`send_request`, whose reply is handed back to the script's callback. Each script runs under a
wall-time limit enforced by V8 (TerminateExecution from another thread, so a busy loop cannot
escape it) and the isolate under a hard heap limit. After a memory-limit error the isolate is
dead: the context starts a fresh one for the next script (the run's variables live in Python).
"""

from __future__ import annotations

import json
import os
import queue
import re
import struct
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from py_mini_racer import JSEvalException, JSOOMException, JSParseException, JSTimeoutException, MiniRacer
from py_mini_racer._context import _UNCANCELABLE_TASK_CALLBACK_ID as _UNCANCELABLE

from requests_app.scripting.sources import ScriptLimits, ScriptSource

HERE = Path(__file__).resolve().parent
VENDOR = ("chai.js", "crypto-js.js", "lodash.min.js", "uuid.min.js", "moment.min.js")
SCOPES = ("globals", "collectionVariables", "environment", "iterationData", "_variables")

_SOURCES: list[str] | None = None
CANCEL_GRACE_S = 2.0
_ASYNC_WORDS = ("async", "await", "Promise", ".then", "queueMicrotask")
_PARSE_LINE = re.compile(r"(?:<anonymous>|wc-script-\d+\.js):(\d+): (\w+): (.*)")


def _library_sources() -> list[str]:
    global _SOURCES
    if _SOURCES is None:
        files = [HERE / "prelude.js", *(HERE / "vendor" / name for name in VENDOR), HERE / "pm.js"]
        _SOURCES = [path.read_text(encoding="utf-8") for path in files]
    return _SOURCES


@dataclass
class ScriptError:
    """A script that did not finish: `name` is SyntaxError, TypeError, ScriptTimeout, ScriptMemoryLimit …"""

    name: str
    message: str
    owner: str = ""
    event: str = ""
    line: int | None = None
    column: int | None = None

    def describe(self) -> str:
        where = f" at line {self.line}, column {self.column}" if self.line is not None else ""
        label = "pre-request" if self.event == "prerequest" else self.event
        return f"{self.owner} {label} script: {self.name}: {self.message}{where}".strip()


@dataclass
class ScriptTest:
    name: str
    passed: bool
    skipped: bool = False
    error: str = ""


@dataclass
class EventOutcome:
    tests: list[ScriptTest] = field(default_factory=list)
    errors: list[ScriptError] = field(default_factory=list)
    console: list[dict[str, str]] = field(default_factory=list)
    variables: dict[str, dict[str, Any]] = field(default_factory=dict)  # only the scopes that changed
    request: dict[str, Any] | None = None  # the request as the scripts left it, when they changed it
    next_request: tuple[bool, str | None] = (False, None)  # (set?, name or None to stop)
    skip: bool = False


SendRequest = Callable[[dict[str, Any]], dict[str, Any]]


class ScriptContext:
    def __init__(self, limits: ScriptLimits | None = None) -> None:
        self.limits = limits or ScriptLimits()
        self._racer: MiniRacer | None = None
        self._compiled: dict[str, int] = {}

    def __enter__(self) -> ScriptContext:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._racer is not None:
            self._racer.close()
            self._racer = None
            self._compiled = {}

    def _ctx(self) -> MiniRacer:
        if self._racer is None:
            racer = MiniRacer()
            racer.set_hard_memory_limit(self.limits.max_memory_mb * 2**20)
            for source in _library_sources():
                racer.eval(source)
            self._racer = racer
        return self._racer

    def _eval(self, code: str) -> Any:
        racer = self._ctx()
        inner = getattr(racer, "_ctx", None)
        if inner is None or not hasattr(inner, "_non_cancelable_mr_task_results_queue"):
            return racer.eval(code, timeout=self.limits.timeout_ms)  # another mini-racer: its public path
        # mini-racer's public eval goes through its asyncio thread (four thread switches, ≈ 0.7 ms
        # on a busy machine); its synchronous task path is two. V8 is asked to stop the task at the
        # time limit (mr_cancel_task → TerminateExecution); the context is then dropped, so a late
        # result can never be read as the next one's.
        handle = inner._python_to_value_handle(code)
        task = inner._dll.mr_eval(inner._ctx, handle.raw, _UNCANCELABLE)
        results = inner._non_cancelable_mr_task_results_queue
        try:
            value = results.get(timeout=self.limits.timeout_ms / 1000)
        except queue.Empty:
            inner._dll.mr_cancel_task(inner._ctx, task)
            try:
                results.get(timeout=CANCEL_GRACE_S)
            except queue.Empty:
                pass
            self.close()
            raise JSTimeoutException from None
        return inner._value_handle_to_python(value)

    def _function(self, text: str) -> int:
        """The index of the script compiled as a function; raises JSParseException for a syntax error."""
        index = self._compiled.get(text)
        if index is None:
            number = len(self._compiled)
            index = self._eval(f"__wc.define(function () {{\n{text}\n}})\n//# sourceURL=wc-script-{number}.js")
            self._compiled[text] = index
        return index

    def run_event(
        self,
        event: str,
        scripts: Sequence[ScriptSource],
        *,
        request: Mapping[str, Any],
        response: Mapping[str, Any] | None,
        variables: Mapping[str, Mapping[str, Any]],
        info: Mapping[str, Any],
        cookies: Sequence[Mapping[str, str]] = (),
        send_request: SendRequest | None = None,
    ) -> EventOutcome:
        seed = list(struct.unpack("<4I", os.urandom(16)))
        payload = {
            "event": event,
            "request": request,
            "response": response,
            "vars": {scope: dict(variables.get(scope, {})) for scope in SCOPES},
            "info": dict(info),
            "cookies": list(cookies),
            "seed": seed,
            "maxSendRequests": self.limits.max_send_requests,
        }
        outcome = EventOutcome()
        runnable: list[tuple[ScriptSource, int]] = []
        for script in scripts:
            if not script.text.strip():
                continue
            try:
                runnable.append((script, self._function(script.text)))
            except JSParseException as exc:
                outcome.errors.append(_syntax_error(exc, script.owner, event))
                runnable.append((script, -1))
            except (JSTimeoutException, JSOOMException, JSEvalException) as exc:
                outcome.errors.append(self._limit_error(exc, script.owner, event))
                return outcome
        if not runnable:
            return outcome
        data: dict[str, Any] = {}
        # Promise jobs run when an evaluation ends: a script that may queue them is settled by a second one.
        steps: list[tuple[str, str]] = []
        for number, (script, index) in enumerate(runnable):
            last = "true" if number == len(runnable) - 1 else "false"
            settle = any(word in script.text for word in _ASYNC_WORDS)
            head = "{head}" if number == 0 else "null"
            steps.append((f"__wc.step({head}, {index}, {json.dumps(script.owner)}, {last}, {str(settle).lower()})", script.owner))
            if settle:
                steps.append((f"__wc.settle({last})", script.owner))
        for number, (code, owner) in enumerate(steps):
            try:
                if number == 0:
                    code = code.replace("{head}", json.dumps(payload), 1)
                data = json.loads(self._eval(code))
                while data.get("pending"):
                    replies = [{"id": item["id"], **self._send(send_request, item)} for item in data["pending"]]
                    data = json.loads(self._eval("__wc.deliver(" + json.dumps(replies) + ")"))
            except (JSTimeoutException, JSOOMException, JSEvalException) as exc:
                outcome.errors.append(self._limit_error(exc, owner, event))
                return outcome  # the event's state went with it: none of its changes are kept
        if not data.get("done"):
            return outcome
        outcome.tests = [ScriptTest(t["name"], bool(t["passed"]), bool(t["skipped"]), t["error"] or "") for t in data["tests"]]
        for raw in data["errors"]:
            outcome.errors.append(ScriptError(raw["name"], raw["message"], raw["owner"] or "", event, raw["line"], raw["column"]))
            if raw.get("fatal"):
                self.close()
        outcome.console = data["console"]
        outcome.variables = data["vars"]
        outcome.request = data["request"]
        outcome.next_request = (bool(data["next"]["set"]), data["next"]["value"])
        outcome.skip = bool(data["skip"])
        return outcome

    def _send(self, send_request: SendRequest | None, item: Mapping[str, Any]) -> dict[str, Any]:
        if send_request is None:
            return {"error": {"kind": "unsupported", "code": "no_send", "message": "pm.sendRequest is not available here"}}
        return send_request(dict(item))

    def _limit_error(self, exc: Exception, owner: str, event: str) -> ScriptError:
        if isinstance(exc, JSTimeoutException):
            self.close()  # V8 stopped the script; the next event gets a new isolate
            return ScriptError("ScriptTimeout", f"the script ran longer than {self.limits.timeout_ms} ms", owner, event)
        self.close()  # out of memory, or a failure inside the pm API itself: the next event gets a new isolate
        if isinstance(exc, JSOOMException):
            return ScriptError(
                "ScriptMemoryLimit", f"the script used more than {self.limits.max_memory_mb} MiB of memory", owner, event
            )
        text = str(exc)
        match = _PARSE_LINE.search(text)
        if match:
            return ScriptError(match.group(2), match.group(3), owner, event)
        return ScriptError("Error", text.splitlines()[0] if text else "the script failed", owner, event)


def _syntax_error(exc: Exception, owner: str, event: str) -> ScriptError:
    text = str(exc)
    lines = text.splitlines()
    match = _PARSE_LINE.search(text)
    if not match:
        return ScriptError("SyntaxError", lines[0] if lines else text, owner, event)
    line = int(match.group(1)) - 1
    column = None
    for marker in lines[2:]:
        if "^" in marker:
            column = marker.index("^") + 1
            break
    return ScriptError(match.group(2), match.group(3), owner, event, line, column)

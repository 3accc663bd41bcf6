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
import re
import struct
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from requests_app.scripting import warm
from requests_app.scripting.sources import ScriptLimits, ScriptSource
from requests_app.scripting.v8 import Isolate
from requests_app.scripting.v8 import JSEvalError as JSEvalException
from requests_app.scripting.v8 import JSOOMError as JSOOMException
from requests_app.scripting.v8 import JSParseError as JSParseException
from requests_app.scripting.v8 import JSTimeoutError as JSTimeoutException

HERE = Path(__file__).resolve().parent
VENDOR = ("chai.js",)  # evaluated at the start; the others when a script first uses them (pm.js LAZY)
LAZY_VENDOR = {"crypto-js": "crypto-js.js", "lodash": "lodash.min.js", "uuid": "uuid.min.js", "moment": "moment.min.js"}
SCOPES = ("globals", "collectionVariables", "environment", "iterationData", "_variables")

_SOURCES: list[str] | None = None
_ASYNC_WORDS = ("async", "await", "Promise", ".then", "queueMicrotask")
_PARSE_LINE = re.compile(r"(?:<anonymous>|wc-script-\d+\.js):(\d+): (\w+): (.*)")


def _library_sources() -> list[str]:
    global _SOURCES
    if _SOURCES is None:
        files = [HERE / "prelude.js", *(HERE / "vendor" / name for name in VENDOR)]
        _SOURCES = [path.read_text(encoding="utf-8") for path in files]
        lazy = {name: (HERE / "vendor" / file).read_text(encoding="utf-8") for name, file in LAZY_VENDOR.items()}
        _SOURCES.append(f"globalThis.__wcLibrarySources = {json.dumps(lazy)};")
        _SOURCES.append((HERE / "pm.js").read_text(encoding="utf-8"))
    return _SOURCES


def new_racer() -> Isolate:
    """An isolate with the libraries and the pm API loaded (the memory limit is set by its context)."""
    racer = Isolate()
    for source in _library_sources():
        racer.eval(source, value=False)
    return racer


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
    following: EventOutcome | None = None  # the folded next event's outcome (run_event's `following`)


SendRequest = Callable[[dict[str, Any]], dict[str, Any]]


@dataclass
class FollowingEvent:
    """The event that comes next (the next request's pre-request scripts), for run_event to fold in."""

    event: str
    scripts: Sequence[ScriptSource]
    request: Mapping[str, Any]
    info: Mapping[str, Any]
    cookies: Sequence[Mapping[str, str]] = ()
    send_request: SendRequest | None = None


def _script_list(runnable: Sequence[tuple[ScriptSource, int, bool]]) -> list[list[Any]]:
    return [[index, script.owner, settle] for script, index, settle in runnable]


class ScriptContext:
    def __init__(self, limits: ScriptLimits | None = None) -> None:
        self.limits = limits or ScriptLimits()
        self._racer: Isolate | None = None
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

    def _ctx(self) -> Isolate:
        if self._racer is None:
            racer = warm.take() or new_racer()
            racer.set_hard_memory_limit(self.limits.max_memory_mb * 2**20)
            self._racer = racer
        return self._racer

    def _eval(self, code: str) -> Any:
        # V8 is asked to stop the task at the time limit (TerminateExecution, from another
        # thread); the isolate is then closed (v8.Isolate.eval), so a late result is never read.
        racer = self._ctx()
        try:
            return racer.eval(code, timeout_s=self.limits.timeout_ms / 1000)
        except JSTimeoutException:
            self.close()
            raise

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
        following: FollowingEvent | None = None,
    ) -> EventOutcome:
        """Run one event's scripts; with `following`, maybe that event's too, in the same evaluation.

        The outcome's `following` holds the folded event's outcome, or None when it did not run
        (the caller then runs it on its own). See pm.js `run` for when an event is folded.
        """
        then = None
        planned: list[tuple[str, list[tuple[ScriptSource, int, bool]], list[ScriptError], SendRequest | None]] = []
        if following is not None:
            next_runnable: list[tuple[ScriptSource, int, bool]] = []
            next_errors: list[ScriptError] = []
            try:
                next_runnable, next_errors = self._compile(following.event, following.scripts)
            except (JSTimeoutException, JSOOMException, JSEvalException) as exc:
                self._limit_error(exc, "", following.event)  # the context is replaced; that event runs on its own later
            if next_runnable and not next_errors:
                then = {
                    "input": self._input(following.event, following.request, None, None, following.info, following.cookies),
                    "scripts": _script_list(next_runnable),
                    "budget": self.limits.timeout_ms // 2,
                }
                planned.append((following.event, next_runnable, [], following.send_request))
        try:
            runnable, errors = self._compile(event, scripts)
        except (JSTimeoutException, JSOOMException, JSEvalException) as exc:
            return EventOutcome(errors=[self._limit_error(exc, scripts[0].owner if scripts else "", event)])
        if not runnable:
            return EventOutcome(errors=errors)
        if len(runnable) > 1 or runnable[0][2]:
            then = None  # only an event that ends in its first evaluation is folded (pm.js)
        planned.insert(0, (event, runnable, errors, send_request))
        payload = self._input(event, request, response, variables, info, cookies)
        # One JSON text in (JSON.parse in V8 is cheaper than compiling it as an object literal), one out.
        code = f"__wc.runText({json.dumps(json.dumps([payload, _script_list(runnable), then]))})"
        outcomes: list[EventOutcome] = []
        script_number = 0
        while True:
            try:
                data = json.loads(self._eval(code))
            except (JSTimeoutException, JSOOMException, JSEvalException) as exc:
                if then is not None and not outcomes and code.startswith("__wc.runText("):
                    # Nothing of the first event reached the host yet: run it again, on its own, in a
                    # fresh context, so that each script keeps its own time limit and its own error.
                    self.close()
                    return self.run_event(event, scripts, request=request, response=response, variables=variables,
                                          info=info, cookies=cookies, send_request=send_request)
                current, runnable_now, compile_errors, _ = planned[len(outcomes)]
                error = self._limit_error(exc, runnable_now[script_number][0].owner, current)
                outcomes.append(EventOutcome(errors=[*compile_errors, error]))  # its changes went with the context
                break
            for raw in data["finished"]:
                outcomes.append(self._outcome(raw, planned[len(outcomes)][0], planned[len(outcomes)][2]))
                script_number = 0
            if data.get("done"):
                break
            if data.get("pending"):
                send = planned[len(outcomes)][3]
                replies = [{"id": item["id"], **self._send(send, item)} for item in data["pending"]]
                code = "__wc.deliver(" + json.dumps(replies) + ")"
            elif data.get("resume"):
                code = "__wc.resume()"
            else:  # more: the event's next script
                script_number += 1
                code = "__wc.proceed()"
        outcome = outcomes[0]
        outcome.following = outcomes[1] if len(outcomes) > 1 else None
        return outcome

    def _compile(self, event: str, scripts: Sequence[ScriptSource]) -> tuple[list[tuple[ScriptSource, int, bool]], list[ScriptError]]:
        """(script, compiled index or -1 for a syntax error, may queue promise jobs) for each non-empty script."""
        runnable: list[tuple[ScriptSource, int, bool]] = []
        errors: list[ScriptError] = []
        for script in scripts:
            if not script.text.strip():
                continue
            settle = any(word in script.text for word in _ASYNC_WORDS)
            try:
                runnable.append((script, self._function(script.text), settle))
            except JSParseException as exc:
                errors.append(_syntax_error(exc, script.owner, event))
                runnable.append((script, -1, False))
        return runnable, errors

    def _input(
        self,
        event: str,
        request: Mapping[str, Any],
        response: Mapping[str, Any] | None,
        variables: Mapping[str, Mapping[str, Any]] | None,
        info: Mapping[str, Any],
        cookies: Sequence[Mapping[str, str]],
    ) -> dict[str, Any]:
        return {
            "event": event,
            "request": request,
            "response": response,
            "vars": None if variables is None else {scope: dict(variables.get(scope, {})) for scope in SCOPES},
            "info": dict(info),
            "cookies": list(cookies),
            "seed": list(struct.unpack("<4I", os.urandom(16))),
            "maxSendRequests": self.limits.max_send_requests,
        }

    def _outcome(self, raw: Mapping[str, Any], event: str, compile_errors: Sequence[ScriptError]) -> EventOutcome:
        outcome = EventOutcome(errors=list(compile_errors))
        outcome.tests = [ScriptTest(t["name"], bool(t["passed"]), bool(t["skipped"]), t["error"] or "") for t in raw["tests"]]
        for error in raw["errors"]:
            outcome.errors.append(ScriptError(error["name"], error["message"], error["owner"] or "", event, error["line"], error["column"]))
            if error.get("fatal"):
                self.close()
        outcome.console = raw["console"]
        outcome.variables = raw["vars"]
        outcome.request = raw["request"]
        outcome.next_request = (bool(raw["next"]["set"]), raw["next"]["value"])
        outcome.skip = bool(raw["skip"])
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

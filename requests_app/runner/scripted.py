"""Pre-request and test scripts inside a run, in Postman's order and scoping. No Django.

Usage (run_plan does this when any plan item has scripts)::

    scripted = ScriptedRun(send_fn=send_fn, collection_vars={...}, environment_vars={...},
                           iterations=3, limits=ScriptLimits())
    scripted.start_iteration(data_row)
    before = scripted.prerequest(item, iteration=1, captured=captured)  # spec to send, sendRequest rows, skip
    ... send before.spec with scripted.scopes(captured) ...
    after = scripted.test(item, before, exchange, iteration=1, captured=captured)
    scripted.close()

Scopes as Postman keeps them for one run: globals, collection variables and environment
change for the rest of the run; pm.variables (local) live for the run; iteration data for
its iteration. Resolution order, highest first: local, iteration data, environment,
collection, globals (declarative captures of this iteration above all of them).
A run gets a fresh script context, so nothing a script leaves behind reaches another run.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from requests_app.engine.exchange import Exchange
from requests_app.engine.spec import Body, FormField, KeyValue, RequestSpec
from requests_app.runner.assertions import AssertionResult
from requests_app.scripting.context import SCOPES, EventOutcome, FollowingEvent, ScriptContext, ScriptError
from requests_app.scripting.sources import ScriptLimits, ScriptSource

MASK = "••••••"  # services.secrets.MASK: what a script sees of a secret environment value
SendFn = Callable[[RequestSpec, Sequence[Mapping[str, str]]], Exchange]


def as_text(value: Any) -> str:
    """A script's typed value as {{substitution}} text (Postman: strings as is, objects as JSON)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(value, separators=(",", ":"))


def request_to_script(spec: RequestSpec, name: str) -> dict[str, Any]:
    """The request as pm.request sees it: unresolved {{variables}}, Postman's body shapes."""
    body = spec.body
    script_body: dict[str, Any] | None
    if body.mode in ("raw", "json"):
        script_body = {"mode": "raw", "raw": body.text}
    elif body.mode == "urlencoded":
        script_body = {"mode": "urlencoded", "urlencoded": [_field(f) for f in body.fields]}
    elif body.mode == "multipart":
        script_body = {"mode": "formdata", "formdata": [_field(f) for f in body.fields]}
    elif body.mode == "graphql":
        script_body = {"mode": "graphql", "graphql": {"query": body.query, "variables": body.variables}}
    elif body.mode == "binary":
        script_body = {"mode": "file"}
    else:
        script_body = None
    return {
        "name": name,
        "method": spec.method,
        "url": spec.url,
        "params": [{"key": p.key, "value": p.value, "enabled": p.enabled} for p in spec.params],
        "headers": [{"key": h.key, "value": h.value, "enabled": h.enabled} for h in spec.headers],
        "body": script_body,
    }


def _field(f: FormField) -> dict[str, Any]:
    return {"key": f.key, "value": f.file.filename if f.file else f.value, "disabled": not f.enabled}


def _kvs(items: Sequence[Mapping[str, Any]]) -> list[KeyValue]:
    return [KeyValue(str(i.get("key", "")), as_text(i.get("value")), not i.get("disabled")) for i in items]


def apply_request_changes(spec: RequestSpec, changed: Mapping[str, Any]) -> RequestSpec:
    """The spec with the parts a pre-request script changed (method, url with query, headers, body)."""
    updates: dict[str, Any] = {}
    if "method" in changed:
        updates["method"] = str(changed["method"]).upper()
    if "url" in changed:
        updates["url"] = str(changed["url"])
        updates["params"] = []  # the script's URL carries the whole query
    if "headers" in changed:
        updates["headers"] = _kvs(changed["headers"])
    if "body" in changed:
        updates["body"] = _body_from_script(spec.body, changed["body"])
    return replace(spec, **updates)


def _body_from_script(old: Body, data: Mapping[str, Any] | None) -> Body:
    if not data or not data.get("mode"):
        return Body()
    mode = data["mode"]
    if mode == "raw":
        return replace(old, mode=old.mode if old.mode in ("raw", "json") else "raw", text=as_text(data.get("raw")))
    if mode in ("urlencoded", "formdata"):
        fields = [FormField(k.key, k.value, k.enabled) for k in _kvs(data.get(mode) or [])]
        return replace(old, mode="urlencoded" if mode == "urlencoded" else "multipart", fields=fields)
    if mode == "graphql":
        graphql = data.get("graphql") or {}
        return replace(old, mode="graphql", query=as_text(graphql.get("query")), variables=as_text(graphql.get("variables")))
    return old


def response_to_script(exchange: Exchange) -> dict[str, Any] | None:
    response = exchange.response
    if response is None:
        return None
    try:
        text = response.body.decode(response.charset or "utf-8", errors="replace")
    except LookupError:
        text = response.body.decode("utf-8", errors="replace")
    return {
        "code": response.status,
        "status": response.reason,
        "headers": [{"key": k, "value": v} for k, v in response.headers],
        "body": text,
        "responseTime": round(exchange.timings.total_ms or 0),
        "responseSize": response.body_size,
        "cookies": [{"key": c.name, "value": c.value} for c in response.cookies],
    }


def spec_from_send_request(data: Mapping[str, Any]) -> RequestSpec:
    """pm.sendRequest's request object as a spec; Postman does not substitute {{variables}} here."""
    body_data = data.get("body") or None
    body = _body_from_script(Body(), body_data) if body_data else Body()
    headers = _kvs(data.get("headers") or [])
    return RequestSpec(method=str(data.get("method") or "GET").upper(), url=str(data.get("url") or ""), headers=headers, body=body)


def test_results(outcome: EventOutcome) -> list[AssertionResult]:
    results = []
    for test in outcome.tests:
        if test.skipped:
            results.append(AssertionResult(True, f"{test.name} (skipped)", type="script", op="skip", target=test.name))
        elif test.passed:
            results.append(AssertionResult(True, test.name, type="script", op="test", target=test.name))
        else:
            results.append(AssertionResult(False, f"{test.name}: {test.error}", type="script", op="test", target=test.name))
    return results


@dataclass
class ScriptStep:
    """What one event's scripts did to one request."""

    spec: RequestSpec
    sent: list[tuple[RequestSpec, Exchange]] = field(default_factory=list)  # pm.sendRequest calls
    assertions: list[AssertionResult] = field(default_factory=list)
    errors: list[ScriptError] = field(default_factory=list)
    console: list[dict[str, str]] = field(default_factory=list)
    next_request: tuple[bool, str | None] = (False, None)
    skip: bool = False


class ScriptedRun:
    def __init__(
        self,
        *,
        send_fn: SendFn,
        collection_vars: Mapping[str, Any] | None = None,
        environment_vars: Mapping[str, Any] | None = None,
        globals_vars: Mapping[str, Any] | None = None,
        iterations: int = 1,
        limits: ScriptLimits | None = None,
        hidden: Mapping[str, str] | None = None,
    ) -> None:
        self.send_fn = send_fn
        # Secret environment values: scripts see the mask, the request still gets the value
        # (through `unmasked`, under any value a script sets), so no script can read a secret.
        self.hidden = dict(hidden or {})
        self.unmasked: dict[str, str] = {}
        self.iterations = iterations
        self.context = ScriptContext(limits)
        self.typed: dict[str, dict[str, Any]] = {
            "globals": dict(globals_vars or {}),
            "collectionVariables": dict(collection_vars or {}),
            "environment": {k: (MASK if k in (hidden or {}) else v) for k, v in (environment_vars or {}).items()},
            "iterationData": {},
            "_variables": {},
        }
        self.views: dict[str, dict[str, str]] = {name: {} for name in SCOPES}
        self.changed: set[str] = set()  # scopes a script wrote, for write-back
        # (item, iteration, outcome, step): that item's pre-request event, run with the previous test event.
        self.folded: tuple[Any, int, EventOutcome, ScriptStep] | None = None
        for name in SCOPES:
            self._refresh(name)

    def close(self) -> None:
        self.context.close()

    def _refresh(self, name: str) -> None:
        view = self.views[name]  # the same dict object stays in the engine's scope list
        view.clear()
        view.update((key, as_text(value)) for key, value in self.typed[name].items())
        if name == "environment":
            self.unmasked.clear()
            self.unmasked.update((k, v) for k, v in self.hidden.items() if view.get(k) == MASK)

    def start_iteration(self, data_row: Mapping[str, Any]) -> None:
        self.typed["iterationData"] = dict(data_row)
        self._refresh("iterationData")

    def scopes(self, captured: Mapping[str, str]) -> list[Mapping[str, str]]:
        views = [self.views[name] for name in SCOPES]
        return [*views[:3], self.unmasked, *views[3:], captured]

    def _run(
        self,
        event: str,
        item: Any,
        spec: RequestSpec,
        exchange: Exchange | None,
        iteration: int,
        upcoming: Any = None,
    ) -> tuple[EventOutcome, ScriptStep]:
        step = ScriptStep(spec=spec)
        sources: Sequence[ScriptSource] = item.scripts.get(event, ())
        if not any(source.text.strip() for source in sources):
            return EventOutcome(), step
        following = None
        upcoming_step = None
        if upcoming is not None and any(source.text.strip() for source in upcoming.scripts.get("prerequest", ())):
            upcoming_step = ScriptStep(spec=upcoming.spec)
            following = FollowingEvent(
                "prerequest",
                upcoming.scripts["prerequest"],
                request=request_to_script(upcoming.spec, upcoming.name),
                info=self._info(upcoming, iteration),
                send_request=self._sender(upcoming_step),
            )
        outcome = self.context.run_event(
            event,
            sources,
            request=request_to_script(spec, item.name),
            response=_script_response(event, exchange),
            variables=self.typed,
            info=self._info(item, iteration),
            cookies=_cookies(exchange),
            send_request=self._sender(step),
            following=following,
        )
        self._record(outcome, step)
        self.folded = None
        if outcome.following is not None and upcoming_step is not None:
            self.folded = (upcoming, iteration, outcome.following, upcoming_step)
        return outcome, step

    def _info(self, item: Any, iteration: int) -> dict[str, Any]:
        return {"requestName": item.name, "requestId": str(item.key), "iteration": iteration - 1, "iterationCount": self.iterations}

    def _sender(self, step: ScriptStep) -> Callable[[dict[str, Any]], dict[str, Any]]:
        """pm.sendRequest through the run's send_fn; the call is listed on `step`."""

        def send_request(data: dict[str, Any]) -> dict[str, Any]:
            sub_spec = spec_from_send_request(data)
            sub = self.send_fn(sub_spec, ())
            step.sent.append((sub_spec, sub))
            if sub.error is not None:
                return {"error": {"kind": sub.error.kind, "code": sub.error.code, "message": sub.error.message}}
            return {"error": None, "response": response_to_script(sub)}

        return send_request

    def _record(self, outcome: EventOutcome, step: ScriptStep) -> None:
        """The scopes the scripts changed, and what they did to this request."""
        for name, values in outcome.variables.items():
            self.typed[name] = dict(values)
            self.changed.add(name)
            self._refresh(name)
        step.assertions = test_results(outcome)
        step.errors = outcome.errors
        step.console = outcome.console
        step.next_request = outcome.next_request
        step.skip = outcome.skip

    def prerequest(self, item: Any, *, iteration: int, captured: Mapping[str, str]) -> ScriptStep:
        folded, self.folded = self.folded, None
        if folded is not None and folded[0] is item and folded[1] == iteration:
            # Already run, folded into the previous request's test evaluation: its changes apply now.
            _, _, outcome, step = folded
            self._record(outcome, step)
        else:
            outcome, step = self._run("prerequest", item, item.spec, None, iteration)
        if outcome.request:
            step.spec = apply_request_changes(item.spec, outcome.request)
        return step

    def test(
        self, item: Any, before: ScriptStep, exchange: Exchange, *, iteration: int, captured: Mapping[str, str], upcoming: Any = None
    ) -> ScriptStep:
        """The test scripts; with `upcoming` (the request that runs next, when nothing else can come
        between), its pre-request scripts may run in the same evaluation (prerequest() then uses that)."""
        _, step = self._run("test", item, before.spec, exchange, iteration, upcoming)
        return step


def _script_response(event: str, exchange: Exchange | None) -> dict[str, Any] | None:
    """pm.response: the response; for test scripts after a request that got none, an empty one
    (newman's: code, status, body and times undefined, no headers)."""
    response = response_to_script(exchange) if exchange is not None else None
    return {} if response is None and event == "test" else response


def _cookies(exchange: Exchange | None) -> list[dict[str, str]]:
    if exchange is None or exchange.response is None:
        return []
    return [{"key": c.name, "value": c.value} for c in exchange.response.cookies]


def script_error_text(errors: Sequence[ScriptError]) -> str:
    return "; ".join(error.describe() for error in errors)

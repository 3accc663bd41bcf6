"""The run loop: a plan of requests, N iterations, chained captures, totals. No Django.

Usage::

    items = [make_plan_item(name="log in", spec=login_spec, captures=[{"variable": "token", ...}]),
             make_plan_item(name="me", spec=me_spec, assertions=[{"type": "status", "op": "equals", "expected": 200}])]
    outcome = run_plan(
        items,
        send_fn=lambda spec, variables: send(spec, policy=policy, variables=variables),
        iterations=3, data_rows=[{"user": "ann"}, {"user": "bob"}, {"user": "cy"}],
        collection_vars={"base": "http://127.0.0.1:8000"}, environment_vars={"host": "..."},
        delay_ms=0, bail=False, concurrency=1,
        on_result=lambda row: print(row.name, row.passed),   # called in order within an iteration
        should_cancel=lambda: False,
    )
    outcome.state            # "passed" | "failed" | "cancelled"
    outcome.totals           # requests, assertions passed/failed, errors, duration, mean/p95
    outcome.captured         # variables captured, the last iteration's value winning

Each iteration runs the items in order with the variable scopes
[collection vars, environment, data row, captured so far in this iteration]
(later wins). Captures live for the rest of their iteration, so iterations are
independent and up to MAX_CONCURRENCY of them may run at once, each keeping its
own order. With more iterations than data rows, the last row repeats (as newman does).
`bail` stops the whole run at the first failed assertion or request error.
"""

# One module past 500 lines: the run loop and the plan, result and totals types it fills, which the workers and reports share.
from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from requests_app.engine.exchange import Exchange
from requests_app.engine.spec import RequestSpec
from requests_app.engine.variables import VariableCycleError, merge_scopes, resolve_text
from requests_app.responseshape import json_shape
from requests_app.runner.assertions import AssertionResult, CompiledAssertion, compile_assertions, evaluate
from requests_app.runner.captures import CaptureResult, CompiledCapture, apply_captures, compile_captures
from requests_app.runner.responses import BodyNotJson, ResponseView
from requests_app.runner.script_steps import StepCounter, run_scripted_item

MAX_CONCURRENCY = 16
MAX_ITERATIONS = 10_000
MAX_DELAY_MS = 60_000
CANCEL_POLL_S = 0.05

PASSED = "passed"
FAILED = "failed"
CANCELLED = "cancelled"

SendFn = Callable[[RequestSpec, Sequence[Mapping[str, str]]], Exchange]


class RunSettingsError(ValueError):
    """A run setting is out of range; `field` names it (iterations, concurrency, delay_ms)."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field = field_name
        self.message = message


@dataclass
class PlanItem:
    """One request of the plan, with its checks compiled once for the whole run."""

    name: str
    spec: RequestSpec
    assertions: list[CompiledAssertion] = field(default_factory=list)
    captures: list[CompiledCapture] = field(default_factory=list)
    key: Any = None  # the saved request's id, when there is one
    path: str = ""  # folders above the request, "Users / Admin", for reports
    # {"prerequest": (ScriptSource, …), "test": (…)}: collection, folders, request, in that order
    scripts: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    # The request's folders' variables (inner folders win): above the collection's, below the environment's.
    variables: Mapping[str, str] = field(default_factory=dict)


def make_plan_item(
    *,
    name: str,
    spec: RequestSpec,
    assertions: Any = None,
    captures: Any = None,
    key: Any = None,
    path: str = "",
    scripts: dict[str, tuple[Any, ...]] | None = None,
    variables: Mapping[str, str] | None = None,
) -> PlanItem:
    """Raises AssertionFormatError / CaptureFormatError before anything is sent."""
    return PlanItem(name, spec, compile_assertions(assertions), compile_captures(captures), key, path, scripts or {},
                    dict(variables or {}))


def with_folder_scope(scopes: list[Mapping[str, str]], item: PlanItem, *, after: int) -> list[Mapping[str, str]]:
    """`scopes` with the item's folder variables right above the collection's (at index `after`)."""
    if not item.variables:
        return scopes
    return [*scopes[:after], item.variables, *scopes[after:]]


@dataclass
class ResultRow:
    """What one request of one iteration did."""

    iteration: int  # 1-based
    index: int  # position in the plan, 0-based
    name: str
    method: str
    url: str
    key: Any = None
    path: str = ""
    status: int | None = None
    time_ms: float | None = None
    size: int | None = None
    assertions: list[AssertionResult] = field(default_factory=list)
    captures: list[CaptureResult] = field(default_factory=list)
    error: dict[str, str] | None = None  # {"kind", "code", "message"}
    console: list[dict[str, str]] = field(default_factory=list)  # scripts' console output, {"level", "text"}
    unresolved_variables: list[str] = field(default_factory=list)  # sent as written, {{name}}
    shape: Any = None  # the JSON body's shape (responseshape.json_shape), when the run records shapes

    @property
    def failed_assertions(self) -> int:
        return sum(1 for a in self.assertions if not a.passed)

    @property
    def passed(self) -> bool:
        return self.error is None and self.failed_assertions == 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "iteration": self.iteration,
            "index": self.index,
            "name": self.name,
            "path": self.path,
            "key": self.key,
            "method": self.method,
            "url": self.url,
            "status": self.status,
            "time_ms": self.time_ms,
            "size": self.size,
            "passed": self.passed,
            "assertions": [a.to_dict() for a in self.assertions],
            "captures": [c.to_dict() for c in self.captures],
            "error": self.error,
            **({"console": self.console} if self.console else {}),
            "unresolved_variables": list(self.unresolved_variables),
            **({"shape": self.shape} if self.shape is not None else {}),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ResultRow:
        return cls(
            iteration=int(data["iteration"]),
            index=int(data["index"]),
            name=str(data.get("name", "")),
            method=str(data.get("method", "")),
            url=str(data.get("url", "")),
            key=data.get("key"),
            path=str(data.get("path", "")),
            status=data.get("status"),
            time_ms=data.get("time_ms"),
            size=data.get("size"),
            assertions=[AssertionResult.from_dict(a) for a in data.get("assertions") or []],
            captures=[
                CaptureResult(
                    variable=c.get("variable", ""),
                    ok=bool(c.get("ok")),
                    value=c.get("value"),
                    message=c.get("message", ""),
                    secret=bool(c.get("secret")),
                )
                for c in data.get("captures") or []
            ],
            error=data.get("error"),
            console=list(data.get("console") or []),
            unresolved_variables=list(data.get("unresolved_variables") or []),
            shape=data.get("shape"),
        )


@dataclass
class RunTotals:
    iterations: int = 0  # iterations that ran to their end
    requests: int = 0
    assertions_passed: int = 0
    assertions_failed: int = 0
    errors: int = 0
    duration_ms: float = 0.0
    mean_ms: float | None = None
    p95_ms: float | None = None

    @property
    def failed(self) -> bool:
        return self.assertions_failed > 0 or self.errors > 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "iterations": self.iterations,
            "requests": self.requests,
            "assertions_passed": self.assertions_passed,
            "assertions_failed": self.assertions_failed,
            "errors": self.errors,
            "duration_ms": round(self.duration_ms, 3),
            "mean_ms": None if self.mean_ms is None else round(self.mean_ms, 3),
            "p95_ms": None if self.p95_ms is None else round(self.p95_ms, 3),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RunTotals:
        return cls(**{key: data[key] for key in cls().to_dict() if key in data})


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """Nearest-rank percentile: the smallest value with at least `fraction` of values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


class TotalsCounter:
    """Adds rows up as they come; `finish` gives the totals with mean and p95 time."""

    def __init__(self) -> None:
        self.totals = RunTotals()
        self.times: list[float] = []

    def add(self, row: ResultRow) -> None:
        totals = self.totals
        totals.requests += 1
        failed = row.failed_assertions
        totals.assertions_failed += failed
        totals.assertions_passed += len(row.assertions) - failed
        totals.errors += row.error is not None
        if row.time_ms is not None:
            self.times.append(row.time_ms)

    def finish(self, *, duration_ms: float, iterations: int) -> RunTotals:
        """The totals so far as a new object (the counter goes on counting)."""
        return replace(
            self.totals,
            duration_ms=duration_ms,
            iterations=iterations,
            mean_ms=sum(self.times) / len(self.times) if self.times else None,
            p95_ms=percentile(self.times, 0.95),
        )

    def progress(self, *, duration_ms: float) -> RunTotals:
        """Counts and mean while a run goes on; p95 (a sort) only at the end."""
        return replace(
            self.totals,
            duration_ms=duration_ms,
            mean_ms=sum(self.times) / len(self.times) if self.times else None,
        )


def compute_totals(rows: Iterable[ResultRow], *, duration_ms: float, iterations: int) -> RunTotals:
    counter = TotalsCounter()
    for row in rows:
        counter.add(row)
    return counter.finish(duration_ms=duration_ms, iterations=iterations)


@dataclass
class RunOutcome:
    state: str
    totals: RunTotals
    results: list[ResultRow]
    captured: dict[str, str]
    secret_captures: set[str]
    bailed: bool = False
    # scripted runs: the scopes scripts changed, by Postman's name ("environment", …), typed values
    script_variables: dict[str, dict[str, Any]] = field(default_factory=dict)


def make_resolver(scopes: Sequence[Mapping[str, str]]) -> Callable[[str], str]:
    """`{{name}}` resolution for assertion targets and expected values; unknown names are errors.

    The scopes are merged on the first call: most requests' checks hold no variables.
    """
    merged: dict[str, str] | None = None

    def resolve(text: str) -> str:
        nonlocal merged
        if merged is None:
            merged = merge_scopes(scopes)
        try:
            resolved, unknown = resolve_text(text, merged)
        except VariableCycleError as exc:
            raise LookupError(exc.message) from None
        if unknown:
            raise LookupError(f"unknown variable {{{{{unknown[0]}}}}}")
        return resolved

    return resolve


def _json_shape_of(view: ResponseView) -> Any:
    """The body's shape when it is JSON (parsed once: assertions share the view's parse), else None."""
    try:
        return json_shape(view.json())
    except BodyNotJson:
        return None


def _row_for(item: PlanItem, index: int, iteration: int, exchange: Exchange, spec: RequestSpec | None = None) -> ResultRow:
    sent = exchange.request
    response = exchange.response
    spec = spec or item.spec
    row = ResultRow(
        iteration=iteration,
        index=index,
        name=item.name,
        key=item.key,
        path=item.path,
        method=sent.method if sent else spec.method,
        url=sent.url if sent else spec.url,
        status=response.status if response else None,
        time_ms=None if exchange.timings.total_ms is None else round(exchange.timings.total_ms, 3),
        size=response.body_size if response else None,
        unresolved_variables=list(exchange.unresolved_variables),
    )
    if exchange.error is not None:
        row.error = {"kind": exchange.error.kind, "code": exchange.error.code, "message": exchange.error.message}
    return row


class _Stop:
    """Why the run stops early, shared by the iterations running at once."""

    def __init__(self, should_cancel: Callable[[], bool]) -> None:
        self._should_cancel = should_cancel
        self.cancelled = False
        self.bailed = False
        self._event = threading.Event()

    def check(self) -> bool:
        if not self._event.is_set() and self._should_cancel():
            self.cancelled = True
            self._event.set()
        return self._event.is_set()

    def bail(self) -> None:
        self.bailed = True
        self._event.set()

    def wait(self, seconds: float) -> bool:
        """Sleep, waking early to stop; True when the run should stop."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            if self._event.wait(min(left, CANCEL_POLL_S)) or self.check():
                return True
        return self.check()


def _check_settings(iterations: int, concurrency: int, delay_ms: int) -> None:
    if not 1 <= iterations <= MAX_ITERATIONS:
        raise RunSettingsError("iterations", f"must be between 1 and {MAX_ITERATIONS}")
    if not 1 <= concurrency <= MAX_CONCURRENCY:
        raise RunSettingsError("concurrency", f"must be between 1 and {MAX_CONCURRENCY}")
    if not 0 <= delay_ms <= MAX_DELAY_MS:
        raise RunSettingsError("delay_ms", f"must be between 0 and {MAX_DELAY_MS}")


def run_plan(
    items: Sequence[PlanItem],
    *,
    send_fn: SendFn,
    iterations: int | None = None,
    data_rows: Sequence[Mapping[str, str]] = (),
    collection_vars: Mapping[str, str] | None = None,
    environment_vars: Mapping[str, str] | None = None,
    delay_ms: int = 0,
    bail: bool = False,
    concurrency: int = 1,
    on_result: Callable[[ResultRow], None] | None = None,
    should_cancel: Callable[[], bool] = lambda: False,
    keep_results: bool = True,
    script_limits: Any = None,
    globals_vars: Mapping[str, str] | None = None,
    script_secrets: Mapping[str, str] | None = None,
    record_shapes: bool = False,
) -> RunOutcome:
    """Run the plan; iterations default to the number of data rows (or 1).

    `on_result` is called once per executed request, never from two threads at once.
    With keep_results=False the outcome's results list stays empty (the caller stores
    rows as they come) and only the totals are kept. `record_shapes`: each JSON response's
    shape (keys and types, responseshape.json_shape) goes on its row (monitors compare them).
    """
    if iterations is None or iterations == 0:
        iterations = len(data_rows) or 1
    _check_settings(iterations, concurrency, delay_ms)
    base_scopes = [dict(collection_vars or {}), dict(environment_vars or {})]
    stop = _Stop(should_cancel)
    lock = threading.Lock()
    rows: list[ResultRow] = []
    counter = TotalsCounter()
    captured_by_iteration: dict[int, dict[str, str]] = {}
    secret_names: set[str] = set()
    started = time.perf_counter()
    delay_s = delay_ms / 1000
    first_request = threading.Event()  # no delay before the run's first request
    scripted = None
    if any(item.scripts for item in items):
        # Scripts change shared scopes request after request (Postman's order): one iteration at a time.
        from requests_app.runner.scripted import ScriptedRun  # only here: unscripted runs never load V8

        concurrency = 1
        scripted = ScriptedRun(
            send_fn=send_fn, collection_vars=collection_vars, environment_vars=environment_vars,
            globals_vars=globals_vars, iterations=iterations, limits=script_limits, hidden=script_secrets,
        )

    def record(row: ResultRow) -> None:
        with lock:
            counter.add(row)
            if keep_results:
                rows.append(row)
            if on_result is not None:
                on_result(row)

    def checks(item: PlanItem, row: ResultRow, exchange: Exchange, scopes: list[Mapping[str, str]], captured: dict[str, str]) -> None:
        view = ResponseView(exchange)
        row.assertions = evaluate(item.assertions, view, resolve=make_resolver(scopes))
        if record_shapes:
            row.shape = _json_shape_of(view)
        row.captures = apply_captures(item.captures, view)
        for capture in row.captures:
            if capture.ok and capture.value is not None:
                captured[capture.variable] = capture.value
                if capture.secret:
                    with lock:
                        secret_names.add(capture.variable)

    def run_iteration(iteration: int) -> bool:
        """True when the iteration ran all its items."""
        data_row = dict(data_rows[min(iteration - 1, len(data_rows) - 1)]) if data_rows else {}
        captured: dict[str, str] = {}
        captured_by_iteration[iteration] = captured
        if scripted is not None:
            scripted.start_iteration(data_row)
            scopes = scripted.scopes(captured)
        else:
            scopes = [*base_scopes, data_row, captured]
        position = 0
        steps = StepCounter(len(items))
        while position < len(items):
            item = items[position]
            row: ResultRow | None
            if delay_s:
                if first_request.is_set() and stop.wait(delay_s):
                    return False
                first_request.set()
            if stop.check():
                return False
            if scripted is None:
                item_scopes = with_folder_scope(scopes, item, after=1)  # [collection, folders, environment, …]
                exchange = send_fn(item.spec, item_scopes)
                row = _row_for(item, position, iteration, exchange)
                if exchange.error is None:
                    checks(item, row, exchange, item_scopes, captured)
                record(row)
                position += 1
            else:
                rows, position = run_scripted_item(
                    scripted, items, position, iteration, scopes, captured, steps, checks, fold=not bail and not delay_s
                )
                for row in rows:
                    record(row)
                if position < 0:
                    return True  # setNextRequest(null), or a name no request has: the iteration ends
                row = rows[-1] if rows else None
            if bail and row is not None and not row.passed:
                stop.bail()
                return False
        return True

    completed = 0
    if concurrency == 1 or iterations == 1:
        try:
            for iteration in range(1, iterations + 1):
                if not run_iteration(iteration):
                    break
                completed += 1
        finally:
            if scripted is not None:
                scripted.close()
    else:
        from concurrent.futures import ThreadPoolExecutor  # only here: a CI step pays for every import

        with ThreadPoolExecutor(max_workers=min(concurrency, iterations), thread_name_prefix="run-iteration") as pool:
            futures = [pool.submit(run_iteration, iteration) for iteration in range(1, iterations + 1)]
            try:
                completed = sum(1 for future in futures if future.result())
            except BaseException:
                stop.bail()  # a bug in send_fn: let the other iterations end, then raise
                raise

    totals = counter.finish(duration_ms=(time.perf_counter() - started) * 1000, iterations=completed)
    rows.sort(key=lambda row: (row.iteration, row.index))  # stable; scripted rows are numbered in run order
    captured_final: dict[str, str] = {}
    for iteration in sorted(captured_by_iteration):
        captured_final.update(captured_by_iteration[iteration])
    if stop.cancelled:
        state = CANCELLED
    else:
        state = FAILED if totals.failed else PASSED
    script_variables = {name: scripted.typed[name] for name in sorted(scripted.changed)} if scripted else {}
    return RunOutcome(state, totals, rows, captured_final, secret_names, bailed=stop.bailed, script_variables=script_variables)

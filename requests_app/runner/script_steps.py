"""One request of a scripted run: pre-request scripts, send, checks, test scripts, next request. No Django.

run_plan (loop.py) calls `run_scripted_item` for each request when the plan has scripts. It
returns the rows to record, in the order things happened (pm.sendRequest calls of the pre-request
scripts, the request, those of the test scripts) and the position of the next request:
the next one, the one `setNextRequest` named, or -1 to end the iteration (setNextRequest(null)
or a name no request has). Row indexes count the iteration's rows in run order, so a loop made
with setNextRequest is reported as it ran.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from requests_app.runner import loop as _loop

SEND_REQUEST_SUFFIX = " › pm.sendRequest"  # a pm.sendRequest call's row is named "<request> › pm.sendRequest"
MIN_STEPS = 1000
STEPS_PER_ITEM = 100
# A request's console output as results keep it (stored runs, reports, a Send's history entry):
# a script that logs in a loop must not make every stored row megabytes long.
MAX_CONSOLE_LINES = 100
MAX_CONSOLE_LINE_CHARS = 2000


def bounded_console(lines: Sequence[dict[str, str]]) -> list[dict[str, str]]:
    """The first MAX_CONSOLE_LINES lines, each cut at MAX_CONSOLE_LINE_CHARS, and a line saying what was left out."""
    kept = [
        {"level": line["level"], "text": line["text"] if len(line["text"]) <= MAX_CONSOLE_LINE_CHARS
         else line["text"][:MAX_CONSOLE_LINE_CHARS] + f"… ({len(line['text'])} characters)"}
        for line in lines[:MAX_CONSOLE_LINES]
    ]
    if len(lines) > MAX_CONSOLE_LINES:
        kept.append({"level": "warn", "text": f"… {len(lines) - MAX_CONSOLE_LINES} more console lines not kept"})
    return kept


class StepCounter:
    """Counts an iteration's rows; setNextRequest may loop forever, so requests are capped."""

    def __init__(self, items: int) -> None:
        self.limit = max(MIN_STEPS, STEPS_PER_ITEM * items)
        self.requests = 0
        self.rows = 0

    def index(self) -> int:
        self.rows += 1
        return self.rows - 1


def next_position(items: Sequence[Any], position: int, choice: tuple[bool, str | None]) -> int:
    chosen, name = choice
    if not chosen:
        return position + 1
    if name is None:
        return -1
    for number, item in enumerate(items):
        if item.name == name or (item.key is not None and str(item.key) == name):
            return number
    return -1


def _sent_rows(item: Any, step: Any, iteration: int, steps: StepCounter) -> list[Any]:
    rows = []
    for spec, exchange in step.sent:
        sub = _loop.PlanItem(name=f"{item.name}{SEND_REQUEST_SUFFIX}", spec=spec, path=item.path)
        rows.append(_loop._row_for(sub, steps.index(), iteration, exchange, spec))
    return rows


def run_scripted_item(
    scripted: Any,
    items: Sequence[Any],
    position: int,
    iteration: int,
    scopes: list[Mapping[str, str]],
    captured: dict[str, str],
    steps: StepCounter,
    checks: Callable[..., None],
    fold: bool = True,
) -> tuple[list[Any], int]:
    """`fold`: the next request may follow this one at once (no --bail, no delay), so its pre-request
    scripts may run in the evaluation of this one's test scripts (ScriptedRun.test's `upcoming`)."""
    from requests_app.runner.scripted import script_error_text

    item = items[position]
    steps.requests += 1
    if steps.requests > steps.limit:
        row = _loop.ResultRow(iteration, steps.index(), item.name, item.spec.method, item.spec.url, item.key, item.path)
        row.error = {
            "kind": "script",
            "code": "NextRequestLoop",
            "message": f"setNextRequest ran more than {steps.limit} requests in one iteration; the iteration was stopped",
        }
        return [row], -1
    before = scripted.prerequest(item, iteration=iteration, captured=captured)
    rows = _sent_rows(item, before, iteration, steps)
    if before.skip:  # pm.execution.skipRequest(): no request, no test scripts
        return rows, next_position(items, position, before.next_request)
    # [globals, collectionVariables, folders, environment, …]: scripts never see folder variables
    # (Postman has no pm scope for them); the request and its checks do.
    scopes = _loop.with_folder_scope(scopes, item, after=2)
    exchange = scripted.send_fn(before.spec, scopes)
    row = _loop._row_for(item, steps.index(), iteration, exchange, before.spec)
    errors = list(before.errors)
    if exchange.error is None:
        checks(item, row, exchange, scopes, captured)
    # The test scripts run after a request that got no response too, as newman runs them (their
    # pm.response is empty, so the tests that read it fail and are counted).
    upcoming = items[position + 1] if fold and position + 1 < len(items) and not before.next_request[0] else None
    after = scripted.test(item, before, exchange, iteration=iteration, captured=captured, upcoming=upcoming)
    errors += after.errors
    row.assertions = [*before.assertions, *row.assertions, *after.assertions]
    row.console = bounded_console([*before.console, *after.console])
    if errors:
        text = script_error_text(errors)
        if row.error is None:
            row.error = {"kind": "script", "code": errors[0].name, "message": text}
        else:
            row.error = {**row.error, "message": f"{row.error['message']}; {text}"}
    rows.append(row)
    rows.extend(_sent_rows(item, after, iteration, steps))
    choice = after.next_request if after.next_request[0] else before.next_request
    return rows, next_position(items, position, choice)

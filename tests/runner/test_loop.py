"""The run loop with the real engine against the playground on 127.0.0.1."""

from __future__ import annotations

import threading
import time

import pytest

from requests_app.engine import OutboundPolicy, send
from requests_app.engine.spec import Body, KeyValue, RequestSpec
from requests_app.runner.assertions import AssertionFormatError
from requests_app.runner.loop import (
    CANCELLED,
    FAILED,
    PASSED,
    RunSettingsError,
    make_plan_item,
    percentile,
    run_plan,
)

STATUS_200 = [{"type": "status", "op": "equals", "expected": 200}]


def real_send(spec, variables):
    return send(spec, policy=OutboundPolicy.allow_all(), variables=variables)


def login_and_use_token(echo_server):
    """Log in (the echo gives back the body), capture the token, send it on the next request."""
    login = make_plan_item(
        name="log in",
        spec=RequestSpec(method="POST", url="{{base}}/anything/login", body=Body(mode="json", text='{"token": "tok-{{user}}"}')),
        assertions=STATUS_200,
        captures=[{"variable": "token", "source": "jsonpath", "expression": "$.json.token"}],
    )
    me = make_plan_item(
        name="me",
        spec=RequestSpec(
            url="{{base}}/anything/me",
            params=[KeyValue("who", "{{user}}")],
            headers=[KeyValue("Authorization", "Bearer {{token}}")],
        ),
        assertions=[
            {"type": "jsonpath", "op": "equals", "target": "$.args.who[0]", "expected": "{{user}}"},
            {"type": "jsonpath", "op": "contains", "target": "$.headers[*][1]", "expected": "Bearer tok-{{user}}"},
        ],
        captures=[{"variable": "seen_path", "source": "jsonpath", "expression": "$.path"}],
    )
    return [login, me]


def test_captures_chain_into_the_next_request(echo_server):
    outcome = run_plan(
        login_and_use_token(echo_server),
        send_fn=real_send,
        collection_vars={"base": echo_server.url()},
        environment_vars={"user": "ann"},
    )
    assert outcome.state == PASSED, [a.message for r in outcome.results for a in r.assertions]
    assert [r.name for r in outcome.results] == ["log in", "me"]
    assert outcome.results[0].captures[0].value == "tok-ann"
    assert outcome.captured == {"token": "tok-ann", "seen_path": "/anything/me"}
    totals = outcome.totals
    assert (totals.requests, totals.assertions_passed, totals.assertions_failed, totals.errors) == (2, 3, 0, 0)
    assert totals.mean_ms is not None and totals.p95_ms is not None


def test_data_rows_drive_iterations_and_a_later_scope_wins(echo_server):
    rows = [{"user": "ann"}, {"user": "bob"}, {"user": "cy"}]
    outcome = run_plan(
        login_and_use_token(echo_server),
        send_fn=real_send,
        data_rows=rows,
        collection_vars={"base": echo_server.url(), "user": "collection-user"},
        environment_vars={"user": "env-user"},
    )
    assert outcome.state == PASSED
    assert outcome.totals.iterations == 3
    assert [(r.iteration, r.name) for r in outcome.results] == [
        (1, "log in"), (1, "me"), (2, "log in"), (2, "me"), (3, "log in"), (3, "me"),
    ]
    assert [r.captures[0].value for r in outcome.results if r.name == "log in"] == ["tok-ann", "tok-bob", "tok-cy"]
    # The last iteration's captures are what the run hands back.
    assert outcome.captured["token"] == "tok-cy"


def test_more_iterations_than_rows_repeat_the_last_row(echo_server):
    item = make_plan_item(
        name="echo", spec=RequestSpec(url=echo_server.url("/anything?u={{user}}")),
        captures=[{"variable": "u", "source": "jsonpath", "expression": "$.args.u[0]"}],
    )
    outcome = run_plan([item], send_fn=real_send, iterations=3, data_rows=[{"user": "a"}, {"user": "b"}])
    assert [r.captures[0].value for r in outcome.results] == ["a", "b", "b"]


def test_failed_assertions_fail_the_run_but_it_goes_on(echo_server):
    items = [
        make_plan_item(name="teapot", spec=RequestSpec(url=echo_server.url("/status/418")), assertions=STATUS_200),
        make_plan_item(name="fine", spec=RequestSpec(url=echo_server.url("/get")), assertions=STATUS_200),
    ]
    outcome = run_plan(items, send_fn=real_send, iterations=2)
    assert outcome.state == FAILED and not outcome.bailed
    assert outcome.totals.requests == 4
    assert (outcome.totals.assertions_passed, outcome.totals.assertions_failed) == (2, 2)
    assert outcome.results[0].assertions[0].message == "expected status to equal 200, got 418"


def test_bail_stops_at_the_first_failure(echo_server):
    items = [
        make_plan_item(name="ok", spec=RequestSpec(url=echo_server.url("/get")), assertions=STATUS_200),
        make_plan_item(name="teapot", spec=RequestSpec(url=echo_server.url("/status/418")), assertions=STATUS_200),
        make_plan_item(name="never", spec=RequestSpec(url=echo_server.url("/get")), assertions=STATUS_200),
    ]
    outcome = run_plan(items, send_fn=real_send, iterations=5, bail=True)
    assert outcome.state == FAILED and outcome.bailed
    assert [r.name for r in outcome.results] == ["ok", "teapot"]
    assert outcome.totals.iterations == 0


def test_request_errors_are_counted_and_skip_assertions(echo_server, closed_port):
    items = [
        make_plan_item(name="down", spec=RequestSpec(url=f"http://127.0.0.1:{closed_port}/"), assertions=STATUS_200),
        make_plan_item(name="up", spec=RequestSpec(url=echo_server.url("/get")), assertions=STATUS_200),
    ]
    outcome = run_plan(items, send_fn=real_send)
    down, up = outcome.results
    assert down.error is not None and down.error["kind"] == "refused"
    assert down.assertions == [] and down.status is None
    assert up.passed
    assert (outcome.totals.errors, outcome.totals.assertions_failed, outcome.state) == (1, 0, FAILED)


def test_unknown_variable_is_a_named_request_error(echo_server):
    item = make_plan_item(name="x", spec=RequestSpec(url="{{nowhere}}/get"), assertions=STATUS_200)
    outcome = run_plan([item], send_fn=real_send)
    assert outcome.results[0].error is not None
    assert outcome.state == FAILED


def test_cancel_stops_the_run_between_requests(echo_server):
    seen = []
    items = [make_plan_item(name=f"r{i}", spec=RequestSpec(url=echo_server.url("/get"))) for i in range(5)]
    outcome = run_plan(items, send_fn=real_send, iterations=10, on_result=seen.append, should_cancel=lambda: len(seen) >= 3)
    assert outcome.state == CANCELLED
    assert len(outcome.results) == 3 == len(seen)


def test_cancel_interrupts_a_delay(echo_server):
    cancel = threading.Event()
    items = [make_plan_item(name=f"r{i}", spec=RequestSpec(url=echo_server.url("/get"))) for i in range(3)]
    threading.Timer(0.3, cancel.set).start()
    started = time.monotonic()
    outcome = run_plan(items, send_fn=real_send, delay_ms=60_000, should_cancel=cancel.is_set)
    assert outcome.state == CANCELLED
    assert len(outcome.results) == 1
    assert time.monotonic() - started < 30  # far from the 60 s the delay would take


def test_delay_waits_between_requests_not_before_the_first(echo_server):
    sent_at = []

    def timed_send(spec, variables):
        sent_at.append(time.monotonic())
        return real_send(spec, variables)

    items = [make_plan_item(name=f"r{i}", spec=RequestSpec(url=echo_server.url("/get"))) for i in range(3)]
    started = time.monotonic()
    run_plan(items, send_fn=timed_send, delay_ms=150)
    assert sent_at[0] - started < 0.15
    assert all(later - earlier >= 0.15 for earlier, later in zip(sent_at, sent_at[1:]))


def test_concurrency_runs_iterations_at_once_and_keeps_each_iterations_order(echo_server):
    in_flight = 0
    most_in_flight = 0
    lock = threading.Lock()

    def counting_send(spec, variables):
        nonlocal in_flight, most_in_flight
        with lock:
            in_flight += 1
            most_in_flight = max(most_in_flight, in_flight)
        try:
            return real_send(spec, variables)
        finally:
            with lock:
                in_flight -= 1

    items = login_and_use_token(echo_server) + [
        make_plan_item(
            name="slow",
            spec=RequestSpec(url=echo_server.url("/delay/0.1?t={{token}}")),
            assertions=[{"type": "jsonpath", "op": "equals", "target": "$.args.t[0]", "expected": "tok-{{user}}"}],
        )
    ]
    order = []
    rows = [{"user": f"user{i}"} for i in range(8)]
    outcome = run_plan(
        items,
        send_fn=counting_send,
        data_rows=rows,
        collection_vars={"base": echo_server.url()},
        concurrency=4,
        on_result=lambda row: order.append((row.iteration, row.index)),
    )
    assert outcome.state == PASSED, [a.message for r in outcome.results for a in r.assertions if not a.passed]
    assert most_in_flight > 1
    for iteration in range(1, 9):
        assert [index for it, index in order if it == iteration] == [0, 1, 2]
    assert [(r.iteration, r.index) for r in outcome.results] == [(i, j) for i in range(1, 9) for j in range(3)]
    assert outcome.totals.iterations == 8


def test_bail_with_concurrency_stops_every_iteration(echo_server):
    items = [
        make_plan_item(name="teapot", spec=RequestSpec(url=echo_server.url("/status/418")), assertions=STATUS_200),
        make_plan_item(name="slow", spec=RequestSpec(url=echo_server.url("/delay/0.2"))),
    ]
    outcome = run_plan(items, send_fn=real_send, iterations=16, concurrency=4, bail=True)
    assert outcome.bailed and outcome.state == FAILED
    assert len(outcome.results) < 32


def test_results_can_be_streamed_without_keeping_them(echo_server):
    seen = []
    items = [make_plan_item(name="r", spec=RequestSpec(url=echo_server.url("/get")), assertions=STATUS_200)]
    outcome = run_plan(items, send_fn=real_send, iterations=4, on_result=seen.append, keep_results=False)
    assert outcome.results == [] and len(seen) == 4
    assert outcome.totals.requests == 4 and outcome.totals.assertions_passed == 4


@pytest.mark.parametrize(
    ("settings", "field"),
    [({"concurrency": 17}, "concurrency"), ({"concurrency": 0}, "concurrency"), ({"iterations": 10_001}, "iterations"), ({"delay_ms": -1}, "delay_ms")],
)
def test_out_of_range_settings_are_refused_before_sending(settings, field):
    sent = []
    with pytest.raises(RunSettingsError) as caught:
        run_plan([], send_fn=lambda spec, variables: sent.append(spec), **settings)
    assert caught.value.field == field and not sent


def test_bad_assertions_are_refused_when_the_plan_is_made():
    with pytest.raises(AssertionFormatError):
        make_plan_item(name="x", spec=RequestSpec(url="http://127.0.0.1/"), assertions=[{"type": "status", "op": "equals"}])


def test_p95_is_the_nearest_rank():
    assert percentile([], 0.95) is None
    assert percentile([5.0], 0.95) == 5.0
    assert percentile([float(i) for i in range(1, 101)], 0.95) == 95.0
    assert percentile([float(i) for i in range(1, 21)], 0.95) == 19.0


def test_unresolved_variables_are_sent_as_written_and_named_in_the_results(echo_server):
    """Issue 12 item 4: sent as Postman sends them, named on each result (and kept by to/from_dict)."""
    from requests_app.runner.loop import ResultRow

    item = make_plan_item(name="typo", spec=RequestSpec(url="{{base}}/anything/{{bookid}}?q={{qq}}"), assertions=STATUS_200)
    outcome = run_plan([item], send_fn=real_send, collection_vars={"base": echo_server.url()})
    (row,) = outcome.results
    assert row.unresolved_variables == ["bookid", "qq"]
    assert ResultRow.from_dict(row.to_dict()).unresolved_variables == ["bookid", "qq"]

"""A request's test scripts and the next request's pre-request scripts share one V8 evaluation
(ScriptContext.run_event's `following`): the run must behave exactly as if they ran apart."""

from __future__ import annotations

import pytest

from requests_app.engine.spec import RequestSpec
from requests_app.runner.loop import make_plan_item, run_plan
from requests_app.scripting.context import FollowingEvent, ScriptContext
from requests_app.scripting.sources import ScriptLimits, ScriptSource

REQUEST = {"name": "r", "method": "GET", "url": "http://127.0.0.1:9/x", "params": [], "headers": [], "body": None}
RESPONSE = {"code": 200, "status": "OK", "headers": [], "body": '{"n": 7}', "responseTime": 3, "responseSize": 8}
INFO = {"requestName": "r", "requestId": "1", "iteration": 0, "iterationCount": 1}


def fold_run(ctx, test_text, pre_text):
    following = FollowingEvent("prerequest", [ScriptSource("request", pre_text)], request=REQUEST, info=INFO)
    return ctx.run_event("test", [ScriptSource("request", test_text)], request=REQUEST, response=RESPONSE,
                         variables={"collectionVariables": {"n": 1}}, info=INFO, following=following)


@pytest.fixture
def ctx():
    with ScriptContext(ScriptLimits(timeout_ms=300)) as context:
        yield context


def evaluations(ctx, monkeypatch):
    calls = []
    real = ctx._eval
    monkeypatch.setattr(ctx, "_eval", lambda code: calls.append(code.split("(")[0]) or real(code))
    return calls


def test_the_next_pre_request_runs_in_the_same_evaluation_and_sees_the_test_scripts_changes(ctx, monkeypatch):
    ctx._ctx()
    calls = evaluations(ctx, monkeypatch)
    outcome = fold_run(ctx, "pm.collectionVariables.set('n', pm.response.json().n); console.log('test');",
                       "pm.request.headers.add({key: 'X-N', value: String(pm.collectionVariables.get('n'))}); console.log('pre');")
    assert [c for c in calls if c != "__wc.define"] == ["__wc.runText"]
    assert outcome.variables == {"collectionVariables": {"n": 7}}
    assert [c["text"] for c in outcome.console] == ["test"]
    assert outcome.following is not None
    assert outcome.following.variables == {}  # it read the scope, changed nothing
    assert outcome.following.request["headers"] == [{"key": "X-N", "value": "7", "disabled": False}]
    assert [c["text"] for c in outcome.following.console] == ["pre"]


@pytest.mark.parametrize("test_text", [
    "pm.execution.setNextRequest('elsewhere');",   # another request comes next
    "pm.sendRequest('http://127.0.0.1:9/', function () {});",  # its replies needed the host
    "Promise.resolve().then(function () {});",      # its promise jobs needed a second evaluation
])
def test_no_folding_when_something_else_may_come_between(ctx, test_text):
    outcome = fold_run(ctx, test_text, "pm.variables.set('ran', true);")
    assert outcome.following is None


def test_a_busy_pre_request_after_a_test_gets_its_own_error_and_the_test_its_results(ctx):
    outcome = fold_run(ctx, "pm.test('fine', function () {}); pm.collectionVariables.set('n', 2);", "while (true) {}")
    assert [(t.name, t.passed) for t in outcome.tests] == [("fine", True)]
    assert outcome.errors == []
    assert outcome.variables == {"collectionVariables": {"n": 2}}
    assert outcome.following is None  # the pre-request runs on its own later, with its full time limit


def test_a_busy_test_script_is_the_one_named(ctx):
    outcome = fold_run(ctx, "while (true) {}", "pm.variables.set('ran', true);")
    assert [(e.name, e.event) for e in outcome.errors] == [("ScriptTimeout", "test")]
    assert outcome.following is None


def test_in_a_run_each_request_keeps_its_own_results(echo_server):
    spec = RequestSpec(method="GET", url=echo_server.url("/get"))

    def send_fn(spec, scopes):
        from requests_app.engine import send
        from requests_app.engine.policy import OutboundPolicy

        return send(spec, policy=OutboundPolicy.allow_all(), variables=scopes)

    def item(name, pre, test):
        return make_plan_item(name=name, spec=spec, scripts={
            "prerequest": (ScriptSource("request", pre),), "test": (ScriptSource("request", test),)})

    items = [
        item("a", "pm.variables.set('count', 1);", "pm.test('a test', function () {}); pm.collectionVariables.set('from', 'a');"),
        item("b", "pm.test('b pre sees a', function () { pm.expect(pm.collectionVariables.get('from')).to.equal('a'); });"
                  " pm.request.headers.add({key: 'X-From', value: pm.collectionVariables.get('from')});",
             "pm.test('b sent it', function () { pm.expect(_.fromPairs(pm.response.json().headers)['X-From']).to.equal('a'); });"),
        item("c", "while (true) {}", "pm.test('c test', function () {});"),
        item("d", "console.log('d pre');", "pm.test('d test', function () {});"),
    ]
    outcome = run_plan(items, send_fn=send_fn, script_limits=ScriptLimits(timeout_ms=200))
    rows = {row.name: row for row in outcome.results}
    assert [(a.target, a.passed) for a in rows["a"].assertions] == [("a test", True)]
    assert [(a.target, a.passed) for a in rows["b"].assertions] == [("b pre sees a", True), ("b sent it", True)]
    assert rows["c"].error["code"] == "ScriptTimeout" and rows["a"].error is None and rows["b"].error is None
    assert [c["text"] for c in rows["d"].console] == ["d pre"]
    assert outcome.script_variables["collectionVariables"] == {"from": "a"}

"""The script sandbox's limits and isolation: each bad script ends with a named error, the next one runs."""

from __future__ import annotations

import pytest

from requests_app.engine.spec import RequestSpec
from requests_app.runner.loop import make_plan_item, run_plan
from requests_app.scripting.context import ScriptContext
from requests_app.scripting.sources import ScriptLimits, ScriptSource

REQUEST = {"name": "r", "method": "GET", "url": "{{base}}/x", "params": [], "headers": [], "body": None}
RESPONSE = {"code": 200, "status": "OK", "headers": [{"key": "Content-Type", "value": "application/json"}],
            "body": '{"ok": true}', "responseTime": 3, "responseSize": 12}
INFO = {"requestName": "r", "requestId": "1", "iteration": 0, "iterationCount": 1}


def run(ctx: ScriptContext, source: str, *, event: str = "test", send=None):
    return ctx.run_event(event, [ScriptSource("request", source)], request=REQUEST, response=RESPONSE,
                         variables={}, info=INFO, send_request=send)


def still_works(ctx: ScriptContext) -> None:
    outcome = run(ctx, "pm.test('after', function () { pm.response.to.have.status(200); });")
    assert [(t.name, t.passed) for t in outcome.tests] == [("after", True)]
    assert outcome.errors == []


@pytest.fixture
def ctx():
    with ScriptContext(ScriptLimits(timeout_ms=300, max_memory_mb=64)) as context:
        yield context


def test_a_busy_loop_ends_at_the_time_limit(ctx):
    outcome = run(ctx, "while (true) {}")
    assert [(e.name, e.owner) for e in outcome.errors] == [("ScriptTimeout", "request")]
    assert "300 ms" in outcome.errors[0].message
    still_works(ctx)


def test_a_busy_loop_in_a_send_request_callback_ends_too(ctx):
    reply = {"error": None, "response": RESPONSE}
    outcome = run(ctx, "pm.sendRequest('http://x/', function () { for (;;) {} });", send=lambda r: reply)
    assert [e.name for e in outcome.errors] == ["ScriptTimeout"]
    still_works(ctx)


def test_growing_memory_ends_at_the_heap_cap():
    with ScriptContext(ScriptLimits(timeout_ms=60_000, max_memory_mb=64)) as context:
        outcome = run(context, "var a = []; while (true) { a.push({ n: [1, 2, 3, 4, 5, 6, 7, 8] }); }")
        assert [e.name for e in outcome.errors] == ["ScriptMemoryLimit"]
        assert "64 MiB" in outcome.errors[0].message
        still_works(context)


def test_a_one_gib_string_is_refused_by_name(ctx):
    outcome = run(ctx, "var s = 'x'.repeat(1024 * 1024 * 1024);")
    assert [(e.name, e.message) for e in outcome.errors] == [("RangeError", "Invalid string length")]
    still_works(ctx)


def test_deep_recursion_is_a_range_error(ctx):
    outcome = run(ctx, "function down(n) { return down(n + 1) + 1; }\ndown(0);")
    assert [(e.name, e.message, e.line) for e in outcome.errors] == [("RangeError", "Maximum call stack size exceeded", 1)]
    still_works(ctx)


def test_a_send_request_storm_is_capped(ctx):
    sent = []

    def send(request):
        sent.append(request["url"])
        return {"error": None, "response": RESPONSE}

    outcome = run(ctx, "for (var i = 0; i < 1000; i++) { pm.sendRequest('http://x/' + i, function () {}); }", send=send)
    assert [e.name for e in outcome.errors] == ["SendRequestLimit"]
    assert len(sent) == 10
    still_works(ctx)


def test_prototype_pollution_is_named_and_undone(ctx):
    outcome = run(ctx, "Object.prototype.isAdmin = true;\nArray.prototype.push = function () {};\nJSON.parse = null;")
    assert [e.name for e in outcome.errors] == ["PrototypePollution"]
    assert "Object.prototype.isAdmin" in outcome.errors[0].message
    clean = run(ctx, "pm.test('clean', function () { var a = []; a.push(1); pm.expect(({}).isAdmin).to.equal(undefined);"
                     " pm.expect(a).to.have.lengthOf(1); pm.expect(JSON.parse('1')).to.equal(1); });")
    assert [(t.name, t.passed, t.error) for t in clean.tests] == [("clean", True, "")]


def test_freezing_a_prototype_replaces_the_context(ctx):
    outcome = run(ctx, "Object.freeze(Array.prototype);")
    assert [e.name for e in outcome.errors] == ["PrototypePollution"]
    still_works(ctx)


def test_scripts_reach_no_host_objects(ctx):
    outcome = run(ctx, "pm.test([typeof process, typeof fetch, typeof XMLHttpRequest, typeof Atomics.waitAsync, typeof WebAssembly === 'object'].join(','), function () {});"
                       "\nrequire('child_process');")
    assert outcome.tests[0].name == "undefined,undefined,undefined,undefined,true"
    assert [(e.name, e.line, e.column) for e in outcome.errors] == [("ModuleNotAvailable", 2, 1)]
    assert "child_process" in outcome.errors[0].message


def test_a_syntax_error_names_line_and_column(ctx):
    outcome = run(ctx, "var ok = 1;\n\nvar broken = {;")
    assert [(e.name, e.line, e.column) for e in outcome.errors] == [("SyntaxError", 3, 15)]


def test_nothing_leaks_from_one_run_to_the_next(echo_server):
    """A fresh context per run: globals, prototypes and scopes a run leaves behind are gone in the next."""
    spec = RequestSpec(method="GET", url=echo_server.url("/get"))

    def send_fn(spec, scopes):
        from requests_app.engine import send
        from requests_app.engine.policy import OutboundPolicy

        return send(spec, policy=OutboundPolicy.allow_all(), variables=scopes)

    dirty = make_plan_item(name="dirty", spec=spec, scripts={"test": (ScriptSource("request",
        "globalThis.leak = 'secret'; pm.globals.set('g', 'secret'); pm.variables.set('l', 'secret');"
        " chai.leaked = true; String.prototype.evil = function () {};"),)})
    probe = make_plan_item(name="probe", spec=spec, scripts={"test": (ScriptSource("request",
        "pm.test('clean', function () { pm.expect(typeof leak).to.equal('undefined');"
        " pm.expect(pm.globals.has('g')).to.equal(false); pm.expect(pm.variables.has('l')).to.equal(false);"
        " pm.expect(chai.leaked).to.equal(undefined); pm.expect(''.evil).to.equal(undefined); });"),)})
    first = run_plan([dirty], send_fn=send_fn)
    second = run_plan([probe], send_fn=send_fn)
    assert first.results[0].error["code"] == "PrototypePollution"
    assert [(a.target, a.passed, a.message) for a in second.results[0].assertions] == [("clean", True, "clean")]


def test_the_run_goes_on_after_a_script_error(echo_server):
    spec = RequestSpec(method="GET", url=echo_server.url("/get"))

    def send_fn(spec, scopes):
        from requests_app.engine import send
        from requests_app.engine.policy import OutboundPolicy

        return send(spec, policy=OutboundPolicy.allow_all(), variables=scopes)

    items = [
        make_plan_item(name="spins", spec=spec, scripts={"prerequest": (ScriptSource("request", "while (true) {}"),)}),
        make_plan_item(name="fine", spec=spec, scripts={"test": (ScriptSource("request", "pm.test('ok', function () {});"),)}),
    ]
    outcome = run_plan(items, send_fn=send_fn, script_limits=ScriptLimits(timeout_ms=200))
    assert [(r.name, r.status, (r.error or {}).get("code")) for r in outcome.results] == [("spins", 200, "ScriptTimeout"), ("fine", 200, None)]
    assert outcome.totals.errors == 1
    assert outcome.state == "failed"


def test_timers_and_promises_run_inside_the_script(ctx):
    outcome = run(ctx, "setTimeout(function () { pm.test('late', function () {}); }, 50);"
                       "\nsetTimeout(function () { pm.test('early', function () {}); }, 0);"
                       "\nPromise.resolve(1).then(function () { pm.test('promise', function () {}); });")
    assert [t.name for t in outcome.tests] == ["promise", "early", "late"]
    stuck = run(ctx, "setTimeout(function () { while (true) {} }, 10);")
    assert [e.name for e in stuck.errors] == ["ScriptTimeout"]  # a timer's time counts as the script's
    still_works(ctx)


def test_the_libraries_a_script_first_uses_load_then_and_behave_as_loaded_at_the_start(ctx):
    outcome = run(ctx, """
console.log(typeof CryptoJS, CryptoJS.HmacSHA256('a', 'b').toString() === require('crypto-js').HmacSHA256('a', 'b').toString());
console.log(_.chunk([1, 2, 3], 2).length, require('lodash') === _, window._ === _);
console.log(uuid.v4().length, require('uuid') === uuid, moment.utc(0).format('YYYY'), require('moment') === moment);
""")
    assert outcome.errors == []  # loading a library changes no built-in (no PrototypePollution)
    assert [c["text"] for c in outcome.console] == ["object true", "2 true true", "36 true 1970 true"]
    # A global a script set before the library was first used stays the script's; require still gives the library.
    outcome = run(ctx, "_ = 5; exports = {}; console.log(_, typeof require('lodash').chunk, typeof require('moment')().format);")
    assert (outcome.errors, [c["text"] for c in outcome.console]) == ([], ["5 function function"])
    outcome = run(ctx, "console.log(_, typeof lodash, Object.keys(globalThis).indexOf('moment') >= 0)")
    assert [c["text"] for c in outcome.console] == ["5 undefined true"]
    still_works(ctx)


@pytest.mark.parametrize("eventfd", [True, False], ids=["eventfd callback", "python callback"])
def test_an_isolate_returns_values_errors_and_stops_at_its_time_limit(monkeypatch, eventfd):
    from requests_app.scripting import v8

    if not eventfd:  # what a system without eventfd uses
        monkeypatch.setattr(v8, "_EVENTFD_CALLBACK", None)
    isolate = v8.Isolate()
    try:
        assert [isolate.eval(code) for code in ("1 + 1", "'é'", "0.5", "true", "null", "undefined")] == [2, "é", 0.5, True, None, None]
        with pytest.raises(v8.JSParseError):
            isolate.eval("var = ;")
        with pytest.raises(v8.JSEvalError, match="boom"):
            isolate.eval("throw new Error('boom')")
        assert isolate.eval("({a: 1})", value=False) is None
        with pytest.raises(v8.JSTimeoutError):
            isolate.eval("for (;;) {}", timeout_s=0.2)
        with pytest.raises(v8.JSTerminatedError):  # closed after the timeout: nothing late is read
            isolate.eval("1")
    finally:
        isolate.close()


def test_an_evaluation_interrupted_while_waiting_closes_its_isolate():
    # Ctrl+C or a Celery soft time limit arrives while V8 still runs: the isolate is closed, so
    # that result, still to come, can never be read as the next evaluation's.
    import signal

    from requests_app.scripting.v8 import Isolate, JSTerminatedError

    class Interrupted(Exception):
        pass

    def interrupt(*_args):
        raise Interrupted

    isolate = Isolate()
    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, 0.2)
    try:
        with pytest.raises(Interrupted):
            isolate.eval("while (true) {}", timeout_s=5)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    with pytest.raises(JSTerminatedError):
        isolate.eval("1 + 1", timeout_s=1)  # before: waited behind the busy loop, then timed out
    assert Isolate().eval("1 + 1") == 2  # other isolates are unaffected

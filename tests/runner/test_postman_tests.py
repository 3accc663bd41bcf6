"""Common one-line Postman checks become assertions; everything else is named, never run."""

from __future__ import annotations

import pytest

from requests_app.runner.assertions import validate_assertions
from requests_app.runner.postman_tests import translate_test_script


@pytest.mark.parametrize(
    ("script", "assertion"),
    [
        ('pm.test("Status code is 200", function () {\n    pm.response.to.have.status(200);\n});', {"type": "status", "op": "equals", "expected": 200}),
        ("pm.test('ok', () => pm.response.to.be.ok);", {"type": "status", "op": "class", "expected": "2xx"}),
        ("pm.test('ok', () => { pm.response.to.be.success; });", {"type": "status", "op": "class", "expected": "2xx"}),
        ("pm.test('c', () => pm.expect(pm.response.code).to.eql(201));", {"type": "status", "op": "equals", "expected": 201}),
        ("pm.test('c', () => pm.expect(pm.response.code).to.be.oneOf([200, 204]));", {"type": "status", "op": "in", "expected": [200, 204]}),
        ("pm.test('t', () => { pm.expect(pm.response.responseTime).to.be.below(300); });", {"type": "response_time", "op": "lt", "expected": 300}),
        ('pm.test("h", () => pm.response.to.have.header("X-Id"));', {"type": "header", "op": "exists", "target": "X-Id"}),
        ("pm.test('b', () => { pm.expect(pm.response.text()).to.include('it\\'s \"ok\"'); });", {"type": "body", "op": "contains", "expected": "it's \"ok\""}),
    ],
)
def test_known_one_liners_become_assertions(script, assertion):
    assertions, notes = translate_test_script(script)
    assert assertions == [assertion] and notes == []
    validate_assertions(assertions)


def test_other_javascript_is_named_and_left_out():
    script = (
        'pm.test("status", () => pm.response.to.have.status(200));\n'
        'pm.test("json", () => { const j = pm.response.json(); pm.expect(j.a).to.eql(1); });\n'
        'pm.test("mixed", () => { pm.response.to.have.status(200); pm.environment.set("x", 1); });\n'
    )
    assertions, notes = translate_test_script(script)
    assert assertions == [{"type": "status", "op": "equals", "expected": 200}]
    assert notes == [
        "test 'json' is JavaScript webclient does not run; it was left out",
        "test 'mixed' is JavaScript webclient does not run; it was left out",
    ]


def test_a_script_without_pm_test_is_noted():
    assert translate_test_script("console.log(1)") == ([], ["test script has no pm.test block webclient can read; it was not run"])
    assert translate_test_script("  ") == ([], [])

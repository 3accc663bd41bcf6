"""A saved request's assertions and captures inside an exported test script, and back.

Usage::

    from requests_app.interop.saved_tests import split_saved_tests, with_saved_tests

    script = with_saved_tests(kept_script, assertions, captures, dialect="postman")   # or "jetbrains"
    rest, assertions, captures = split_saved_tests(script)                            # on import

Exports (Postman v2.1, .http) have no field for webclient's declarative checks, so they go
into the request's test script as one marked block. Each check is a comment line holding its
JSON (read back exactly on import, so a round trip keeps every check), followed, where the
check translates, by the test the other tool runs: `pm.test(...)` for Postman/newman (in the
one-liners runner/postman_tests.py also reads), `client.test(...)` for JetBrains/httpyac.
A check with no translation (a JSONPath with filters, a regex capture...) stays a comment only.
The block is removed from the script on import; the rest of the script is kept as it was.
"""

from __future__ import annotations

import json
import re
from typing import Any

BEGIN = "// webclient tests: written from the saved assertions and captures (edit them in webclient's Tests tab)"
END = "// end of webclient tests"
_DATA = re.compile(r"^\s*// webclient (?P<kind>assertion|capture): (?P<json>\{.*\})\s*$")
_SIMPLE_PATH = re.compile(r"^\$((?:\.[A-Za-z_$][\w$]*|\[\d+\])*)$")


def _js(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _pm(name: str, statement: str) -> str:
    return f"pm.test({_js(name)}, function () {{ {statement}; }});"


_NUMBER_OPS = {"lt": "to.be.below", "lte": "to.be.at.most", "gt": "to.be.above", "gte": "to.be.at.least",
               "equals": "to.eql", "not_equals": "to.not.eql"}  # fmt: skip


def _postman(check: dict[str, Any]) -> str | None:
    kind, op, target, expected = check.get("type"), check.get("op"), check.get("target", ""), check.get("expected")
    if any("{{" in str(value) for value in (target, expected) if value is not None):
        return None  # Postman tests do not fill in {{variables}}
    name = f"{kind} {op} {target} {'' if expected is None else expected}".replace("  ", " ").strip()
    if kind == "status":
        if op == "equals":
            return _pm(name, f"pm.response.to.have.status({int(str(expected))})")
        if op == "class" and expected == "2xx":
            return _pm(name, "pm.response.to.be.success")
        if op == "class":
            return _pm(name, f"pm.expect(Math.floor(pm.response.code / 100)).to.eql({int(str(expected)[0])})")
        if op == "in":
            return _pm(name, f"pm.expect(pm.response.code).to.be.oneOf({_js(expected)})")
        if op in _NUMBER_OPS:
            return _pm(name, f"pm.expect(pm.response.code).{_NUMBER_OPS[op]}({_js(expected)})")
    if kind in ("response_time", "body_size") and op in ("lt", "lte"):
        subject = "pm.response.responseTime" if kind == "response_time" else "pm.response.size().body"
        return _pm(name, f"pm.expect({subject}).{_NUMBER_OPS[op]}({_js(expected)})")
    if kind == "header":
        header = f"pm.response.headers.get({_js(target)})"
        statements = {
            "exists": f"pm.response.to.have.header({_js(target)})",
            "not_exists": f"pm.response.to.not.have.header({_js(target)})",
            "equals": f"pm.expect({header}).to.eql({_js(expected)})",
            "not_equals": f"pm.expect({header}).to.not.eql({_js(expected)})",
            "contains": f"pm.expect({header}).to.include({_js(expected)})",
            "matches": f"pm.expect({header}).to.match(new RegExp({_js(expected)}))",
        }
        return _pm(name, statements[op]) if op in statements else None
    if kind == "body":
        statements = {
            "contains": f"pm.expect(pm.response.text()).to.include({_js(expected)})",
            "not_contains": f"pm.expect(pm.response.text()).to.not.include({_js(expected)})",
            "matches": f"pm.expect(pm.response.text()).to.match(new RegExp({_js(expected)}))",
        }
        return _pm(name, statements[op]) if op in statements else None
    if kind == "jsonpath":
        path = _SIMPLE_PATH.match(str(target))
        if not path:
            return None
        subject = f"pm.response.json(){path.group(1)}"
        if op == "exists":
            return _pm(name, f"pm.expect({subject}).to.not.be.undefined")
        if op == "not_exists":
            return _pm(name, f"pm.expect({subject}).to.be.undefined")
        if op in _NUMBER_OPS:
            return _pm(name, f"pm.expect({subject}).{_NUMBER_OPS[op]}({_js(expected)})")
        if op == "contains":
            return _pm(name, f"pm.expect({subject}).to.include({_js(expected)})")
    return None


def _jetbrains(check: dict[str, Any]) -> str | None:
    kind, op, target, expected = check.get("type"), check.get("op"), check.get("target", ""), check.get("expected")
    if any("{{" in str(value) for value in (target, expected) if value is not None):
        return None
    condition = None
    if kind == "status":
        compare = {"equals": "===", "not_equals": "!==", "lt": "<", "lte": "<=", "gt": ">", "gte": ">="}
        if op in compare:
            condition = f"response.status {compare[op]} {int(str(expected))}"
        elif op == "in":
            condition = f"{_js(expected)}.indexOf(response.status) >= 0"
        elif op == "class":
            condition = f"Math.floor(response.status / 100) === {int(str(expected)[0])}"
    elif kind == "header" and op in ("exists", "not_exists", "equals"):
        value = f"response.headers.valueOf({_js(target)})"
        condition = {"exists": f"{value} !== null", "not_exists": f"{value} === null",
                     "equals": f"{value} === {_js(expected)}"}[op]  # fmt: skip
    if condition is None:
        return None
    name = f"{kind} {op} {target} {'' if expected is None else expected}".replace("  ", " ").strip()
    return f"client.test({_js(name)}, function () {{ client.assert({condition}, {_js(name)}); }});"


def with_saved_tests(script: str, assertions: list[Any], captures: list[Any], *, dialect: str) -> str:
    """`script` with the checks' block in front (nothing added when there are no checks)."""
    if not assertions and not captures:
        return script
    translate = _postman if dialect == "postman" else _jetbrains
    lines = [BEGIN]
    def data(kind: str, value: Any) -> str:
        # "%}" would end a .http script block early: JSON reads "%\u007d" back as the same text
        return f"// webclient {kind}: " + json.dumps(value, ensure_ascii=False, sort_keys=True).replace("%}", "%\\u007d")

    for check in assertions:
        lines.append(data("assertion", check))
        statement = translate(check) if isinstance(check, dict) and check.get("enabled", True) else None
        if statement:
            lines.append(statement)
    for capture in captures:
        lines.append(data("capture", capture))
    lines.append(END)
    block = "\n".join(lines)
    return f"{block}\n\n{script}" if script.strip() else block


def split_saved_tests(script: str) -> tuple[str, list[dict[str, Any]], list[dict[str, Any]]]:
    """(the script without the block, assertions, captures); a script without the block is returned as is."""
    lines = script.split("\n")
    try:
        start = next(i for i, line in enumerate(lines) if line.strip() == BEGIN)
        end = next(i for i in range(start, len(lines)) if lines[i].strip() == END)
    except StopIteration:
        return script, [], []
    found: dict[str, list[dict[str, Any]]] = {"assertion": [], "capture": []}
    for line in lines[start + 1 : end]:
        match = _DATA.match(line)
        if match:
            try:
                value = json.loads(match["json"])
            except ValueError:
                continue
            if isinstance(value, dict):
                found[match["kind"]].append(value)
    rest = "\n".join(lines[:start] + lines[end + 1 :]).strip("\n")
    return rest, found["assertion"], found["capture"]

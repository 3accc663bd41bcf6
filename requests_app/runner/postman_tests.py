"""Translate the common one-line Postman checks into declarative assertions. Nothing is executed.

Usage::

    assertions, notes = translate_test_script('pm.test("ok", () => pm.response.to.have.status(200));')
    # [{"type": "status", "op": "equals", "expected": 200}], []

Postman test scripts are JavaScript; webclient never runs scripts on the server. A run
from a Postman file (`run_collection --file`) still checks what the collection meant
to check when a `pm.test` block consists of well-known one-liners:

=====================================================  ==========================================
script                                                 assertion
=====================================================  ==========================================
pm.response.to.have.status(200)                        status equals 200
pm.response.to.be.ok / .success                        status class 2xx
pm.expect(pm.response.code).to.eql(201) (equal, be)    status equals 201
pm.expect(pm.response.code).to.be.oneOf([200, 201])    status in [200, 201]
pm.expect(pm.response.responseTime).to.be.below(300)  response_time lt 300
pm.response.to.have.header("X-Id")                     header exists X-Id
pm.expect(pm.response.text()).to.include("ok")         body contains "ok"
=====================================================  ==========================================

A block with anything else is left out and named in `notes`, so the person knows
which checks did not run.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

_BLOCK = re.compile(r"pm\.test\s*\(\s*(['\"`])(?P<name>.*?)\1\s*,", re.DOTALL)
_NUMBER = r"(\d+(?:\.\d+)?)"
_STRING = r"""(?P<q>['"])(?P<text>(?:\\.|(?!(?P=q)).)*)(?P=q)"""

Translator = Callable[[re.Match[str]], dict[str, Any]]


def _number(text: str) -> int | float:
    value = float(text)
    return int(value) if value.is_integer() else value


def _string(match: re.Match[str]) -> str:
    quote = match.group("q")
    literal = match.group("text")
    if quote == "'":
        literal = literal.replace("\\'", "'").replace('"', '\\"')
    try:
        return str(json.loads(f'"{literal}"'))
    except ValueError:
        return literal


_STATEMENTS: list[tuple[re.Pattern[str], Translator]] = [
    (
        re.compile(rf"pm\.response\.to\.(?:have|be)\.status\(\s*{_NUMBER}\s*\)"),
        lambda m: {"type": "status", "op": "equals", "expected": _number(m.group(1))},
    ),
    (
        re.compile(r"pm\.response\.to\.(?:be|have)\.(?:ok|success)\b(?!\s*\()"),
        lambda m: {"type": "status", "op": "class", "expected": "2xx"},
    ),
    (
        re.compile(rf"pm\.expect\(\s*pm\.response\.(?:code|status)\s*\)\.to\.(?:eql|equal|be\.equal|be)\(\s*{_NUMBER}\s*\)"),
        lambda m: {"type": "status", "op": "equals", "expected": _number(m.group(1))},
    ),
    (
        re.compile(r"pm\.expect\(\s*pm\.response\.code\s*\)\.to\.be\.oneOf\(\s*\[([\d\s,]+)\]\s*\)"),
        lambda m: {"type": "status", "op": "in", "expected": [int(c) for c in m.group(1).split(",") if c.strip()]},
    ),
    (
        re.compile(rf"pm\.expect\(\s*pm\.response\.responseTime\s*\)\.to\.be\.(?:below|lessThan)\(\s*{_NUMBER}\s*\)"),
        lambda m: {"type": "response_time", "op": "lt", "expected": _number(m.group(1))},
    ),
    (
        re.compile(rf"pm\.response\.to\.have\.header\(\s*{_STRING}\s*\)"),
        lambda m: {"type": "header", "op": "exists", "target": _string(m)},
    ),
    (
        re.compile(rf"pm\.expect\(\s*pm\.response\.text\(\)\s*\)\.to\.(?:include|contain)\(\s*{_STRING}\s*\)"),
        lambda m: {"type": "body", "op": "contains", "expected": _string(m)},
    ),
]

# What may surround the statements in a block we translate: the arrow or function head,
# braces, semicolons, whitespace and comments.
_FILLER = re.compile(r"^(?:\s|;|\{|\}|\)|\(|=>|function|//[^\n]*|/\*.*?\*/)*$", re.DOTALL)


def _block_bodies(script: str) -> list[tuple[str, str]]:
    starts = list(_BLOCK.finditer(script))
    bodies = []
    for number, start in enumerate(starts):
        end = starts[number + 1].start() if number + 1 < len(starts) else len(script)
        bodies.append((start.group("name"), script[start.end() : end]))
    return bodies


def translate_test_script(script: str) -> tuple[list[dict[str, Any]], list[str]]:
    """(assertions, notes): one note per pm.test block (or stray code) that was not translated."""
    assertions: list[dict[str, Any]] = []
    notes: list[str] = []
    blocks = _block_bodies(script)
    if not blocks and script.strip():
        notes.append("test script has no pm.test block webclient can read; it was not run")
    for name, body in blocks:
        found: list[dict[str, Any]] = []
        rest = body
        for pattern, translate in _STATEMENTS:
            for match in pattern.finditer(body):
                found.append(translate(match))
            rest = pattern.sub("", rest)
        if found and _FILLER.match(rest):
            assertions.extend(found)
        else:
            notes.append(f"test {name!r} is JavaScript webclient does not run; it was left out")
    return assertions, notes

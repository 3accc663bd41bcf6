"""One response seen by assertions and captures: status, headers, cookies, text, JSON.

Usage::

    view = ResponseView(exchange)           # parses the body at most once, lazily
    view.json()                             # raises BodyNotJson with the reason
    path = compile_jsonpath("$.items[0].id")  # JsonPathError names the problem
    found, value = view.query(path)         # singular paths give the value, others the list

JSONPath follows RFC 9535 (python-jsonpath in strict mode). Its `match()` and
`search()` filter functions run user patterns against response data, so they are
replaced by versions with the same time limit as our own patterns.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from requests_app.engine.exchange import Exchange, Response
from requests_app.runner.patterns import MATCH_TIMEOUT_S, MAX_SUBJECT_CHARS

MAX_JSONPATH_LENGTH = 1000

JSONPATH_INVALID = "jsonpath_invalid"
JSONPATH_TOO_LONG = "jsonpath_too_long"


class JsonPathError(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class BodyNotJson(ValueError):
    """The response body cannot be read as JSON; the message says why."""


@lru_cache(maxsize=1)
def _jsonpath_environment() -> Any:
    """One environment for every run: compiled paths are immutable and its caches thread-safe.

    Built (and python-jsonpath imported) on first use: most runs check statuses only, and a
    CI step pays for every import at start-up.
    """
    import jsonpath
    from jsonpath import function_extensions

    # python-jsonpath compiles filter patterns with `regex` (pinned), whose matcher takes a timeout.
    class TimedMatch(function_extensions.Match):
        def __call__(self, value: object, pattern: object) -> bool:
            return _timed(self, "fullmatch", value, pattern)

    class TimedSearch(function_extensions.Search):
        def __call__(self, value: object, pattern: object) -> bool:
            return _timed(self, "search", value, pattern)

    class RunnerEnvironment(jsonpath.JSONPathEnvironment):
        def setup_function_extensions(self) -> None:
            super().setup_function_extensions()
            self.function_extensions["match"] = TimedMatch(thread_safe=True)
            self.function_extensions["search"] = TimedSearch(thread_safe=True)

    return RunnerEnvironment(strict=True)


def _timed(function: Any, method: str, value: object, pattern: object) -> bool:
    if not isinstance(value, str) or not isinstance(pattern, str):
        return False
    compiled = function.check_cache(pattern)
    if compiled is None:
        return False
    try:
        return bool(getattr(compiled, method)(value[:MAX_SUBJECT_CHARS], timeout=MATCH_TIMEOUT_S))
    except TimeoutError:
        return False


@dataclass(frozen=True)
class CompiledJsonPath:
    source: str
    path: Any  # jsonpath.JSONPath | jsonpath.CompoundJSONPath
    singular: bool


def compile_jsonpath(text: str) -> CompiledJsonPath:
    if len(text) > MAX_JSONPATH_LENGTH:
        raise JsonPathError(JSONPATH_TOO_LONG, f"JSON path is longer than {MAX_JSONPATH_LENGTH} characters")
    if not text.startswith("$"):
        raise JsonPathError(JSONPATH_INVALID, "JSON path must start with $ (for example $.data.id)")
    from jsonpath import JSONPathError

    try:
        path = _jsonpath_environment().compile(text)
    except JSONPathError as exc:
        first_line = str(exc).splitlines()[0] if str(exc) else "invalid"
        raise JsonPathError(JSONPATH_INVALID, f"JSON path is not valid: {first_line}") from None
    singular = bool(getattr(path, "singular_query", lambda: False)())
    return CompiledJsonPath(text, path, singular)


_UNPARSED = object()


class ResponseView:
    """Read-only access to what an assertion or capture may look at."""

    def __init__(self, exchange: Exchange) -> None:
        self.exchange = exchange
        self.response: Response | None = exchange.response
        self._text: str | None = None
        self._json: Any = _UNPARSED
        self._json_error: str = ""

    @property
    def status(self) -> int | None:
        return None if self.response is None else self.response.status

    def header(self, name: str) -> str | None:
        return None if self.response is None else self.response.header(name)

    def cookie(self, name: str) -> str | None:
        if self.response is None:
            return None
        for cookie in self.response.cookies:
            if cookie.name == name:
                return cookie.value
        return None

    @property
    def body_size(self) -> int:
        return 0 if self.response is None else self.response.body_size

    @property
    def total_ms(self) -> float | None:
        return self.exchange.timings.total_ms

    def text(self) -> str:
        if self._text is None:
            self._text = "" if self.response is None else self.response.text()
        return self._text

    def json(self) -> Any:
        if self._json is _UNPARSED:
            try:
                self._json = json.loads(self.text())
            except RecursionError:
                self._json_error = "the body is JSON nested too deeply to read"
            except ValueError as exc:
                # JSONDecodeError, and the int-digits limit (also a ValueError).
                self._json_error = f"the body is not JSON ({exc})"
            if self._json_error:
                self._json = None
        if self._json_error:
            raise BodyNotJson(self._json_error)
        return self._json

    def query(self, path: CompiledJsonPath) -> tuple[bool, Any]:
        """(found, value): a singular path gives its one value, any other path the list of matches."""
        document = self.json()
        values = path.path.findall(document)
        if path.singular:
            return (True, values[0]) if values else (False, None)
        return bool(values), values

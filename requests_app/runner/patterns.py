"""Regular expressions written by users, run against untrusted response bodies.

Usage::

    pattern = compile_pattern(r'"id":\\s*(\\d+)')      # PatternError names what is wrong
    match = pattern.search(body_text)                 # None, a match, or PatternError(code="pattern_timeout")

Python's `re` cannot be interrupted, so a pattern like `(a+)+$` against a long
body would hold a worker for minutes. We use the `regex` module, whose matcher
takes a timeout, cap the pattern's length and the subject's size, and remember a
timeout so a run does not pay for the same bad pattern on every request. `regex` is imported
when the first pattern is compiled: most runs have none, and a CI step pays for every import.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import regex

MAX_PATTERN_LENGTH = 1000
MAX_SUBJECT_CHARS = 1_000_000  # bodies are searched in their first million characters
MATCH_TIMEOUT_S = 0.25

PATTERN_TOO_LONG = "pattern_too_long"
PATTERN_INVALID = "pattern_invalid"
PATTERN_TIMEOUT = "pattern_timeout"


class PatternError(ValueError):
    """A user's regular expression cannot be used; `code` is one of the PATTERN_* names."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class GuardedPattern:
    """A compiled pattern whose searches are bounded in input size and time."""

    source: str
    compiled: regex.Pattern[str]
    timed_out: bool = field(default=False)

    def search(self, subject: str) -> regex.Match[str] | None:
        if self.timed_out:
            raise PatternError(PATTERN_TIMEOUT, f"pattern {self.source!r} took too long earlier in this run")
        try:
            return self.compiled.search(subject[:MAX_SUBJECT_CHARS], timeout=MATCH_TIMEOUT_S)
        except TimeoutError:
            self.timed_out = True
            raise PatternError(
                PATTERN_TIMEOUT,
                f"pattern {self.source!r} took longer than {int(MATCH_TIMEOUT_S * 1000)} ms; simplify it",
            ) from None


def check_pattern_text(pattern: str) -> None:
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise PatternError(PATTERN_TOO_LONG, f"pattern is longer than {MAX_PATTERN_LENGTH} characters")


def compile_pattern(pattern: str) -> GuardedPattern:
    import regex

    check_pattern_text(pattern)
    try:
        return GuardedPattern(pattern, regex.compile(pattern))
    except regex.error as exc:
        raise PatternError(PATTERN_INVALID, f"pattern is not a valid regular expression: {exc}") from None

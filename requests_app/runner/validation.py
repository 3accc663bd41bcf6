"""What assertion and capture validation share: the error type and the header-name rule."""

from __future__ import annotations

import re

# RFC 9110 section 5.6.2: a header name is a token.
HEADER_NAME = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")


class RunnerFormatError(ValueError):
    """Stored checks cannot be used; `field` points at the bad part, e.g. assertions[2].op."""

    def __init__(self, code: str, field_path: str, message: str) -> None:
        super().__init__(f"{field_path}: {message}")
        self.code = code
        self.field = field_path
        self.message = message

"""What assertion and capture validation share: the error type (the header-name rule is
engine/validation.py's `is_token`)."""

from __future__ import annotations


class RunnerFormatError(ValueError):
    """Stored checks cannot be used; `field` points at the bad part, e.g. assertions[2].op."""

    def __init__(self, code: str, field_path: str, message: str) -> None:
        super().__init__(f"{field_path}: {message}")
        self.code = code
        self.field = field_path
        self.message = message

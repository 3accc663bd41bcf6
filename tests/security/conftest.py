"""Fixtures of the issue 13 tests: Acme's `world` (tests/api/conftest.py) reused here."""

from tests.api.conftest import SECRET, world  # noqa: F401 - fixtures and the secret they store

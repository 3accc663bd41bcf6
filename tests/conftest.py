"""Shared fixtures live in tests/fixtures/, one module per concern, each owned by its area:

- echo.py:      echo_server / echo_tls_server: the playground on 127.0.0.1 (plain and TLS)
- accounts.py:  alice (owner), bob (team member), carol (outsider), their workspace, API clients
- browser.py:   Playwright driving Debian's chromium against a live server
- oauth_provider.py: a real OAuth 2.0 provider (django-oauth-toolkit) in its own process
- peers.py:     real peer tools (newman) installed with npm into a scratch folder
"""

pytest_plugins = [
    "tests.fixtures.echo",
    "tests.fixtures.accounts",
    "tests.fixtures.browser",
    "tests.fixtures.oauth_provider",
    "tests.fixtures.peers",
]


import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    """Rate-limit counts (API throttles, playground, sign-in) live in the cache and are keyed by user
    id; ids repeat from test to test, so each test starts with none."""
    from django.core.cache import cache

    cache.clear()

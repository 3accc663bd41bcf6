"""The engine is plain Python: importing it must not pull in Django, nor what only some runs need."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_fresh_python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_engine_imports_without_django():
    code = (
        "import sys; import requests_app.engine, requests_app.engine.send, requests_app.engine.transport, "
        "requests_app.engine.cookies, requests_app.engine.decoding, requests_app.engine.validation; "
        "assert 'django' not in sys.modules, sorted(m for m in sys.modules if m.startswith('django'))"
    )
    result = run_fresh_python(code)
    assert result.returncode == 0, result.stderr


def test_sending_a_plan_imports_only_what_every_run_needs():
    # A CI step pays for every import at start-up: these load only when a run uses them
    # (a cookie, a pattern, concurrency, a host name to resolve, $uuid...).
    optional = ["http.cookiejar", "regex", "concurrent.futures", "secrets", "uuid", "jsonpath"]
    code = (
        "import sys; import requests_app.runner.execute; "
        f"loaded = [m for m in {optional!r} if m in sys.modules]; assert not loaded, loaded"
    )
    result = run_fresh_python(code)
    assert result.returncode == 0, result.stderr

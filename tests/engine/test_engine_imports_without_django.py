"""The engine is plain Python: importing it must not pull in Django."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_engine_imports_without_django():
    code = (
        "import sys; import requests_app.engine, requests_app.engine.send, requests_app.engine.transport, "
        "requests_app.engine.cookies, requests_app.engine.decoding, requests_app.engine.validation; "
        "assert 'django' not in sys.modules, sorted(m for m in sys.modules if m.startswith('django'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr

"""What the bench scripts share: the project on sys.path, a scratch Django, the playground server.

    from common import ROOT, setup_django, start_playground
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

_PLAYGROUND = (
    "import sys; from requests_app.playground_server import serve_in_thread; "
    "server, url, stop = serve_in_thread(); print(url, flush=True); sys.stdin.read(); stop()"
)


def setup_django(data_dir: str) -> None:
    """Django on a scratch SQLite database in `data_dir`, migrated."""
    os.environ["WEBCLIENT_DATA_DIR"] = data_dir
    os.environ["DATABASE_URL"] = f"sqlite:///{data_dir}/bench.sqlite3"
    os.environ.setdefault("WEBCLIENT_LOG_LEVEL", "WARNING")
    os.environ["DJANGO_SETTINGS_MODULE"] = "webclient.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def start_playground() -> tuple[subprocess.Popen[str], str]:
    """The playground's stdlib server in its own process (the target every tool hits); stop it
    with `process.communicate("")`."""
    process = subprocess.Popen(
        [sys.executable, "-c", _PLAYGROUND], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    base_url = process.stdout.readline().strip()
    if not base_url.startswith("http://127.0.0.1:"):
        process.kill()
        raise SystemExit(f"the playground server did not start (got {base_url!r})")
    return process, base_url

"""The layering rules of docs/architecture.md hold, and their checks would catch a break.

`make lint` runs the same tools on the tree; here a scratch copy of the code gets one
deliberate break per rule, so a check that can no longer fail is noticed.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def scratch_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "tree"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "migrations")
    for name in ("requests_app", "webclient"):
        shutil.copytree(ROOT / name, copy / name, ignore=ignore)
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    return copy


def lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / "lint-imports"), "--no-cache"], cwd=tree, capture_output=True, text=True,
                          timeout=300, env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"})


def ruff_bans(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / "ruff"), "check", "--no-cache", "--select", "TID251", "requests_app", "webclient"],
                          cwd=tree, capture_output=True, text=True, timeout=300)


def test_the_tree_keeps_every_contract(tmp_path):
    tree = scratch_copy(tmp_path)
    assert lint_imports(tree).returncode == 0, lint_imports(tree).stdout[-3000:]
    assert ruff_bans(tree).returncode == 0, ruff_bans(tree).stdout[-3000:]


@pytest.mark.parametrize(("module", "line", "broken"), [
    ("requests_app/engine/zz_break.py", "import django.db", "know nothing of Django BROKEN"),
    ("requests_app/interop/zz_break.py", "from requests_app.models import Workspace", "know nothing of Django BROKEN"),
    ("requests_app/api/zz_break.py", "from requests_app.views import common", "never import each other BROKEN"),
    ("requests_app/services/zz_break.py", "from rest_framework.response import Response", "speak neither DRF"),
])
def test_import_linter_catches_a_layering_break(tmp_path, module, line, broken):
    tree = scratch_copy(tmp_path)
    (tree / module).write_text(line + "\n")
    result = lint_imports(tree)
    assert result.returncode != 0
    assert broken in " ".join(result.stdout.split()), result.stdout[-3000:]


@pytest.mark.parametrize(("module", "line", "message"), [
    ("requests_app/services/zz_break.py", "import socket", "only requests_app/engine opens sockets"),
    ("requests_app/runner/zz_break.py", "import urllib.request", "only requests_app/engine sends requests"),
    ("requests_app/views/zz_break.py", "from http.client import HTTPConnection", "only requests_app/engine speaks HTTP"),
    ("requests_app/services/zz_break.py", "from django.http import HttpResponse", "services speak no HTTP"),
])
def test_ruff_catches_an_outbound_socket_or_http_in_services(tmp_path, module, line, message):
    tree = scratch_copy(tmp_path)
    (tree / module).write_text(line + "\n")
    result = ruff_bans(tree)
    assert result.returncode != 0 and message in result.stdout, result.stdout[-3000:]

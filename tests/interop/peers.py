"""The real peers installed with npm (newman, httpyac) into a cache folder outside the repo.

    from tests.interop.peers import npm_peer, install_npm_peer
    newman = npm_peer("newman")           # in a test: the program's path, or pytest.skip(reason)
    path, reason = install_npm_peer("httpyac")   # anywhere (bench/): (path, "") or (None, why not)

They are peers we compare against, never dependencies: the folder is $WEBCLIENT_PEERS_DIR
(default /tmp/webclient-peers), installed once (under a file lock, so parallel test
processes wait for one install) and reused by every later run. Without npm or a reachable
registry the test skips and says why.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
from pathlib import Path

# The versions the issue was checked against; the major version is what matters.
PEERS = {"newman": "newman@6", "httpyac": "httpyac@6"}
INSTALL_TIMEOUT_S = 600


def peers_dir() -> Path:
    return Path(os.environ.get("WEBCLIENT_PEERS_DIR", "/tmp/webclient-peers"))


def install_npm_peer(name: str) -> tuple[str | None, str]:
    """(path of the peer's program, "") once installed, or (None, the reason it is not)."""
    folder = peers_dir()
    program = folder / "node_modules" / ".bin" / name
    if program.exists():
        return str(program), ""
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        return None, f"{name} is a peer installed with npm, and npm/node are not installed here"
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not program.exists():
            completed = subprocess.run(
                [npm, "install", "--prefix", str(folder), "--no-audit", "--no-fund", "--loglevel", "error", PEERS[name]],
                capture_output=True,
                text=True,
                timeout=INSTALL_TIMEOUT_S,
                check=False,
            )
            if completed.returncode != 0 or not program.exists():
                return None, f"npm install {PEERS[name]} failed: {completed.stderr.strip()[-300:]}"
    return str(program), ""


def npm_peer(name: str) -> str:
    """The peer's program for a test, installing it on first use; skips with the reason otherwise."""
    import pytest

    path, reason = install_npm_peer(name)
    if path is None:
        pytest.skip(reason)
    return path

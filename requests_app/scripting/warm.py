"""Start the JavaScript engine on a thread while a file run still reads and plans its collection.

    warm_up()    # a run that will have scripts: import mini-racer, start V8, load the libraries
    take()       # ScriptContext: that isolate (waiting for it), once; None when none was started

Most of the engine's start (V8 and ICU set-up, the libraries evaluated on V8's own thread) runs
without the GIL, so it overlaps the main thread's imports and parsing: `run_collection --file`
with scripts starts its first script ≈ 40 ms sooner (bench/runner.py). No Django.
"""

from __future__ import annotations

import importlib
import threading
from typing import Any

_lock = threading.Lock()
_thread: threading.Thread | None = None
_ready: list[Any] = []

# The C extension modules a file run loads soon after the warm-up starts (the engine's sockets, TLS
# and hashes, the reporters' CSV, the JSON and ctypes this module needs). Loading one takes the
# dynamic loader's lock, which V8's library holds for ≈ 20 ms while it is mapped and relocated:
# the main thread then stood still that long at its next import. Loaded here first, it finds them
# loaded (bench/runner.py; tests/scripting/test_warm.py checks that the list is complete).
PRELOAD = (
    "_json", "_struct", "_ctypes", "_heapq", "_queue", "select", "binascii", "_bisect", "_random", "_sha512", "_sha2",
    "_socket", "array", "unicodedata", "_hashlib", "_blake2", "_ssl", "_brotli", "_csv",
)


def _preload() -> None:
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except ImportError:  # not in this Python (_sha2 is 3.12's _sha512): nothing to wait for either
            pass


def _load() -> None:
    _preload()
    from requests_app.scripting.context import new_racer

    try:
        _ready.append(new_racer())
    except Exception:  # the run then starts its own context and reports what fails there
        pass


def warm_up() -> None:
    global _thread
    with _lock:
        if _thread is None:
            _thread = threading.Thread(target=_load, name="script-engine-warm-up", daemon=True)
            _thread.start()


def take() -> Any:
    """The warmed-up isolate (a v8.Isolate with the libraries loaded, no memory limit yet) or None."""
    global _thread
    with _lock:
        thread, _thread = _thread, None
    if thread is None:
        return None
    thread.join()
    return _ready.pop() if _ready else None

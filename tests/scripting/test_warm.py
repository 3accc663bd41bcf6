"""The warm-up thread loads every C extension module a file run needs before V8's library.

dlopen of V8's library holds the dynamic loader's lock for ≈ 20 ms; a C extension module the main
thread imports meanwhile waits for it (warm.PRELOAD). A file run that comes to load a new one
between the warm-up's start and its first script (when it takes the isolate) fails here, naming
it, until it joins PRELOAD. The reporters' XML modules load at the end, long after.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

from requests_app.scripting.warm import PRELOAD
from tests.runner.test_cli import RUN_COLLECTION_IN_PROCESS

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import importlib.machinery
started, taken, loaded_after = [], [], []
create_module = importlib.machinery.ExtensionFileLoader.create_module

def recording(self, spec):
    if started and not taken:
        loaded_after.append(spec.name)
    return create_module(self, spec)

importlib.machinery.ExtensionFileLoader.create_module = recording
from requests_app.scripting import warm
warm_up = warm.warm_up

def warm_up_recorded():
    started.append(True)
    warm_up()

take = warm.take

def take_recorded():
    taken.append(True)
    return take()

warm.warm_up = warm_up_recorded
warm.take = take_recorded
""" + RUN_COLLECTION_IN_PROCESS + """
print("RESULT", {"exit": code, "started": bool(started), "taken": bool(taken), "loaded_after": sorted(set(loaded_after))})
"""


def scripted_collection(tmp_path: Path, base_url: str) -> Path:
    test = "pm.test('ok', function () { pm.response.to.have.status(200); }); pm.collectionVariables.set('n', pm.response.json().path);"
    pre = "pm.request.headers.upsert({ key: 'X-Trace', value: CryptoJS.MD5('x').toString() });"
    events = [{"listen": "prerequest", "script": {"exec": [pre]}}, {"listen": "test", "script": {"exec": [test]}}]
    collection = {
        "info": {"name": "Warm", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
        "item": [
            {"name": "get", "request": {"method": "GET", "url": f"{base_url}/get"}, "event": events},
            {"name": "post", "request": {"method": "POST", "url": f"{base_url}/post", "body": {"mode": "raw", "raw": "{}"}},
             "event": events},
        ],
    }
    path = tmp_path / "warm.postman_collection.json"
    path.write_text(json.dumps(collection))
    return path


def test_a_scripted_file_run_loads_no_extension_module_outside_the_preload_list(tmp_path, echo_server):
    collection = scripted_collection(tmp_path, echo_server.url())
    env = {**os.environ, "CELERY_BROKER_URL": ""}
    result = subprocess.run(
        [sys.executable, "-c", PROBE, "--file", str(collection), "--reporter", "cli,junit,json,html", "--out", str(tmp_path / "out")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("RESULT ")]
    assert lines, result.stdout + result.stderr
    outcome = ast.literal_eval(lines[-1].removeprefix("RESULT "))  # the dict the probe printed
    assert outcome["exit"] in (0, None) and outcome["started"] and outcome["taken"], result.stdout + result.stderr
    assert set(outcome["loaded_after"]) <= set(PRELOAD), sorted(set(outcome["loaded_after"]) - set(PRELOAD))

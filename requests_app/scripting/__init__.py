"""Postman-style pre-request and test scripts in a sandboxed JavaScript engine. No Django.

- sources.py   ScriptSource, EVENTS (no engine import: plans are built before anything runs)
- context.py   ScriptContext: one V8 isolate per run, limits, the pm API's data protocol
- prelude.js, pm.js, vendor/   the JavaScript loaded once per context
See docs/architecture.md, "Scripts".
"""

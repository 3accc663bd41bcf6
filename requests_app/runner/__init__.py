"""The collection runner's core: plain Python, no Django, no sockets of its own.

- assertions.py  declarative checks on a response (status, header, body, JSONPath, time, size)
- captures.py    values taken from a response into variables (chaining)
- datafile.py    CSV / JSON data files: one row of variables per iteration
- loop.py        run_plan: iterations, variable scopes, bail, cancel, concurrency, totals
- reporters.py   JUnit XML, JSON, HTML and the terminal reporter
- cli.py         run_collection's options and flow; runs a file without Django (manage.py calls it first)
- patterns.py    user regular expressions with size and time limits
- responses.py   the response as assertions and captures see it (JSON parsed once)

Sending goes through a `send_fn` the caller provides (services wrap `engine.send`
with the outbound policy, the cookie jar and a keep-alive connection pool).
"""

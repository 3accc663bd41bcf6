"""`python -m requests_app.playground [--port 8765] [--tls]`: the stdlib server, in the foreground."""

from requests_app.playground_server import main

main()

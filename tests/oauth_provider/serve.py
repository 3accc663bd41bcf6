"""Start the test OAuth 2.0 provider: migrate a fresh SQLite file, create the test user and
clients, serve on 127.0.0.1 (port 0) and print "PORT <n>" once listening.

    OAUTH_PROVIDER_DB=/tmp/x.sqlite3 python -m tests.oauth_provider.serve <redirect uri> ...

Clients (id / secret): wc-code / code-secret (authorization code, the redirect URIs given),
wc-cc / cc-secret (client credentials), wc-pw / pw-secret (password). User: ada / lovelace-pw.
"""

import os
import sys
import threading
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.oauth_provider.settings")

import django

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from oauth2_provider.models import Application  # noqa: E402

USER = ("ada", "lovelace-pw")
CLIENTS = [
    ("wc-code", "code-secret", Application.GRANT_AUTHORIZATION_CODE),
    ("wc-cc", "cc-secret", Application.GRANT_CLIENT_CREDENTIALS),
    ("wc-pw", "pw-secret", Application.GRANT_PASSWORD),
]


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def main() -> None:
    call_command("migrate", verbosity=0)
    user = User.objects.create_user(username=USER[0], password=USER[1])
    for client_id, secret, grant in CLIENTS:
        Application.objects.create(
            name=client_id, client_id=client_id, client_secret=secret, user=user,
            client_type=Application.CLIENT_CONFIDENTIAL, authorization_grant_type=grant,
            redirect_uris=" ".join(sys.argv[1:]) if grant == Application.GRANT_AUTHORIZATION_CODE else "",
            algorithm="",
        )
    server = make_server("127.0.0.1", 0, get_wsgi_application(), server_class=_Server, handler_class=_QuietHandler)
    print(f"PORT {server.server_port}", flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sys.stdin.read()  # serve until the test closes our stdin (or the process is ended)
    server.shutdown()


if __name__ == "__main__":
    main()

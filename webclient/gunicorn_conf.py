"""gunicorn settings for every webclient web process (`make run`, deploy/, the local cluster).

    gunicorn -c webclient/gunicorn_conf.py --bind 127.0.0.1:8000 webclient.wsgi

gthread workers: a request that sends an outbound HTTP request waits on the network for up to its
timeout, so each process serves several requests at once on threads (Django is thread-safe per
request; database connections are per thread). Environment:

- WEB_CONCURRENCY: processes (default 1 in local mode, where SQLite prefers a single writer
  process; 2 in team mode). WEBCLIENT_THREADS: threads per process (default 8).
- Requests are logged once by webclient.observability (with user and node), so gunicorn's own
  access log is off; its error log goes to stderr.
- X-Forwarded-* headers are not interpreted by gunicorn: Django trusts X-Forwarded-Proto only with
  WEBCLIENT_BEHIND_PROXY=1 (docs/deploy.md).
"""

import os

_team = os.environ.get("WEBCLIENT_MODE", "local").strip() == "team"

wsgi_app = "webclient.wsgi:application"
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY") or (2 if _team else 1))
threads = int(os.environ.get("WEBCLIENT_THREADS") or 8)
# A stuck process (not a slow request: gthread's main loop keeps beating) is replaced after this.
timeout = 60
graceful_timeout = 20
# The proxy, not gunicorn, ends idle keep-alive connections (its upstream keepalive_timeout is
# shorter): a connection gunicorn closed just as nginx sent a POST on it would answer 502.
keepalive = 75
accesslog = None
errorlog = "-"
forwarded_allow_ips = ""
secure_scheme_headers: dict[str, str] = {}
# Heartbeat files in memory, not on a possibly slow disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# gunicorn ≥ 25 opens a control socket at one fixed path per user: several nodes on one machine
# would take it from each other, and nothing here uses it.
control_socket_disable = True


def post_worker_init(worker):  # type: ignore[no-untyped-def]
    """Local mode: each web process runs the monitor tick on a thread (services/monitor_scheduler.py);
    team mode leaves it to Celery beat."""
    from requests_app.services.monitor_scheduler import start_local_scheduler

    start_local_scheduler()

"""The client's address as this server may believe it (issue 13 items 5 and 8).

Without WEBCLIENT_BEHIND_PROXY the TCP peer (REMOTE_ADDR) is the client: a client-sent
X-Forwarded-For is ignored, or anyone could pick the address their failed sign-ins count against.
Behind a reverse proxy (docs/deploy.md) the proxy appends the peer it saw to X-Forwarded-For, so
the LAST entry is the one a client cannot forge.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    if getattr(settings, "WEBCLIENT_BEHIND_PROXY", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.split(",")[-1].strip()
        if last:
            return last
    return str(request.META.get("REMOTE_ADDR") or "")

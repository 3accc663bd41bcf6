"""The execution engine: plain Python, no Django, the only code that opens sockets.

Usage::

    from requests_app.engine import send, OutboundPolicy, CookieJar
    from requests_app.engine.spec import RequestSpec

    exchange = send(RequestSpec(method="GET", url="http://127.0.0.1:8000/echo/json"),
                    policy=OutboundPolicy.allow_all(),
                    cookie_jar=CookieJar(),
                    variables=[{"host": "127.0.0.1"}, {"token": "abc"}])  # scopes, later wins

`send` never raises for what happens on the network: refused, timeout, TLS,
blocked by policy, too large... all come back as `exchange.error`.
Settings it needs are passed in, never read from Django settings.
"""

from requests_app.engine.cookies import CookieJar
from requests_app.engine.exchange import Exchange, ExchangeError
from requests_app.engine.policy import OutboundPolicy
from requests_app.engine.send import send
from requests_app.engine.spec import VERSION, RequestSpec

__all__ = ["CookieJar", "Exchange", "ExchangeError", "OutboundPolicy", "RequestSpec", "send", "VERSION"]

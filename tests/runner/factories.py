"""Exchanges built by hand, for checks that only read a response (no network involved)."""

from __future__ import annotations

from requests_app.engine.exchange import Cookie, Exchange, ExchangeError, Response, SentRequest, Timings


def response_exchange(
    status: int = 200,
    *,
    headers: list[tuple[str, str]] | None = None,
    body: bytes = b"",
    total_ms: float | None = 12.5,
    cookies: list[Cookie] | None = None,
    charset: str = "utf-8",
) -> Exchange:
    return Exchange(
        request=SentRequest(method="GET", url="http://127.0.0.1:1/x"),
        response=Response(
            http_version="HTTP/1.1",
            status=status,
            reason="",
            headers=headers if headers is not None else [("Content-Type", "application/json")],
            body=body,
            cookies=cookies or [],
            charset=charset,
        ),
        timings=Timings(total_ms=total_ms),
    )


def json_exchange(document: str, status: int = 200, **kwargs: object) -> Exchange:
    return response_exchange(status, body=document.encode(), **kwargs)  # type: ignore[arg-type]


def failed_exchange(kind: str = "refused", message: str = "Connection refused") -> Exchange:
    return Exchange(
        request=SentRequest(method="GET", url="http://127.0.0.1:1/x"),
        error=ExchangeError(kind=kind, message=message),
    )

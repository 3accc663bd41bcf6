"""exchange_from_dict is the inverse of exchange_to_dict (what history stores and "try tests" reads back)."""

from __future__ import annotations

import base64

from hypothesis import given, settings
from hypothesis import strategies as st

from requests_app.engine.exchange import (
    TEXT_KINDS,
    Cookie,
    Exchange,
    ExchangeError,
    RedirectHop,
    Response,
    SentRequest,
    Timings,
    exchange_from_dict,
    exchange_to_dict,
)

words = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=20)
latin1 = st.binary(max_size=40).map(lambda raw: raw.decode("latin-1").encode("latin-1"))
pairs = st.lists(st.tuples(words, words), max_size=4)
millis = st.none() | st.integers(0, 10**7).map(lambda n: n / 1000)  # stored with 3 decimals
cookies = st.lists(
    st.builds(Cookie, name=words, value=words, domain=words, path=words, expires=st.none() | words,
              max_age=st.none() | st.integers(-1, 10**6), secure=st.booleans(), http_only=st.booleans(),
              same_site=st.sampled_from(["", "Lax", "Strict", "None"])),
    max_size=3,
)


@st.composite
def responses(draw: st.DrawFn) -> Response:
    kind = draw(st.sampled_from(["json", "xml", "html", "text", "empty", "image", "binary"]))
    if kind in TEXT_KINDS:  # stored as text: UTF-8 bodies come back byte for byte
        body, charset = draw(words).encode("utf-8"), "utf-8"
    else:
        body, charset = draw(st.binary(max_size=60)), draw(st.sampled_from(["", "utf-8"]))
    return Response(
        http_version=draw(st.sampled_from(["HTTP/1.0", "HTTP/1.1"])), status=draw(st.integers(100, 599)),
        reason=draw(words), headers=draw(pairs), cookies=draw(cookies), body=body,
        wire_body_size=draw(st.integers(0, 10**6)), header_size=draw(st.integers(0, 10**5)),
        truncated=draw(st.booleans()), content_type=draw(words), charset=charset, kind=kind,
        wire_head=draw(latin1),
    )


exchanges = st.builds(
    Exchange,
    request=st.none() | st.builds(SentRequest, method=words, url=words, headers=pairs,
                                  body_size=st.integers(0, 10**6), wire=latin1),
    response=st.none() | responses(),
    redirects=st.lists(st.builds(RedirectHop, status=st.integers(300, 399), url=words, location=words, cookies=cookies),
                       max_size=2),
    timings=st.builds(Timings, dns_ms=millis, connect_ms=millis, tls_ms=millis, ttfb_ms=millis,
                      download_ms=millis, total_ms=millis),
    warnings=st.lists(words, max_size=2),
    error=st.none() | st.builds(ExchangeError, kind=words, message=words, code=words, field=words),
    unresolved_variables=st.lists(words, max_size=2),
)


@settings(max_examples=150, deadline=None)
@given(exchanges)
def test_an_exchange_survives_the_trip_to_a_dict_and_back(exchange: Exchange) -> None:
    assert exchange_from_dict(exchange_to_dict(exchange)) == exchange


def test_a_text_body_in_another_charset_comes_back_as_its_utf8_text() -> None:
    recorded = exchange_to_dict(Exchange(response=Response("HTTP/1.1", 200, "OK", body="café".encode("latin-1"),
                                                           charset="iso-8859-1", kind="text")))
    restored = exchange_from_dict(recorded).response
    assert restored is not None and (restored.body, restored.charset) == ("café".encode(), "utf-8")
    binary = exchange_to_dict(Exchange(response=Response("HTTP/1.1", 200, "OK", body=b"\xff\x00", kind="binary")))
    assert binary["response"]["body_base64"] == base64.b64encode(b"\xff\x00").decode()
    assert exchange_from_dict(binary).response.body == b"\xff\x00"  # type: ignore[union-attr]

"""Every form a text value takes in what the engine sends: what masking and secret binding look for.

Usage::

    from requests_app.engine.encodings import encoded_forms, base64_forms
    encoded_forms("Correct Horse!Battery$")
    # {"Correct Horse!Battery$", "Correct%20Horse!Battery$", "Correct+Horse%21Battery%24", ...}
    base64_forms("s3cr3t-value")      # the value's base64 inside any longer base64 text

The forms come from the engine's own encoders (query and path percent-encoding, form
urlencoding, multipart quoting, JSON strings, Basic/base64, the Latin-1 view of UTF-8 bytes that
the wire text shows), so a change to an encoder changes what is looked for.
"""

from __future__ import annotations

import base64
import json
from urllib.parse import quote, quote_plus

from requests_app.engine.validation import (
    _PARAM_NAME_SAFE,
    _PARAM_VALUE_SAFE,
    _PATH_SAFE,
    _QUERY_SAFE,
    _encode_part,
)

# A base64 fragment shorter than this would match unrelated base64 text.
MIN_BASE64_FRAGMENT = 8


def _quoted_param(text: str) -> str:
    # engine.prepare's multipart name/filename quoting (WHATWG): quotes and line breaks escaped.
    return text.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")


def encoded_forms(value: str) -> set[str]:
    """The value as the engine may write it: literal, percent-encoded (query, path, form), JSON, Latin-1."""
    forms = {value}
    for safe in (_PARAM_VALUE_SAFE, _PARAM_NAME_SAFE, _PATH_SAFE, _QUERY_SAFE):
        forms.add(_encode_part(value, safe))
    forms.add(quote(value, safe=""))
    forms.add(quote(value))
    forms.add(quote_plus(value))  # urlencode() of a form field
    forms.add(_quoted_param(value))
    forms.add(json.dumps(value)[1:-1])
    forms.add(json.dumps(value, ensure_ascii=False)[1:-1])
    forms.add(value.encode("utf-8").decode("latin-1"))  # UTF-8 bytes as the wire text shows them
    forms.discard("")
    return forms


def base64_forms(value: str) -> set[str]:
    """The characters of the value's base64 that do not depend on its neighbours, at each alignment.

    A secret inside a longer encoded text ("user:secret" in Basic credentials, a token in a
    base64 JSON blob) starts at byte offset 0, 1 or 2 of a 3-byte group; for each, the middle of
    its encoding is fixed by the secret alone. Empty for values too short to give a safe fragment.
    """
    raw = value.encode("utf-8")
    forms: set[str] = set()
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + raw).decode("ascii")
        start = -(-offset * 8 // 6)  # first character made only of the value's bits
        end = (offset + len(raw)) * 8 // 6  # last one before bits of what follows
        fragment = encoded[start:end]
        if len(fragment) >= MIN_BASE64_FRAGMENT:
            forms.add(fragment)
            forms.add(fragment.replace("+", "-").replace("/", "_"))
    if len(value) >= 6:
        whole = base64.b64encode(raw).decode("ascii")
        forms.add(whole.rstrip("="))
        forms.add(base64.urlsafe_b64encode(raw).decode("ascii").rstrip("="))
    return forms

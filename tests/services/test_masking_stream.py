"""Masking a body that comes in pieces gives what masking it whole gives (issue 13 item 16), and
JSON strings stored in pieces read back whole."""

from __future__ import annotations

import base64
import json
import random

import pytest

from requests_app.services.history_files import unescaped_text
from requests_app.services.masking import SecretMasker

SECRETS = {"token": "Correct Horse!Battery$", "short": "abc", "pin": "Q7<b>\"quote'Zz"}
BASIC = "Basic " + base64.b64encode(b"me:abc").decode()


def _body(seed: int) -> str:
    rng = random.Random(seed)
    words = [*SECRETS.values(), "Correct%20Horse!Battery$", BASIC, "x", " ", "é😀", "\\", '"', "\n"]
    # Filler outside the base64 alphabet: a Basic credential longer than the windows' overlap is
    # the documented exception (it is cut, then not decoded as one).
    return "".join(rng.choice(words) if rng.random() < 0.7 else "." * rng.randint(0, 9000) for _ in range(400))


@pytest.mark.parametrize("size", [100, 4096, 8191, 65536, 300_000])
def test_masking_in_pieces_equals_masking_whole(size):
    masker = SecretMasker(SECRETS)
    text = _body(size)
    pieces = [text[i : i + size] for i in range(0, len(text), size)]
    assert "".join(masker.text_stream(pieces)) == masker.text(text)
    data = text.encode("utf-8")
    assert b"".join(masker.bytes_stream(data[i : i + size] for i in range(0, len(data), size))) == masker.bytes(data)


def test_a_secret_cut_by_every_window_is_still_masked():
    masker = SecretMasker(SECRETS)
    text = ("." * 8190 + SECRETS["token"]) * 40
    assert SECRETS["token"] not in "".join(masker.text_stream(text[i : i + 8192] for i in range(0, len(text), 8192)))


@pytest.mark.parametrize("size", [1, 2, 5, 6, 7, 13])
def test_json_strings_read_in_pieces_come_back_whole(size):
    text = 'a"b\\c\n\x00é😀\u2028 \\ud83d literal' * 20
    escaped = json.dumps(text)[1:-1].encode("ascii")
    assert "".join(unescaped_text(escaped[i : i + size] for i in range(0, len(escaped), size))) == text

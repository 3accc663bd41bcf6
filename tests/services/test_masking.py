import base64
import json
from urllib.parse import quote, quote_plus

from requests_app.services.masking import SecretMasker

SECRET = "p@ss word/ü+1"


def test_plain_and_encoded_forms_become_the_variable_name():
    masker = SecretMasker({"pw": SECRET})
    for form in (SECRET, quote(SECRET, safe=""), quote_plus(SECRET), json.dumps(SECRET)[1:-1],
                 SECRET.encode().decode("latin-1"), base64.b64encode(SECRET.encode()).decode().rstrip("=")):
        assert masker.text(f"before {form} after") == "before {{pw}} after"


def test_basic_credentials_are_decoded_masked_and_reencoded():
    masker = SecretMasker({"pw": SECRET})
    header = "Authorization: Basic " + base64.b64encode(f"alice:{SECRET}".encode()).decode()
    masked = masker.text(header)
    token = masked.split("Basic ")[1]
    assert base64.b64decode(token).decode() == "alice:{{pw}}"


def test_longer_secret_wins_over_a_secret_it_contains():
    masker = SecretMasker({"short": "abcdef", "long": "abcdefghij"})
    assert masker.text("abcdefghij abcdef") == "{{long}} {{short}}"


def test_deep_masks_base64_payloads_and_nested_strings():
    masker = SecretMasker({"pw": SECRET})
    data = {
        "headers": [["X", SECRET]],
        "body_base64": base64.b64encode(b"\x00\x01" + SECRET.encode()).decode(),
        "n": 3,
        "none": None,
    }
    masked = masker.deep(data)
    assert masked["headers"] == [["X", "{{pw}}"]]
    assert base64.b64decode(masked["body_base64"]) == b"\x00\x01{{pw}}"
    assert (masked["n"], masked["none"]) == (3, None)


def test_no_secrets_means_no_change():
    masker = SecretMasker({"empty": ""})
    assert not masker
    assert masker.text("anything") == "anything"

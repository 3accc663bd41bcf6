import json

import pytest
from django.db import connection

from requests_app import access
from requests_app.models import Environment
from requests_app.services import errors
from requests_app.services.environments import (
    environment_create,
    environment_duplicate,
    environment_reveal_allowed,
    environment_secrets,
    environment_update,
    environment_values,
    environment_variables,
)
from requests_app.services.secrets import MASK, decrypt_secret, encrypt_secret

SECRET = "sk_live_Zebra-Quokka-7431"


@pytest.fixture
def staging(alice, acme):
    return environment_create(
        user=alice,
        workspace=acme,
        name="Staging",
        variables=[
            {"key": "base", "value": "http://127.0.0.1", "secret": False, "enabled": True},
            {"key": "token", "value": SECRET, "secret": True, "enabled": True},
            {"key": "off", "value": "x", "secret": False, "enabled": False},
        ],
    )


def raw_row(environment):
    with connection.cursor() as cursor:
        cursor.execute("SELECT variables FROM requests_app_environment WHERE id = %s", [environment.pk])
        return str(cursor.fetchone()[0])


def test_secret_values_are_encrypted_at_rest(staging):
    assert SECRET not in raw_row(staging)
    assert SECRET not in json.dumps(Environment.objects.get(pk=staging.pk).variables)


def test_variables_are_masked_unless_revealed(staging):
    masked = environment_variables(staging)
    assert masked[1] == {"key": "token", "value": MASK, "secret": True, "enabled": True, "hosts": []}
    assert environment_variables(staging, reveal=True)[1]["value"] == SECRET


def test_only_editors_may_reveal(staging, alice, bob, victor):
    assert environment_reveal_allowed(user=alice, environment=staging)
    assert environment_reveal_allowed(user=bob, environment=access.get_environment_for_user(bob, staging.pk))
    assert not environment_reveal_allowed(user=victor, environment=access.get_environment_for_user(victor, staging.pk))


def test_sending_the_mask_back_keeps_the_stored_secret(staging, alice):
    shown = environment_variables(staging)
    shown[0]["value"] = "http://127.0.0.2"
    updated = environment_update(user=alice, environment=staging, version=1, variables=shown)
    assert environment_values(updated) == {"base": "http://127.0.0.2", "token": SECRET}


def test_the_mask_for_a_new_secret_is_refused_not_stored(staging, alice):
    with pytest.raises(errors.ValidationFailed) as caught:
        environment_update(
            user=alice, environment=staging, version=1,
            variables=[{"key": "brand_new", "value": MASK, "secret": True, "enabled": True}],
        )
    assert caught.value.code == "secret_unknown"
    assert "variables[0].value" in caught.value.fields
    assert environment_values(Environment.objects.get(pk=staging.pk))["token"] == SECRET


def test_unmarking_a_secret_sent_as_mask_keeps_its_value_in_the_clear(staging, alice):
    shown = environment_variables(staging)
    shown[1]["secret"] = False
    updated = environment_update(user=alice, environment=staging, version=1, variables=shown)
    assert environment_variables(updated)[1] == {"key": "token", "value": SECRET, "secret": False, "enabled": True}


def test_values_skip_disabled_and_secrets_list_only_secrets(staging):
    assert environment_values(staging) == {"base": "http://127.0.0.1", "token": SECRET}
    assert environment_secrets(staging) == {"token": SECRET}


def test_rotated_secret_key_makes_secrets_unset_not_wrong(staging, settings):
    settings.SECRET_KEY = "another-key-entirely"
    assert environment_values(staging) == {"base": "http://127.0.0.1"}
    assert environment_variables(staging, reveal=True)[1]["value"] == ""


def test_encryption_round_trip_and_tamper_detection():
    token = encrypt_secret("hello")
    assert decrypt_secret(token) == "hello"
    assert decrypt_secret(token[:-2] + "AA") is None


def test_stale_environment_update_conflicts(staging, alice):
    environment_update(user=alice, environment=staging, version=1, name="Stage")
    with pytest.raises(errors.VersionConflict) as caught:
        environment_update(user=alice, environment=Environment.objects.get(pk=staging.pk), version=1, name="X")
    assert caught.value.current.name == "Stage"


def test_viewer_cannot_change_environments(staging, victor):
    mine = access.get_environment_for_user(victor, staging.pk)
    with pytest.raises(errors.Forbidden):
        environment_update(user=victor, environment=mine, version=1, name="nope")


def test_duplicate_keeps_secrets_readable(staging, alice):
    copy = environment_duplicate(user=alice, environment=staging)
    assert copy.name == "Staging copy"
    assert environment_values(copy)["token"] == SECRET

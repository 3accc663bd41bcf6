"""Issue 13 item 16: a large body goes from the wire to a temporary file, to the history file and
to the API's answer a piece at a time, masked on the way; runs keep no bodies."""

from __future__ import annotations

import json

import pytest

from requests_app.engine.decoding import DECODE_STEP_BYTES
from requests_app.engine.spec import RequestSpec
from requests_app.engine.spool import SPOOL_THRESHOLD_BYTES
from requests_app.models import HistoryEntry
from requests_app.runner.execute import send_plan
from requests_app.runner.loop import make_plan_item
from requests_app.services.execution import outbound_policy, request_execute
from requests_app.services.history import history_exchange
from tests.api.conftest import SECRET
from tests.fixtures.prepared_target import gzip_of_zeros, peak_while, prepared_target

MIB = 1024 * 1024
BODY = 8 * MIB


@pytest.fixture(scope="module")
def target():
    with prepared_target({
        "/bomb": (gzip_of_zeros(BODY), [("Content-Type", "application/octet-stream"), ("Content-Encoding", "gzip")]),
    }) as base:
        yield base


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.WEBCLIENT_HISTORY_INLINE_BYTES = 1000
    return tmp_path


def _echo_spec(echo_server, size):
    # The body sent carries the secret; the echo answers it back inside a large JSON body.
    text = "{{token}} " + "x" * size + " {{token}}\n\"quoted\" \\ é"
    return {"method": "POST", "url": echo_server.url("/anything"),
            "body": {"mode": "raw", "text": text, "content_type": "text/plain"}}


def test_a_large_response_is_stored_from_its_spool_with_secrets_masked(world, alice, echo_server, media, settings):
    spec = _echo_spec(echo_server, 2 * MIB)
    streamed = request_execute(user=alice, workspace=world["workspace"], spec=spec, environment=world["environment"])
    assert getattr(streamed, "_full_exchange", None) is None  # the body was never made one string
    stored = HistoryEntry.objects.get(pk=streamed.pk)
    assert stored.exchange["response"]["body_stored"] is True
    assert SECRET.encode() not in stored.body_file.open("rb").read()
    body = json.loads(history_exchange(stored)["response"]["body_text"])
    assert body["data"].startswith("{{token}} xxx") and body["data"].endswith(" {{token}}\n\"quoted\" \\ é")

    settings.WEBCLIENT_HISTORY_INLINE_BYTES = 100 * MIB  # the same exchange kept in the row
    inline = request_execute(user=alice, workspace=world["workspace"], spec=spec, environment=world["environment"])
    assert json.loads(history_exchange(inline)["response"]["body_text"])["data"] == body["data"]


def test_the_api_answer_copies_the_stored_body_out_as_stored(world, alice_client, echo_server, media):
    spec = _echo_spec(echo_server, 2 * MIB)
    answer = alice_client.post("/api/v1/execute", {"workspace": world["workspace"].pk,
                                                   "environment": world["environment"].pk, **spec}, format="json")
    assert answer.status_code == 200 and answer.streaming
    content = b"".join(answer.streaming_content)
    assert SECRET.encode() not in content
    executed = json.loads(content)
    entry = HistoryEntry.objects.get(pk=executed["id"])
    assert executed["response"]["body_text"] == history_exchange(entry)["response"]["body_text"]
    assert "body_stored" not in executed["response"] and "body_stored" not in executed["spec"]
    assert executed["spec"]["body"] == spec["body"]  # the request body, stored too, copied out as well
    again = alice_client.get(f"/api/v1/history/{entry.pk}")
    assert json.loads(b"".join(again.streaming_content)) == executed


def test_a_large_request_body_alone_is_copied_out_of_its_file(world, alice_client, echo_server, media):
    spec = {**_echo_spec(echo_server, 2 * MIB), "url": echo_server.url("/status/204")}
    answer = alice_client.post("/api/v1/execute", {"workspace": world["workspace"].pk, **spec}, format="json")
    executed = json.loads(b"".join(answer.streaming_content))
    assert executed["spec"]["body"] == spec["body"] and executed["response"]["status"] == 204
    assert HistoryEntry.objects.get(pk=executed["id"]).body_file.open("rb").read(13) == b'{"spec_body":'


def test_executing_a_large_response_holds_a_fraction_of_it(world, alice, target, media):
    def execute():
        return request_execute(user=alice, workspace=world["workspace"],
                               spec={"method": "GET", "url": f"{target}/bomb", "options": {"max_response_bytes": BODY}})

    execute()  # imports and caches warmed up
    entry, peak = peak_while(execute)
    assert entry.status == 200 and entry.exchange["response"]["size"]["body"] == BODY
    # Before: the body as bytes, base64 text, masked copy and JSON, several times over.
    assert peak < BODY / 2


def test_a_run_keeps_no_bodies(target):
    checks = [{"type": "status", "op": "equals", "expected": 200},
              {"type": "body_size", "op": "lte", "expected": BODY}]
    items = [make_plan_item(name="bomb", spec=RequestSpec(url=f"{target}/bomb"), assertions=checks)]
    send_plan(items, policy=outbound_policy(), max_request_body_bytes=MIB)
    outcome, peak = peak_while(lambda: send_plan(items, policy=outbound_policy(), max_request_body_bytes=MIB,
                                                 iterations=4, concurrency=4, keep_results=True))
    assert outcome.totals.to_dict()["requests"] == 4 and all(row.passed for row in outcome.results)
    assert all(row.size == BODY for row in outcome.results)
    # Four 8 MiB bodies at once: before, ≈ 3 copies of each in memory; now each request holds
    # at most what stays in memory before spooling, and a decoding step.
    assert peak < 4 * (SPOOL_THRESHOLD_BYTES + 2 * DECODE_STEP_BYTES)


def test_the_api_reads_a_request_body_once_and_validates_it_without_copies(settings):
    import io

    from requests_app.api.parsers import DepthLimitedJSONParser
    from requests_app.api.serializers import ExecuteInput

    text = "u" * BODY
    payload = json.dumps({"workspace": 1, "method": "POST", "url": "http://127.0.0.1:9/", "body": {"mode": "raw", "text": text}}).encode()
    del text
    from rest_framework.parsers import JSONParser

    # Not a JSONParser: DRF reads request.body for those and keeps it for the whole request.
    assert not isinstance(DepthLimitedJSONParser(), JSONParser)
    data, peak = peak_while(lambda: DepthLimitedJSONParser().parse(io.BytesIO(payload), "application/json", {}))
    assert data["body"]["text"] == "u" * BODY
    assert peak < 2 * BODY + MIB  # the bytes, then the text; never both with the parsed copy
    payload = b""  # the parsed copy is what stays
    serializer = ExecuteInput(data=data)
    valid, peak = peak_while(lambda: serializer.is_valid())
    assert valid, serializer.errors
    assert serializer.validated_data["body"]["text"] is data["body"]["text"]
    assert peak < MIB  # DRF's JSONField serialised the body to check it: two copies


def test_the_page_shows_an_excerpt_of_a_stored_body_and_downloads_all_of_it(
        world, alice, client, echo_server, media, monkeypatch):
    from requests_app.views import editor, workspace

    for module in (editor, workspace):
        monkeypatch.setattr(module, "PAGE_BODY_CHARS", 5000)
    entry = request_execute(user=alice, workspace=world["workspace"], spec=_echo_spec(echo_server, 300_000),
                            environment=world["environment"])
    client.force_login(alice)
    page = client.get(f"/w/{world['workspace'].pk}/history/{entry.pk}/").content.decode()
    assert "Download has the whole body." in page
    raw = page.split('id="body-raw-text">', 1)[1].split("</pre>", 1)[0]
    assert len(raw) < 6000 and raw.startswith("{")
    download = client.get(f"/w/{world['workspace'].pk}/history/{entry.pk}/body/")
    assert download.streaming and download["Content-Security-Policy"]
    whole = b"".join(download.streaming_content)
    assert json.loads(whole)["data"].endswith(" {{token}}\n\"quoted\" \\ é")
    assert whole.decode("utf-8") == history_exchange(HistoryEntry.objects.get(pk=entry.pk))["response"]["body_text"]


def test_the_page_says_when_the_wire_capture_is_cut(world, alice, client, echo_server, media):
    small = request_execute(user=alice, workspace=world["workspace"], spec=_echo_spec(echo_server, 1000))
    large = request_execute(user=alice, workspace=world["workspace"], spec=_echo_spec(echo_server, 300_000))
    client.force_login(alice)
    pages = [client.get(f"/w/{world['workspace'].pk}/history/{entry.pk}/").content.decode() for entry in (small, large)]
    assert "of what was sent are kept" not in pages[0]
    assert "The first 64 KiB of what was sent are kept (the body was 300," in pages[1]

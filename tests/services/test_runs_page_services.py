"""Services behind the Runner page: re-run, compare two runs, try tests against a recorded response."""

from __future__ import annotations

import pytest

from requests_app.engine.exchange import Cookie, Exchange, Response, SentRequest, Timings
from requests_app.models import Run, RunResult
from requests_app.services import runs
from requests_app.services.collections import collection_create
from requests_app.services.errors import Forbidden, NotFound, ValidationFailed
from requests_app.services.history import history_record
from requests_app.services.saved_requests import request_create

STATUS_200 = {"type": "status", "op": "equals", "expected": 200}


@pytest.fixture
def saved(alice, acme):
    collection = collection_create(user=alice, workspace=acme, name="C")
    return request_create(user=alice, collection=collection, name="r", url="http://127.0.0.1:9/", assertions=[STATUS_200])


def recorded(user, workspace, saved_request, *, body: bytes, kind: str = "json", content_type: str = "application/json"):
    response = Response(http_version="HTTP/1.1", status=201, reason="Created",
                        headers=[("Content-Type", content_type), ("Set-Cookie", "sid=abc")],
                        cookies=[Cookie(name="sid", value="abc")], body=body, content_type=content_type, kind=kind)
    exchange = Exchange(request=SentRequest(method="GET", url="http://127.0.0.1:9/"), response=response,
                        timings=Timings(total_ms=12.5))
    return history_record(user=user, workspace=workspace, asked={"method": "GET", "url": "http://127.0.0.1:9/"},
                          exchange=exchange, secrets={}, saved_request=saved_request)


def test_try_reads_status_headers_cookies_timing_and_json_of_the_latest_entry(alice, acme, saved):
    recorded(alice, acme, saved, body=b'{"id": 1}')
    recorded(alice, acme, saved, body=b'{"id": 7, "tags": ["a", "b"]}')
    preview = runs.request_tests_try(
        user=alice, saved_request=saved,
        assertions=[{"type": "status", "op": "equals", "expected": 201},
                    {"type": "jsonpath", "op": "length", "target": "$.tags", "expected": 2},
                    {"type": "response_time", "op": "lt", "expected": 100},
                    {"type": "header", "op": "contains", "target": "content-type", "expected": "json"}],
        captures=[{"variable": "id", "source": "jsonpath", "expression": "$.id"},
                  {"variable": "sid", "source": "cookie", "expression": "sid"}],
    )
    assert [a.passed for a in preview.assertions] == [True, True, True, True]
    assert [(c["variable"], c["value"]) for c in preview.captures] == [("id", "7"), ("sid", "abc")]
    assert preview.status == 201


def test_try_against_a_binary_body_fails_json_checks_with_a_message(alice, acme, saved):
    recorded(alice, acme, saved, body=b"\x89PNG\x00\x01", kind="image", content_type="image/png")
    preview = runs.request_tests_try(user=alice, saved_request=saved,
                                     assertions=[{"type": "jsonpath", "op": "exists", "target": "$.id"},
                                                 {"type": "body_size", "op": "lte", "expected": 6}], captures=[])
    assert [a.passed for a in preview.assertions] == [False, True]
    assert "not JSON" in preview.assertions[0].message


def test_try_names_a_bad_assertion_and_a_missing_response(alice, saved):
    with pytest.raises(ValidationFailed) as bad:
        runs.request_tests_try(user=alice, saved_request=saved, assertions=[{"type": "status", "op": "nope"}], captures=[])
    assert bad.value.code == "unknown_op" and "assertions[0].op" in bad.value.fields
    with pytest.raises(ValidationFailed) as missing:
        runs.request_tests_try(user=alice, saved_request=saved, assertions=[STATUS_200], captures=[])
    assert missing.value.code == "no_response"


def test_try_uses_only_your_own_history_and_is_closed_to_outsiders(alice, victor, carol, acme, saved):
    recorded(alice, acme, saved, body=b"{}")
    with pytest.raises(ValidationFailed):  # victor may read the request but has no response of his own
        runs.request_tests_try(user=victor, saved_request=saved, assertions=[STATUS_200], captures=[])
    with pytest.raises((NotFound, Forbidden)):
        runs.request_tests_try(user=carol, saved_request=saved, assertions=[STATUS_200], captures=[])


def _run_with(acme, alice, saved, outcomes: list[tuple[int, str, bool]]) -> Run:
    run = Run.objects.create(workspace=acme, created_by=alice, collection=saved.collection, title="C",
                             state=Run.State.FAILED)
    for iteration, label_op, passed in outcomes:
        RunResult.objects.create(run=run, iteration=iteration, position=0, saved_request=saved, name="r", method="GET",
                                 url="u", passed=passed,
                                 assertions=[{"type": "status", "op": label_op, "passed": passed, "message": label_op}])
    return run


def test_compare_tells_fixed_broken_new_and_gone_apart(alice, acme, saved):
    before = _run_with(acme, alice, saved, [(1, "equals", False), (2, "equals", True), (3, "equals", True)])
    after = _run_with(acme, alice, saved, [(1, "equals", True), (2, "equals", False), (4, "equals", True)])
    comparison = runs.run_compare(run=after, other=before)  # either order: older first
    assert (comparison.before, comparison.after) == (before, after)
    assert [(c.iteration, c.change) for c in comparison.changes] == [(1, "fixed"), (2, "broken"), (3, "gone"), (4, "new")]
    assert comparison.unchanged == 0


def test_rerun_of_a_run_whose_collection_was_deleted_is_refused(alice, acme, saved):
    run = runs.run_create(workspace=acme, created_by=alice, collection=saved.collection)
    Run.objects.filter(pk=run.pk).update(collection=None)
    run.refresh_from_db()
    with pytest.raises(ValidationFailed) as refused:
        runs.run_rerun(user=alice, run=run)
    assert refused.value.code == "target_gone" and Run.objects.count() == 1

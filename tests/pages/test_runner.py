"""The Runner pages (start, watch, filter, cancel, re-run, reports, compare) and the editor's Tests tab."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from requests_app.engine.exchange import Exchange, Response, SentRequest
from requests_app.models import Run
from requests_app.services import runs
from requests_app.services.collections import collection_create
from requests_app.services.folders import folder_create
from requests_app.services.history import history_record
from requests_app.services.saved_requests import request_create

STATUS_200 = [{"type": "status", "op": "equals", "expected": 200}]


@pytest.fixture
def shop(alice, acme, echo_server):
    """A collection on the echo target: "ok" passes, Checks/"teapot" fails its status assertion."""
    collection = collection_create(user=alice, workspace=acme, name="Shop API",
                                   variables=[{"key": "base", "value": echo_server.url(), "enabled": True}])
    ok = request_create(user=alice, collection=collection, name="ok", url="{{base}}/status/200", assertions=STATUS_200)
    checks = folder_create(user=alice, collection=collection, name="Checks")
    teapot = request_create(user=alice, collection=collection, folder=checks, name="teapot",
                            url="{{base}}/status/{{code}}", assertions=STATUS_200)
    return {"collection": collection, "folder": checks, "ok": ok, "teapot": teapot}


def runner_url(acme) -> str:
    return reverse("runner", args=[acme.pk])


def start(client, acme, target: str, **fields: Any):
    return client.post(runner_url(acme), {"target": target, **fields})


def executed(run_id: int) -> Run:
    run = runs.run_execute(run_id, worker="test:host:1")
    assert run is not None
    return run


# ---------------------------------------------------------------- access


@pytest.mark.parametrize("role", ["alice", "bob", "victor"])
def test_every_member_sees_the_runner(role, request, client_for, acme, shop):
    response = client_for(request.getfixturevalue(role)).get(runner_url(acme) + f"?collection={shop['collection'].pk}")
    assert response.status_code == 200
    assert f'<option value="c:{shop["collection"].pk}" selected>' in response.content.decode()


def test_outsider_gets_404_everywhere(client_for, carol, alice, acme, shop):
    run = runs.run_create(workspace=acme, created_by=alice, collection=shop["collection"])
    client = client_for(carol)
    for url in (runner_url(acme), reverse("run_page", args=[acme.pk, run.pk]),
                reverse("run_live", args=[acme.pk, run.pk]), reverse("run_report", args=[acme.pk, run.pk]),
                reverse("request_tests", args=[acme.pk, shop["ok"].pk])):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("run_cancel", args=[acme.pk, run.pk])).status_code == 404
    assert Run.objects.get(pk=run.pk).state == Run.State.QUEUED


def test_anonymous_is_sent_to_login(client_for, acme):
    response = client_for(None).get(runner_url(acme))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_run_of_another_workspace_is_404_under_this_one(client_for, alice, acme, shop, make_account):
    from requests_app.services.workspaces import workspace_create

    other = workspace_create(user=alice, name="Other")
    run = runs.run_create(workspace=acme, created_by=alice, collection=shop["collection"])
    assert client_for(alice).get(reverse("run_page", args=[other.pk, run.pk])).status_code == 404


# ---------------------------------------------------------------- start


def test_viewer_may_start_a_run_and_lands_on_it(client_for, victor, acme, shop):
    response = start(client_for(victor), acme, f"c:{shop['collection'].pk}", iterations="2", delay_ms="0",
                     concurrency="1", bail="on")
    run = Run.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("run_page", args=[acme.pk, run.pk])
    assert run.created_by == victor and run.iterations == 2 and run.bail and run.planned_requests == 4


def test_a_folder_or_selected_requests_can_be_run(client_for, alice, acme, shop):
    client = client_for(alice)
    start(client, acme, f"f:{shop['folder'].pk}")
    start(client, acme, "requests", requests=[str(shop["teapot"].pk), str(shop["ok"].pk)])
    folder_run, picked_run = Run.objects.order_by("id")
    assert folder_run.folder == shop["folder"] and folder_run.planned_requests == 1
    assert sorted(picked_run.request_ids) == sorted([shop["ok"].pk, shop["teapot"].pk])


def test_a_csv_data_file_gives_one_iteration_per_row(client_for, alice, acme, shop):
    upload = SimpleUploadedFile("codes.csv", b"code\n200\n418\n", content_type="text/csv")
    start(client_for(alice), acme, f"c:{shop['collection'].pk}", data_file=upload)
    run = Run.objects.get()
    assert run.iterations == 2 and run.data_rows == [{"code": "200"}, {"code": "418"}]


@pytest.mark.parametrize("name, content, words", [
    ("rows.csv", b"code,code\n1,2\n", "CSV"),
    ("rows.json", b'{"not": "a list"}', "JSON"),
    ("rows.txt", b"code\n200\n", ".csv or .json"),
])
def test_a_malformed_data_file_is_named_and_creates_no_run(client_for, alice, acme, shop, name, content, words):
    upload = SimpleUploadedFile(name, content)
    response = start(client_for(alice), acme, f"c:{shop['collection'].pk}", data_file=upload)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'class="alert alert-error run-error"' in page and words in page
    assert not Run.objects.exists()


def test_no_target_or_bad_numbers_are_named(client_for, alice, acme, shop):
    client = client_for(alice)
    assert "Choose what to run" in start(client, acme, "").content.decode()
    response = start(client, acme, f"c:{shop['collection'].pk}", iterations="many")
    assert response.status_code == 400 and "iterations must be a whole number" in response.content.decode()
    response = start(client, acme, f"c:{shop['collection'].pk}", concurrency="99")
    assert response.status_code == 400 and "concurrency" in response.content.decode()
    assert not Run.objects.exists()


def test_a_foreign_collection_is_404(client_for, carol, alice, acme, shop):
    from requests_app.models import Workspace

    carols = Workspace.objects.filter(memberships__user=carol).first()
    assert start(client_for(carol), carols, f"c:{shop['collection'].pk}").status_code == 404


# ---------------------------------------------------------------- watching a run


def test_the_live_part_polls_until_the_run_ends(client_for, alice, acme, shop):
    run = runs.run_create(workspace=acme, created_by=alice, collection=shop["collection"])
    client = client_for(alice)
    live_url = reverse("run_live", args=[acme.pk, run.pk])
    waiting = client.get(live_url).content.decode()
    assert 'hx-trigger="every 1s"' in waiting and "Waiting for the first results" in waiting
    executed(run.pk)
    ended = client.get(live_url).content.decode()
    assert "hx-trigger" not in ended.split("</h2>")[0]  # the swapped-in copy no longer polls
    assert 'aria-valuenow="100"' in ended and "JUnit XML" in ended


def test_failures_come_first_and_filters_narrow_the_results(client_for, alice, acme, shop):
    run = runs.run_create(workspace=acme, created_by=alice, collection=shop["collection"],
                          data={"format": "csv", "content": "code\n200\n418\n"})
    executed(run.pk)
    client = client_for(alice)
    page = client.get(reverse("run_page", args=[acme.pk, run.pk])).content.decode()
    rows = page.split('id="run-results"')[1].split("<tbody>")[1].split("</tbody>")[0].split("<tr ")[1:]
    assert len(rows) == 4
    assert 'class="failed"' in rows[0] and "teapot" in rows[0] and "expected status to equal 200, got 418" in rows[0]
    assert all('class="passed"' in row for row in rows[1:])
    failed = client.get(reverse("run_live", args=[acme.pk, run.pk]) + "?show=failed").content.decode()
    assert failed.count("<tr class=") == 1
    errors = client.get(reverse("run_live", args=[acme.pk, run.pk]) + "?show=errors").content.decode()
    assert "<tr class=" not in errors and "Nothing to show with this filter" in errors


def test_request_errors_show_under_the_errors_filter(client_for, alice, acme):
    collection = collection_create(user=alice, workspace=acme, name="Down")
    request_create(user=alice, collection=collection, name="refused", url="http://127.0.0.1:9/", assertions=STATUS_200)
    run = runs.run_create(workspace=acme, created_by=alice, collection=collection)
    executed(run.pk)
    errors = client_for(alice).get(reverse("run_live", args=[acme.pk, run.pk]) + "?show=errors").content.decode()
    assert errors.count("<tr class=") == 1 and "result-error" in errors


def test_cancel_a_queued_run_by_its_starter_not_by_another_viewer(client_for, victor, member_of_acme, acme, shop):
    run = runs.run_create(workspace=acme, created_by=victor, collection=shop["collection"])
    other_viewer = member_of_acme("viewer", "vera")
    assert client_for(other_viewer).post(reverse("run_cancel", args=[acme.pk, run.pk])).status_code == 403
    response = client_for(victor).post(reverse("run_cancel", args=[acme.pk, run.pk]))
    assert response.status_code == 302
    assert Run.objects.get(pk=run.pk).state == Run.State.CANCELLED


def test_rerun_starts_the_same_target_with_the_same_data(client_for, bob, alice, acme, shop):
    run = runs.run_create(workspace=acme, created_by=alice, folder=shop["folder"], iterations=2, bail=True,
                          data={"format": "csv", "content": "code\n200\n418\n"})
    response = client_for(bob).post(reverse("run_rerun", args=[acme.pk, run.pk]))
    again = Run.objects.exclude(pk=run.pk).get()
    assert response["Location"] == reverse("run_page", args=[acme.pk, again.pk])
    assert (again.folder, again.iterations, again.bail, again.data_rows, again.created_by) == (
        shop["folder"], 2, True, [{"code": "200"}, {"code": "418"}], bob)


def test_reports_download_once_the_run_ended(client_for, alice, acme, shop):
    run = runs.run_create(workspace=acme, created_by=alice, collection=shop["collection"],
                          data={"format": "json", "content": '[{"code": "200"}]'})
    client = client_for(alice)
    url = reverse("run_report", args=[acme.pk, run.pk])
    assert client.get(url + "?format=junit").status_code == 400  # not finished yet
    executed(run.pk)
    junit = client.get(url + "?format=junit")
    assert junit["Content-Disposition"] == f'attachment; filename="run-{run.pk}.xml"'
    suites = ET.fromstring(junit.content)
    assert sum(int(s.get("tests")) for s in suites.iter("testsuite")) == 2
    html = client.get(url + "?format=html")
    assert "sandbox" in html["Content-Security-Policy"]
    assert client.get(url + "?format=json").status_code == 200


def test_compare_names_the_assertion_that_broke(client_for, alice, acme, shop):
    before = runs.run_create(workspace=acme, created_by=alice, collection=shop["collection"],
                             data={"format": "csv", "content": "code\n200\n"})
    executed(before.pk)
    after = runs.run_create(workspace=acme, created_by=alice, collection=shop["collection"],
                            data={"format": "csv", "content": "code\n418\n"})
    executed(after.pk)
    client = client_for(alice)
    page = client.get(reverse("run_page", args=[acme.pk, after.pk])).content.decode()
    assert f'<option value="{before.pk}">' in page
    compared = client.get(reverse("run_compare", args=[acme.pk, after.pk]) + f"?with={before.pk}").content.decode()
    table = compared.split('id="run-compare-table"')[1]
    assert table.count('<tr class="change-') == 1
    assert "Checks / teapot" in table and "change-broken" in table and "1 unchanged" in compared


def test_runs_of_different_targets_are_not_compared(client_for, alice, acme, shop):
    one = runs.run_create(workspace=acme, created_by=alice, collection=shop["collection"])
    two = runs.run_create(workspace=acme, created_by=alice, folder=shop["folder"])
    response = client_for(alice).get(reverse("run_compare", args=[acme.pk, one.pk]) + f"?with={two.pk}")
    assert response.status_code == 400


def test_recent_runs_are_listed_per_workspace(client_for, alice, acme, shop):
    run = runs.run_create(workspace=acme, created_by=alice, collection=shop["collection"])
    page = client_for(alice).get(runner_url(acme)).content.decode()
    assert f'href="{reverse("run_page", args=[acme.pk, run.pk])}"' in page and "Queued" in page


def test_run_entry_points_in_the_collection_and_folder_menus_for_viewers(client_for, victor, acme, shop):
    page = client_for(victor).get(reverse("workspace", args=[acme.pk]) + f"?open={shop['folder'].pk}").content.decode()
    assert f'{runner_url(acme)}?collection={shop["collection"].pk}' in page
    assert f'{runner_url(acme)}?folder={shop["folder"].pk}' in page


# ---------------------------------------------------------------- the Tests tab


def tab_url(acme, saved) -> str:
    return reverse("request_tests", args=[acme.pk, saved.pk])


def tab_form(version: int, **extra: Any) -> dict[str, Any]:
    return {
        "version": str(version),
        "t_a_type": ["status", "jsonpath", "header"], "t_a_op": ["in", "gte", "exists"],
        "t_a_target": ["", "$.count", "Content-Type"], "t_a_expected": ["200, 201", "2", ""],
        "t_a_enabled": ["1", "1", "1"],
        "t_c_variable": ["count"], "t_c_source": ["jsonpath"], "t_c_expression": ["$.count"],
        "t_c_secret": ["0"], "t_c_enabled": ["1"],
        **extra,
    }


def test_editor_saves_assertions_and_captures_from_the_tests_table(client_for, bob, acme, shop):
    saved = shop["ok"]
    response = client_for(bob).post(tab_url(acme, saved), tab_form(saved.version))
    assert response.status_code == 200 and "Tests saved." in response.content.decode()
    saved.refresh_from_db()
    assert [(a["type"], a["op"], a.get("expected")) for a in saved.assertions] == [
        ("status", "in", [200, 201]), ("jsonpath", "gte", 2), ("header", "exists", None)]
    assert saved.captures[0]["variable"] == "count" and saved.captures[0]["expression"] == "$.count"
    assert f'"version": {saved.version}' in response["HX-Trigger"]


def test_an_invalid_assertion_is_named_and_nothing_is_saved(client_for, bob, acme, shop):
    saved = shop["ok"]
    form = tab_form(saved.version, t_a_type=["status"], t_a_op=["equals"], t_a_target=[""],
                      t_a_expected=["teapot"], t_a_enabled=["1"])
    response = client_for(bob).post(tab_url(acme, saved), form)
    assert response.status_code == 400 and "status code" in response.content.decode()
    saved.refresh_from_db()
    assert [(a["type"], a["op"], a["expected"]) for a in saved.assertions] == [("status", "equals", 200)]


def test_a_stale_version_is_a_conflict_not_an_overwrite(client_for, bob, acme, shop):
    saved = shop["ok"]
    response = client_for(bob).post(tab_url(acme, saved), tab_form(saved.version - 1 if saved.version > 1 else 999))
    assert response.status_code == 409


def test_viewer_reads_tests_but_cannot_save_them(client_for, victor, acme, shop):
    saved = shop["ok"]
    client = client_for(victor)
    page = client.get(tab_url(acme, saved)).content.decode()
    assert "only editors can change them" in page and 'id="tests-save"' not in page
    assert 'name="t_a_type" aria-label' not in page  # no editable row
    assert client.post(tab_url(acme, saved), tab_form(saved.version)).status_code == 403
    saved.refresh_from_db()
    assert len(saved.assertions) == 1


def test_the_tests_tab_is_offered_for_saved_requests(client_for, alice, acme, shop):
    page = client_for(alice).get(reverse("request_open", args=[acme.pk, shop["ok"].pk])).content.decode()
    assert 'id="tab-tests"' in page and tab_url(acme, shop["ok"]) in page


def record(user, workspace, saved, body: bytes) -> Any:
    response = Response(http_version="HTTP/1.1", status=200, reason="OK", headers=[("Content-Type", "application/json")],
                        body=body, content_type="application/json", kind="json")
    exchange = Exchange(request=SentRequest(method="GET", url="http://127.0.0.1:9/"), response=response)
    return history_record(user=user, workspace=workspace, asked={"method": "GET", "url": "http://127.0.0.1:9/"},
                          exchange=exchange, secrets={}, saved_request=saved)


def test_try_evaluates_the_unsaved_table_against_the_last_response(client_for, victor, acme, shop):
    record(victor, acme, shop["ok"], b'{"count": 1}')
    record(victor, acme, shop["ok"], b'{"count": 3}')
    url = reverse("request_tests_try", args=[acme.pk, shop["ok"].pk])
    preview = client_for(victor).post(url, tab_form(1)).content.decode()
    assert "nothing was sent" in preview
    assert preview.count('class="ok"') == 3  # status in [200, 201], $.count >= 2 (the latest), header exists
    assert "count = <code>3</code>" in preview


def test_try_names_a_missing_response(client_for, alice, acme, shop):
    url = reverse("request_tests_try", args=[acme.pk, shop["ok"].pk])
    preview = client_for(alice).post(url, tab_form(1)).content.decode()
    assert "send it once first" in preview


def test_the_polled_part_costs_the_same_queries_however_many_results(client_for, alice, acme, shop,
                                                                     django_assert_num_queries,
                                                                     django_assert_max_num_queries):
    from requests_app.models import RunResult

    run = runs.run_create(workspace=acme, created_by=alice, collection=shop["collection"])
    client = client_for(alice)
    url = reverse("run_live", args=[acme.pk, run.pk])
    client.get(url)  # session and user warm

    def add(count: int) -> None:
        RunResult.objects.bulk_create(
            RunResult(run=run, iteration=i + 1, position=0, saved_request=shop["ok"], name="ok", method="GET", url="u",
                      passed=bool(i % 2), assertions=[{"passed": bool(i % 2), "message": "m"}])
            for i in range(count))

    add(3)
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    add(60)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(url)


def test_a_run_that_checked_nothing_reads_no_checks_not_passed(client_for, alice, acme, shop, echo_server):
    """Requests without assertions or test scripts: a 500 answer "passes" too, so the run page and
    the runs list say "No checks" in a neutral badge; the state itself stays "passed" (as newman's exit 0)."""
    bare = request_create(user=alice, collection=shop["collection"], name="bare", url=f"{echo_server.url()}/status/500")
    run = executed(runs.run_create(workspace=acme, created_by=alice, request_ids=[bare.pk]).pk)
    assert run.state == Run.State.PASSED and run.unchecked
    client = client_for(alice)
    live = client.get(reverse("run_live", args=[acme.pk, run.pk])).content.decode()
    assert 'class="badge run-state state-unchecked" id="run-state"' in live and ">No checks</span>" in live
    listing = client.get(runner_url(acme)).content.decode()
    assert "No checks" in listing

    checked = executed(runs.run_create(workspace=acme, created_by=alice, request_ids=[shop["ok"].pk]).pk)
    assert checked.state == Run.State.PASSED and not checked.unchecked
    assert ">Passed</span>" in client.get(reverse("run_live", args=[acme.pk, checked.pk])).content.decode()

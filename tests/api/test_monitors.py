"""/api/v1/monitors: editors and owners create, change, pause and run; viewers read; outsiders get 404."""

from __future__ import annotations

from datetime import date

import pytest

from requests_app.models import Monitor, MonitorDailySummary, MonitorDelivery, Run
from requests_app.services import monitors
from requests_app.services.collections import collection_create
from requests_app.services.saved_requests import request_create


@pytest.fixture
def shop(alice, acme, echo_server):
    collection = collection_create(user=alice, workspace=acme, name="Shop")
    request_create(user=alice, collection=collection, name="up", url=echo_server.url("/status/200"),
                   assertions=[{"type": "status", "op": "equals", "expected": 200}])
    return collection


@pytest.fixture
def monitor(alice, acme, shop):
    return monitors.monitor_create(user=alice, workspace=acme, name="Shop up", collection=shop, every_minutes=5)


def body(workspace, collection, **extra):
    return {"workspace": workspace.pk, "name": "Checkout", "collection": collection.pk, **extra}


@pytest.mark.parametrize(("role", "expected"), [("owner", 201), ("editor", 201), ("viewer", 403), ("outsider", 404)])
def test_create_by_role(api_client_for, users_by_role, acme, shop, role, expected):
    response = api_client_for(users_by_role[role]).post(
        "/api/v1/monitors", body(acme, shop, schedule_kind="cron", cron_expression="*/10 8-18 * * mon-fri",
                                 timezone="Europe/Berlin", notify_emails=["ops@example.com"]), format="json")
    assert response.status_code == expected, response.content
    if expected == 201:
        data = response.json()
        assert data["schedule"] == "cron “*/10 8-18 * * mon-fri” (Europe/Berlin)"
        assert data["state"] == "unknown" and data["next_run_at"] is not None
    else:
        assert not Monitor.objects.exists()


def test_bad_cron_is_named(api_client_for, alice, acme, shop):
    response = api_client_for(alice).post("/api/v1/monitors", body(acme, shop, schedule_kind="cron",
                                                                    cron_expression="61 * * * *"), format="json")
    assert response.status_code == 400
    assert "cron_expression" in response.json()["error"]["fields"]


def test_a_collection_of_another_workspace_is_not_found(api_client_for, alice, acme, carol):
    foreign = collection_create(user=carol, workspace=carol.workspaces.get(), name="Carol's")
    response = api_client_for(alice).post("/api/v1/monitors", body(acme, foreign), format="json")
    assert response.status_code == 404


@pytest.mark.parametrize(("role", "status"), [("owner", 200), ("viewer", 200), ("outsider", 404)])
def test_read_by_role(api_client_for, users_by_role, monitor, role, status):
    client = api_client_for(users_by_role[role])
    assert client.get(f"/api/v1/monitors/{monitor.pk}").status_code == status
    listed = client.get(f"/api/v1/monitors?workspace={monitor.workspace_id}").json()["results"]
    assert [m["id"] for m in listed] == ([monitor.pk] if status == 200 else [])


@pytest.mark.parametrize(("role", "status"), [("editor", 200), ("viewer", 403), ("outsider", 404)])
def test_change_pause_resume_by_role(api_client_for, users_by_role, monitor, role, status):
    client = api_client_for(users_by_role[role])
    assert client.patch(f"/api/v1/monitors/{monitor.pk}", {"every_minutes": 1}, format="json").status_code == status
    assert client.post(f"/api/v1/monitors/{monitor.pk}/pause").status_code == status
    monitor.refresh_from_db()
    assert monitor.paused is (status == 200)
    assert client.post(f"/api/v1/monitors/{monitor.pk}/resume").status_code == status


def test_pause_and_resume(api_client_for, bob, monitor):
    client = api_client_for(bob)
    paused = client.post(f"/api/v1/monitors/{monitor.pk}/pause").json()
    assert paused["paused"] is True and paused["next_run_at"] is None
    resumed = client.post(f"/api/v1/monitors/{monitor.pk}/resume").json()
    assert resumed["paused"] is False and resumed["next_run_at"] is not None


def test_patch_changes_only_what_is_sent(api_client_for, bob, monitor):
    data = api_client_for(bob).patch(f"/api/v1/monitors/{monitor.pk}",
                                     {"webhook_url": "https://hooks.example.com/x"}, format="json").json()
    assert data["webhook_url"] == "https://hooks.example.com/x"
    assert data["every_minutes"] == 5 and data["name"] == "Shop up"


@pytest.mark.parametrize(("role", "status"), [("editor", 202), ("viewer", 403), ("outsider", 404)])
def test_run_now_by_role(api_client_for, users_by_role, monitor, role, status):
    response = api_client_for(users_by_role[role]).post(f"/api/v1/monitors/{monitor.pk}/run")
    assert response.status_code == status
    assert Run.objects.filter(monitor=monitor).count() == (1 if status == 202 else 0)


def test_runs_and_deliveries_are_keyset_pages(api_client_for, victor, monitor):
    for _ in range(3):
        monitors.monitor_run_create(monitor)
    MonitorDelivery.objects.create(monitor=monitor, channel="webhook", event="failing", target="https://x.example",
                                   attempts=2, last_error="the webhook answered 500")
    client = api_client_for(victor)
    first = client.get(f"/api/v1/monitors/{monitor.pk}/runs?limit=2").json()
    assert len(first["results"]) == 2 and first["next"]
    rest = client.get(first["next"]).json()
    assert len(rest["results"]) == 1 and rest["next"] is None
    MonitorDailySummary.objects.create(monitor=monitor, day=date(2026, 5, 1), runs=1440, failures=2, avg_ms=31.5,
                                       p95_ms=60.0, timed_runs=1440)
    MonitorDailySummary.objects.create(monitor=monitor, day=date(2026, 4, 30), runs=1, failures=0, timed_runs=0)
    summaries = client.get(f"/api/v1/monitors/{monitor.pk}/summaries?limit=1").json()
    assert [row["day"] for row in summaries["results"]] == ["2026-04-30"]
    (summary,) = client.get(summaries["next"]).json()["results"]
    assert summary == {"day": "2026-05-01", "runs": 1440, "failures": 2, "avg_ms": 31.5, "p95_ms": 60.0}
    (delivery,) = client.get(f"/api/v1/monitors/{monitor.pk}/deliveries").json()["results"]
    assert (delivery["attempts"], delivery["last_error"]) == (2, "the webhook answered 500")


@pytest.mark.parametrize(("role", "status"), [("editor", 204), ("viewer", 403), ("outsider", 404)])
def test_delete_by_role(api_client_for, users_by_role, monitor, role, status):
    assert api_client_for(users_by_role[role]).delete(f"/api/v1/monitors/{monitor.pk}").status_code == status
    assert Monitor.objects.filter(pk=monitor.pk).exists() is (status != 204)


def test_viewers_see_the_webhook_masked(api_client_for, alice, victor, monitor):
    monitors.monitor_update(user=alice, monitor=monitor, webhook_url="https://hooks.slack.com/services/T0/B0/s3cr3t")
    MonitorDelivery.objects.create(monitor=monitor, channel="webhook", event="failing",
                                   target="https://hooks.slack.com/services/T0/B0/s3cr3t")
    for client, shown in ((api_client_for(alice), "https://hooks.slack.com/services/T0/B0/s3cr3t"),
                          (api_client_for(victor), "https://hooks.slack.com/••••••")):
        assert client.get(f"/api/v1/monitors/{monitor.pk}").json()["webhook_url"] == shown
        assert client.get("/api/v1/monitors").json()["results"][0]["webhook_url"] == shown
        assert client.get(f"/api/v1/monitors/{monitor.pk}/deliveries").json()["results"][0]["target"] == shown


def test_the_list_is_keyset_pages_by_name(api_client_for, alice, acme, shop):
    for name in ("b", "a", "c"):
        monitors.monitor_create(user=alice, workspace=acme, name=name, collection=shop)
    client = api_client_for(alice)
    first = client.get(f"/api/v1/monitors?workspace={acme.pk}&limit=2").json()
    assert [m["name"] for m in first["results"]] == ["a", "b"]
    assert [m["name"] for m in client.get(first["next"]).json()["results"]] == ["c"]

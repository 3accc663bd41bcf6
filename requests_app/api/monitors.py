"""/api/v1/monitors: CRUD, pause, resume, run now, the monitor's runs and notifications.

Thin: check access, parse input, call one service (requests_app.services.monitors), render.
Editors and owners create, change, pause, resume and run; viewers read; outsiders get 404.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from requests_app import access
from requests_app.api.pagination import keyset_response
from requests_app.api.runs import RunOutput
from requests_app.api.serializers import IdField
from requests_app.api.views import ServiceViewSet, _query_id
from requests_app.models import Monitor, MonitorDelivery
from requests_app.monitor_schedule import KINDS, MAX_CRON_LENGTH, MAX_EVERY_MINUTES
from requests_app.services import monitors as monitor_services
from requests_app.services.errors import ValidationFailed
from requests_app.services.monitor_pages import MONITOR_DELIVERY_ORDER


class MonitorInput(serializers.Serializer):
    workspace = IdField(required=False, help_text="Required when creating")
    name = serializers.CharField(max_length=200)
    collection = IdField(required=False, allow_null=True, help_text="The collection run (or give a folder)")
    folder = IdField(required=False, allow_null=True, help_text="Run only this folder of the collection")
    environment = IdField(required=False, allow_null=True)
    schedule_kind = serializers.ChoiceField(choices=KINDS, required=False, default="interval")
    every_minutes = serializers.IntegerField(required=False, min_value=1, max_value=MAX_EVERY_MINUTES, default=5)
    cron_expression = serializers.CharField(required=False, allow_blank=True, max_length=MAX_CRON_LENGTH,
                                            help_text="Five fields, read in `timezone`: minute hour day month weekday")
    timezone = serializers.CharField(required=False, max_length=64, help_text="IANA name, e.g. Europe/Berlin")
    paused = serializers.BooleanField(required=False, default=False)
    notify_emails = serializers.ListField(child=serializers.CharField(max_length=254), required=False,
                                          max_length=monitor_services.MAX_EMAILS)
    webhook_url = serializers.CharField(required=False, allow_blank=True, max_length=2000,
                                        help_text="Gets a JSON POST (monitor, run, failed assertions, link)")
    notify_on_state_change = serializers.BooleanField(required=False, default=True)
    notify_on_every_failure = serializers.BooleanField(required=False, default=False)
    alert_on_shape_change = serializers.BooleanField(
        required=False, default=False,
        help_text="Notify when a JSON response's keys or types change from the last good run (ignore rules apply)",
    )


class MonitorOutput(serializers.Serializer):
    id = serializers.IntegerField()
    workspace = serializers.IntegerField(source="workspace_id")
    name = serializers.CharField()
    collection = serializers.IntegerField(source="collection_id")
    folder = serializers.IntegerField(source="folder_id", allow_null=True)
    environment = serializers.IntegerField(source="environment_id", allow_null=True)
    schedule_kind = serializers.CharField()
    every_minutes = serializers.IntegerField()
    cron_expression = serializers.CharField()
    timezone = serializers.CharField()
    schedule = serializers.SerializerMethodField()
    paused = serializers.BooleanField()
    notify_emails = serializers.ListField(child=serializers.CharField())
    webhook_url = serializers.SerializerMethodField(help_text="Viewers see its scheme and host only")
    notify_on_state_change = serializers.BooleanField()
    notify_on_every_failure = serializers.BooleanField()
    alert_on_shape_change = serializers.BooleanField()
    state = serializers.ChoiceField(choices=Monitor.State.choices)
    next_run_at = serializers.DateTimeField(allow_null=True)
    last_run = serializers.IntegerField(source="last_run_id", allow_null=True)
    last_good_run = serializers.IntegerField(source="last_good_run_id", allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def get_schedule(self, monitor: Monitor) -> str:
        return monitor_services.schedule_of(monitor).describe()

    def get_webhook_url(self, monitor: Monitor) -> str:
        return monitor_services.webhook_shown(monitor.webhook_url, getattr(monitor, "user_role", None))


class DeliveryOutput(serializers.Serializer):
    id = serializers.IntegerField()
    run = serializers.IntegerField(source="run_id", allow_null=True)
    channel = serializers.ChoiceField(choices=MonitorDelivery.Channel.choices)
    event = serializers.ChoiceField(choices=MonitorDelivery.Event.choices)
    target = serializers.SerializerMethodField(help_text="The address, or the webhook (viewers: scheme and host only)")
    state = serializers.ChoiceField(choices=MonitorDelivery.State.choices)
    attempts = serializers.IntegerField()
    next_attempt_at = serializers.DateTimeField(allow_null=True)
    last_error = serializers.CharField()
    created_at = serializers.DateTimeField()
    sent_at = serializers.DateTimeField(allow_null=True)

    def get_target(self, delivery: MonitorDelivery) -> str:
        if delivery.channel != MonitorDelivery.Channel.WEBHOOK:
            return delivery.target
        return monitor_services.webhook_shown(delivery.target, self.context.get("role"))


class DailySummaryOutput(serializers.Serializer):
    day = serializers.DateField()
    runs = serializers.IntegerField()
    failures = serializers.IntegerField()
    avg_ms = serializers.FloatField(allow_null=True, help_text="Mean of the runs' mean response times")
    p95_ms = serializers.FloatField(allow_null=True)


def _lookups(request: Request, data: dict[str, Any]) -> dict[str, Any]:
    """Collection, folder and environment ids as objects, through access (404 when foreign)."""
    user = request.user
    found = dict(data)
    found.pop("workspace", None)
    for name, getter in (("collection", access.get_collection_for_user), ("folder", access.get_folder_for_user),
                         ("environment", access.get_environment_for_user)):
        if name in found:
            found[name] = getter(user, found[name]) if found[name] else None
    return found


@extend_schema_view(
    list=extend_schema(parameters=[
        OpenApiParameter("workspace", OpenApiTypes.INT, OpenApiParameter.QUERY, description="Only this workspace"),
    ], summary="Monitors of your workspaces, by name"),
    retrieve=extend_schema(summary="A monitor: schedule, notifications, state and next run"),
    destroy=extend_schema(summary="Delete a monitor (editors); its runs stay"),
)
class MonitorViewSet(ServiceViewSet):
    output_serializer = MonitorOutput
    queryset = Monitor.objects.none()

    def list(self, request: Request) -> Response:
        queryset = monitor_services.monitors_for_user(request.user)
        workspace_id = _query_id(request, "workspace")
        if workspace_id is not None:
            queryset = queryset.filter(workspace_id=workspace_id)
        return keyset_response(request, queryset, order=monitor_services.MONITOR_ORDER, serialize=self.serialize_many)

    @extend_schema(request=MonitorInput, responses={201: MonitorOutput},
                   summary="Create a monitor (editors and owners)")
    def create(self, request: Request) -> Response:
        data = self.parse(MonitorInput)
        if not data.get("workspace"):
            raise ValidationFailed.for_field("workspace", "This field is required.", code="required")
        workspace = access.get_workspace_for_user(request.user, data["workspace"])
        monitor = monitor_services.monitor_create(user=request.user, workspace=workspace, **_lookups(request, data))
        return self.render(monitor, http_status=status.HTTP_201_CREATED)

    def retrieve(self, request: Request, pk: str) -> Response:
        return self.render(monitor_services.get_monitor_for_user(request.user, pk))

    @extend_schema(request=MonitorInput, responses=MonitorOutput, summary="Change some of a monitor's settings")
    def partial_update(self, request: Request, pk: str) -> Response:
        monitor = monitor_services.get_monitor_for_user(request.user, pk, need="edit")
        serializer = MonitorInput(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        changes = {key: value for key, value in serializer.validated_data.items() if key in request.data}
        return self.render(monitor_services.monitor_update(user=request.user, monitor=monitor,
                                                           **_lookups(request, changes)))

    def destroy(self, request: Request, pk: str) -> Response:
        monitor = monitor_services.get_monitor_for_user(request.user, pk, need="edit")
        monitor_services.monitor_delete(user=request.user, monitor=monitor)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses=MonitorOutput, summary="Pause: no scheduled runs until resumed")
    @action(detail=True, methods=["post"])
    def pause(self, request: Request, pk: str) -> Response:
        monitor = monitor_services.get_monitor_for_user(request.user, pk, need="edit")
        return self.render(monitor_services.monitor_pause(user=request.user, monitor=monitor))

    @extend_schema(request=None, responses=MonitorOutput,
                   summary="Resume: the next slot after now (slots missed while paused are not made up)")
    @action(detail=True, methods=["post"])
    def resume(self, request: Request, pk: str) -> Response:
        monitor = monitor_services.get_monitor_for_user(request.user, pk, need="edit")
        return self.render(monitor_services.monitor_resume(user=request.user, monitor=monitor))

    @extend_schema(request=None, responses={202: RunOutput}, summary="Run now, beside the schedule (editors)")
    @action(detail=True, methods=["post"])
    def run(self, request: Request, pk: str) -> Response:
        monitor = monitor_services.get_monitor_for_user(request.user, pk, need="edit")
        run = monitor_services.monitor_run_now(user=request.user, monitor=monitor)
        return Response(RunOutput(run).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses=RunOutput(many=True), summary="The monitor's runs, newest first (keyset pages)")
    @action(detail=True, methods=["get"])
    def runs(self, request: Request, pk: str) -> Response:
        monitor = monitor_services.get_monitor_for_user(request.user, pk)
        queryset = monitor_services.monitor_runs(monitor=monitor).select_related("created_by")
        return keyset_response(request, queryset, order=monitor_services.MONITOR_RUN_ORDER,
                               serialize=lambda rows: RunOutput(rows, many=True).data)

    @extend_schema(responses=DailySummaryOutput(many=True),
                   summary="Daily summaries of runs past the retention period (runs, failures, mean, p95), oldest first")
    @action(detail=True, methods=["get"])
    def summaries(self, request: Request, pk: str) -> Response:
        monitor = monitor_services.get_monitor_for_user(request.user, pk)
        # One row a day: a short list, in limit/offset pages like the other short ones.
        page = self.paginate_queryset(monitor.daily_summaries.order_by("day", "id"))
        return self.get_paginated_response(DailySummaryOutput(page, many=True).data)

    @extend_schema(responses=DeliveryOutput(many=True),
                   summary="The monitor's notifications: e-mails and webhooks, attempts, last error")
    @action(detail=True, methods=["get"])
    def deliveries(self, request: Request, pk: str) -> Response:
        monitor = monitor_services.get_monitor_for_user(request.user, pk)
        queryset = monitor.deliveries.order_by(*MONITOR_DELIVERY_ORDER)
        return keyset_response(request, queryset, order=MONITOR_DELIVERY_ORDER,
                               serialize=lambda rows: DeliveryOutput(rows, many=True,
                                                                     context={"role": monitor.user_role}).data)



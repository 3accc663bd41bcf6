"""/api/v1/runs: start a collection run (202), read it, its results, cancel it, download a report.

Thin: check access, parse input, call one service (requests_app.services.runs), render.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from requests_app import access
from requests_app.api.pagination import keyset_response
from requests_app.api.throttles import ThrottledActions
from requests_app.api.views import ServiceViewSet, _flag, _query_id
from requests_app.models import Run, Workspace
from requests_app.runner.datafile import DATA_FORMATS, MAX_DATA_BYTES
from requests_app.runner.loop import MAX_CONCURRENCY, MAX_DELAY_MS, MAX_ITERATIONS
from requests_app.runner.reporters import REPORT_FORMATS
from requests_app.services import interop as interop_services
from requests_app.services import runs as run_services
from requests_app.services.errors import ValidationFailed
from requests_app.web import download_response


class RunDataInput(serializers.Serializer):
    format = serializers.ChoiceField(choices=DATA_FORMATS)
    content = serializers.CharField(allow_blank=True, trim_whitespace=False, max_length=MAX_DATA_BYTES)


class RunInput(serializers.Serializer):
    collection = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    folder = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    requests = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, allow_empty=False,
        max_length=run_services.MAX_PLAN_REQUESTS,
    )
    environment = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    iterations = serializers.IntegerField(required=False, min_value=0, max_value=MAX_ITERATIONS,
                                          help_text="0 or absent: one per data row, else 1")
    data = RunDataInput(required=False, allow_null=True,
                        help_text="CSV with a header row, or a JSON array of objects: one row per iteration")
    delay_ms = serializers.IntegerField(required=False, default=0, min_value=0, max_value=MAX_DELAY_MS)
    bail = serializers.BooleanField(required=False, default=False)
    concurrency = serializers.IntegerField(required=False, default=1, min_value=1, max_value=MAX_CONCURRENCY)
    persist_captures = serializers.BooleanField(
        required=False, default=False,
        help_text="Write captured variables back to the environment at the end (if you may edit it)",
    )


class RunOutput(serializers.Serializer):
    id = serializers.IntegerField()
    workspace = serializers.IntegerField(source="workspace_id")
    title = serializers.CharField()
    state = serializers.CharField()
    collection = serializers.IntegerField(source="collection_id", allow_null=True)
    folder = serializers.IntegerField(source="folder_id", allow_null=True)
    requests = serializers.ListField(source="request_ids", child=serializers.IntegerField())
    environment = serializers.IntegerField(source="environment_id", allow_null=True)
    environment_name = serializers.CharField()
    iterations = serializers.IntegerField()
    delay_ms = serializers.IntegerField()
    bail = serializers.BooleanField()
    concurrency = serializers.IntegerField()
    data_format = serializers.CharField()
    data_rows = serializers.SerializerMethodField()
    persist_captures = serializers.BooleanField()
    captures_saved = serializers.BooleanField(allow_null=True)
    planned_requests = serializers.IntegerField()
    totals = serializers.DictField()
    error = serializers.CharField()
    mode = serializers.CharField()
    created_by = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)

    def get_data_rows(self, run: Run) -> int:
        return len(run.data_rows or [])

    def get_created_by(self, run: Run) -> str | None:
        return run.created_by.get_username() if run.created_by_id and run.created_by else None


class RunResultOutput(serializers.Serializer):
    id = serializers.IntegerField()
    iteration = serializers.IntegerField()
    position = serializers.IntegerField()
    request = serializers.IntegerField(source="saved_request_id", allow_null=True)
    name = serializers.CharField()
    path = serializers.CharField()
    method = serializers.CharField()
    url = serializers.CharField()
    status = serializers.IntegerField(allow_null=True)
    time_ms = serializers.FloatField(allow_null=True)
    size = serializers.IntegerField(allow_null=True)
    passed = serializers.BooleanField()
    assertions_failed = serializers.IntegerField()
    assertions = serializers.ListField(child=serializers.DictField())
    captures = serializers.ListField(child=serializers.DictField())
    error = serializers.DictField(allow_null=True)
    unresolved_variables = serializers.ListField(
        child=serializers.CharField(), help_text="Variables no scope defined: sent as written, {{name}}."
    )
    console = serializers.ListField(
        child=serializers.DictField(),
        help_text="What the request's scripts wrote with console.log/info/warn/error, in order: {level, text} "
                  "(at most 100 lines of 2,000 characters; secrets masked).",
    )


class AssertionChangeOutput(serializers.Serializer):
    iteration = serializers.IntegerField()
    request = serializers.CharField()
    assertion = serializers.CharField()
    before = serializers.BooleanField(allow_null=True)
    after = serializers.BooleanField(allow_null=True)
    change = serializers.ChoiceField(choices=["fixed", "broken", "new", "gone"])
    before_message = serializers.CharField()
    after_message = serializers.CharField()


class RunComparisonOutput(serializers.Serializer):
    before = serializers.IntegerField(source="before.pk")
    after = serializers.IntegerField(source="after.pk")
    unchanged = serializers.IntegerField()
    changes = AssertionChangeOutput(many=True)


def _workspace_of_target(request: Request, data: dict[str, Any]) -> tuple[Workspace, dict[str, Any]]:
    """Look the target up through access (404 when missing or foreign); the service checks the rest."""
    user = request.user
    target: dict[str, Any] = {}
    if data.get("collection"):
        target["collection"] = access.get_collection_for_user(user, data["collection"])
        workspace_id = target["collection"].workspace_id
    elif data.get("folder"):
        target["folder"] = access.get_folder_for_user(user, data["folder"])
        workspace_id = access.workspace_id_of(target["folder"])
    elif data.get("requests"):
        first = access.get_request_for_user(user, data["requests"][0])
        target["request_ids"] = data["requests"]
        workspace_id = access.workspace_id_of(first)
    else:
        raise ValidationFailed.for_field("collection", run_services.NO_TARGET, code="no_target")
    if data.get("environment"):
        target["environment"] = access.get_environment_for_user(user, data["environment"])
    return access.get_workspace_for_user(user, workspace_id), target


@extend_schema_view(
    list=extend_schema(parameters=[
        OpenApiParameter("workspace", OpenApiTypes.INT, OpenApiParameter.QUERY, description="Only this workspace"),
        OpenApiParameter("collection", OpenApiTypes.INT, OpenApiParameter.QUERY, description="Only runs of it"),
    ], summary="Runs of your workspaces, newest first"),
    retrieve=extend_schema(summary="A run: state, settings and totals (live while it runs)"),
)
class RunViewSet(ThrottledActions, ServiceViewSet):
    throttled_actions = {"create": "runs"}
    output_serializer = RunOutput
    queryset = Run.objects.none()

    def perform_content_negotiation(self, request: Request, force: bool = False) -> tuple[Any, str]:
        if getattr(self, "action", None) == "report":
            # Here ?format= names the report (junit, json, html), not a DRF renderer.
            renderer = self.get_renderers()[0]
            return renderer, renderer.media_type
        return super().perform_content_negotiation(request, force)

    def list(self, request: Request) -> Response:
        filters = {"workspace": _query_id(request, "workspace"), "collection": _query_id(request, "collection")}
        queryset = run_services.run_list(user=request.user, filters=filters).select_related("created_by")
        return keyset_response(request, queryset, order=run_services.RUN_ORDER, serialize=self.serialize_many)

    @extend_schema(request=RunInput, responses={202: RunOutput},
                   summary="Start a run of a collection, a folder or some requests (viewers too); answers at once")
    def create(self, request: Request) -> Response:
        data = self.parse(RunInput)
        workspace, target = _workspace_of_target(request, data)
        run = run_services.run_start(
            user=request.user,
            workspace=workspace,
            iterations=data.get("iterations"),
            data=data.get("data"),
            delay_ms=data["delay_ms"],
            bail=data["bail"],
            concurrency=data["concurrency"],
            persist_captures=data["persist_captures"],
            **target,
        )
        return self.render(run, http_status=status.HTTP_202_ACCEPTED)

    def retrieve(self, request: Request, pk: str) -> Response:
        return self.render(run_services.get_run_for_user(request.user, pk))

    @extend_schema(
        responses=RunResultOutput(many=True),
        parameters=[
            OpenApiParameter("failed", OpenApiTypes.BOOL, OpenApiParameter.QUERY, description="1: failures only"),
            OpenApiParameter("iteration", OpenApiTypes.INT, OpenApiParameter.QUERY, description="Only this iteration"),
            OpenApiParameter("failures_first", OpenApiTypes.BOOL, OpenApiParameter.QUERY,
                             description="1: failed requests before passed ones"),
        ],
        summary="One row per executed request and iteration (paginated)",
    )
    @action(detail=True, methods=["get"])
    def results(self, request: Request, pk: str) -> Response:
        run = run_services.get_run_for_user(request.user, pk)
        failures_first = _flag(request, "failures_first")
        queryset = run_services.run_results(
            run=run,
            failed_only=_flag(request, "failed"),
            iteration=_query_id(request, "iteration"),
            failures_first=failures_first,
        )
        order = run_services.RESULT_ORDER_FAILURES_FIRST if failures_first else run_services.RESULT_ORDER
        return keyset_response(request, queryset, order=order,
                               serialize=lambda rows: RunResultOutput(rows, many=True).data)

    @extend_schema(request=None, responses={202: RunOutput},
                   summary="Stop a run (who started it, or an editor); it ends within a second")
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        run = run_services.get_run_for_user(request.user, pk)
        return self.render(run_services.run_cancel(user=request.user, run=run), http_status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        parameters=[OpenApiParameter("format", OpenApiTypes.STR, OpenApiParameter.QUERY, enum=[*REPORT_FORMATS],
                                     description="junit (XML for CI), json or html")],
        responses={(200, "application/xml"): OpenApiTypes.STR, (200, "application/json"): OpenApiTypes.OBJECT,
                   (200, "text/html"): OpenApiTypes.STR},
        summary="The finished run's report",
    )
    @action(detail=True, methods=["get"])
    def report(self, request: Request, pk: str) -> HttpResponse:
        run = run_services.get_run_for_user(request.user, pk)
        text, content_type, filename = run_services.run_report(
            run=run, report_format=request.query_params.get("format", "junit")
        )
        # XML and JSON may be read in the browser; the HTML report is only ever saved
        return download_response(filename, f"{content_type}; charset=utf-8", text, inline=content_type != "text/html")

    @extend_schema(
        responses={(200, "application/json"): OpenApiTypes.OBJECT},
        summary="The finished run as HAR 1.2: each request's method, URL, status, time, size and assertions",
        description="Runs keep no headers, bodies or per-request start times; the HAR says so in its comment.",
    )
    @action(detail=True, methods=["get"])
    def har(self, request: Request, pk: str) -> HttpResponse:
        return download_response(*interop_services.run_har(user=request.user, run_id=pk))

    @extend_schema(
        parameters=[OpenApiParameter("with", OpenApiTypes.INT, OpenApiParameter.QUERY, required=True,
                                     description="Another run of the same target")],
        responses=RunComparisonOutput,
        summary="Which assertions changed status between two runs of the same target",
    )
    @action(detail=True, methods=["get"])
    def compare(self, request: Request, pk: str) -> Response:
        run = run_services.get_run_for_user(request.user, pk)
        other = run_services.get_run_for_user(request.user, request.query_params.get("with"))
        return Response(RunComparisonOutput(run_services.run_compare(run=run, other=other)).data)

"""/api/v1/history/diff and a saved request's diff actions (the response diff of issue 18)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from requests_app import access
from requests_app.api.serializers import IdField
from requests_app.api.views import _path_id as path_id
from requests_app.services import diffs as diff_services
from requests_app.services.errors import ValidationFailed


class DiffIgnoreInput(serializers.Serializer):
    headers = serializers.ListField(child=serializers.CharField(max_length=200, trim_whitespace=True), required=False,
                                    help_text="Header names left out of the comparison (any case)")
    json_paths = serializers.ListField(child=serializers.CharField(max_length=500), required=False,
                                       help_text="JSON paths left out: $.a.b, $.items[*].id, $.items[0], $..requestId")


class DiffEnvironmentsInput(serializers.Serializer):
    environments = serializers.ListField(child=IdField(allow_null=True), min_length=2, max_length=2,
                                         help_text="Two environment ids of the request's workspace (null: none)")


_DIFF = OpenApiTypes.OBJECT
_ID = [OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)]


class HistoryDiffView(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("a", OpenApiTypes.INT, OpenApiParameter.QUERY, required=True,
                                     description="The history entry to compare from"),
                    OpenApiParameter("b", OpenApiTypes.INT, OpenApiParameter.QUERY, required=True,
                                     description="The history entry to compare with")],
        responses={200: _DIFF},
        summary="Compare two of your history entries' responses: status, headers, body (JSON-aware)",
        operation_id="v1_history_diff",
    )
    def get(self, request: Request) -> Response:
        ids = {}
        for name in ("a", "b"):
            value = request.query_params.get(name, "")
            if not value.isdigit():
                raise ValidationFailed.for_field(name, "must be a history entry id")
            ids[name] = int(value)
        return Response(diff_services.history_diff(user=request.user, entry_a=ids["a"], entry_b=ids["b"]))


class RequestDiffPreviousView(APIView):
    @extend_schema(parameters=_ID, responses={200: _DIFF}, operation_id="v1_requests_diff_previous",
                   summary="Compare your last response of this request with the one before it")
    def get(self, request: Request, pk: str) -> Response:
        saved = access.get_request_for_user(request.user, path_id(pk))
        return Response(diff_services.request_diff_previous(user=request.user, saved_request=saved))


class RequestDiffEnvironmentsView(APIView):
    @extend_schema(parameters=_ID, request=DiffEnvironmentsInput, responses={200: _DIFF}, operation_id="v1_requests_diff_environments",
                   summary="Send this request now with two environments and compare the responses (both recorded)")
    def post(self, request: Request, pk: str) -> Response:
        saved = access.get_request_for_user(request.user, path_id(pk))
        data = DiffEnvironmentsInput(data=request.data)
        data.is_valid(raise_exception=True)
        environments = [access.get_environment_for_user(request.user, env_id) if env_id else None
                        for env_id in data.validated_data["environments"]]
        return Response(diff_services.request_diff_environments(user=request.user, saved_request=saved,
                                                                environments=environments))


class RequestDiffIgnoreView(APIView):
    @extend_schema(parameters=_ID, responses={200: DiffIgnoreInput}, operation_id="v1_requests_diff_ignore_read",
                   summary="What this request's response diffs leave out")
    def get(self, request: Request, pk: str) -> Response:
        saved = access.get_request_for_user(request.user, path_id(pk))
        return Response({"headers": [], "json_paths": [], **(saved.diff_ignore or {})})

    @extend_schema(parameters=_ID, request=DiffIgnoreInput, responses={200: DiffIgnoreInput}, operation_id="v1_requests_diff_ignore_set",
                   summary="Set what this request's response diffs leave out (editors and owners)")
    def put(self, request: Request, pk: str) -> Response:
        saved = access.get_request_for_user(request.user, path_id(pk), need="edit")
        data = DiffIgnoreInput(data=request.data)
        data.is_valid(raise_exception=True)
        saved = diff_services.request_diff_ignore_set(user=request.user, saved_request=saved,
                                                      rules=dict(data.validated_data))
        return Response(saved.diff_ignore)

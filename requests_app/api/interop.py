"""/api/v1/import, collection export, request snippets, history as HAR.

Thin: check access, parse input, call one service (requests_app.services.interop), render.
Exports answer the file itself (Content-Disposition: attachment), not JSON about it.
"""

from __future__ import annotations

from types import SimpleNamespace

from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from requests_app import access
from requests_app.api.serializers import IdField
from requests_app.api.throttles import LIMITS
from requests_app.api.views import _flag as flag
from requests_app.api.views import _path_id as path_id
from requests_app.interop import FORMATS
from requests_app.interop.limits import MAX_IMPORT_BYTES
from requests_app.interop.snippets import SNIPPET_LANGUAGES
from requests_app.services import interop as interop_services
from requests_app.services.errors import ValidationFailed
from requests_app.web import download_response

IMPORT_FORMATS = ("auto", *FORMATS)


class QueryFormatIsNotARenderer(DefaultContentNegotiation):
    """`?format=postman` names the export format here; DRF would read it as a renderer and 404."""

    settings = SimpleNamespace(URL_FORMAT_OVERRIDE=None)


class ImportInput(serializers.Serializer):
    workspace = IdField()
    format = serializers.ChoiceField(choices=IMPORT_FORMATS, default="auto",
                                     help_text="auto: recognise cURL, Postman, .http, HAR or OpenAPI")
    content = serializers.CharField(allow_blank=True, trim_whitespace=False,
                                    help_text="The text to import, at most 10 MiB")
    collection = IdField(required=False, allow_null=True,
                         help_text="Put the imported requests in this collection instead of new ones")
    name = serializers.CharField(required=False, allow_blank=True, max_length=255,
                                 help_text="The file's name (names the collection of an .http file)")


class ReportItemOutput(serializers.Serializer):
    path = serializers.CharField(help_text="Where in the source, e.g. item[3].item[0].event[0]")
    message = serializers.CharField()
    level = serializers.ChoiceField(choices=("dropped", "downgraded", "note"))


class CollectionRefOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ReportOutput(serializers.Serializer):
    format = serializers.CharField()
    counts = serializers.DictField(child=serializers.IntegerField(),
                                   help_text="collections, folders, requests, environments, dropped, downgraded, notes")
    items = ReportItemOutput(many=True)
    into = CollectionRefOutput(many=True, help_text="The collections that received the imported requests")


class CreatedOutput(serializers.Serializer):
    collections = serializers.ListField(child=serializers.IntegerField())
    folders = serializers.ListField(child=serializers.IntegerField())
    requests = serializers.ListField(child=serializers.IntegerField())
    environments = serializers.ListField(child=serializers.IntegerField())


class ImportOutput(serializers.Serializer):
    report = ReportOutput()
    created = CreatedOutput()


_FILE = OpenApiResponse(OpenApiTypes.STR, description="The file (Content-Disposition: attachment)")


class ImportView(APIView):
    throttle_scope = "import"
    throttle_classes = LIMITS

    @extend_schema(
        request=ImportInput,
        responses={201: ImportOutput},
        summary="Import cURL, Postman collections and environments, .http, HAR or OpenAPI (editors)",
        description="One transaction: a malformed file answers 400 naming the problem and its position, and "
                    "creates nothing. A cURL command lands in the collection “Imported” unless `collection` is given.",
    )
    def post(self, request: Request) -> Response:
        try:
            payload = request.data
        except RequestDataTooBig:  # over DATA_UPLOAD_MAX_MEMORY_SIZE: Django would answer an HTML 400
            raise ValidationFailed.for_field(
                "content",
                f"is larger than the server accepts; imports are limited to {MAX_IMPORT_BYTES // 1024 // 1024} MiB",
                code=interop_services.IMPORT_MALFORMED,
            ) from None
        serializer = ImportInput(data=payload)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        workspace = access.get_workspace_for_user(request.user, data["workspace"], need="edit")
        collection = (
            access.get_collection_for_user(request.user, data["collection"], need="edit")
            if data.get("collection") else None
        )
        outcome = interop_services.collection_import(
            user=request.user, workspace=workspace, content=data["content"], format=data["format"],
            collection=collection, name=data.get("name", ""),
        )
        return Response({"report": outcome.report, "created": outcome.created}, status=status.HTTP_201_CREATED)


_SECRETS = OpenApiParameter(
    "secrets", OpenApiTypes.BOOL, OpenApiParameter.QUERY,
    description="1: credentials in the clear (editors and owners; 403 for viewers). By default they are "
                "{{password}}, {{accessToken}}, {{apiKey}} and {{credentials}} placeholders",
)


class CollectionExportView(APIView):
    content_negotiation_class = QueryFormatIsNotARenderer

    @extend_schema(
        parameters=[
            OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH),
            OpenApiParameter("format", OpenApiTypes.STR, OpenApiParameter.QUERY,
                             enum=list(interop_services.EXPORT_FORMATS),
                             description="postman (Collection v2.1 JSON, the default), http (one .http file) "
                                         "or http-folders (a zip of one .http file per folder)"),
            _SECRETS,
        ],
        responses={(200, "application/json"): _FILE, (200, "text/plain"): _FILE, (200, "application/zip"): _FILE},
        summary="Download a collection as Postman v2.1, one .http file or a zip of .http files (any member)",
    )
    def get(self, request: Request, pk: str) -> HttpResponse:
        filename, content_type, text = interop_services.collection_export(
            user=request.user, collection_id=path_id(pk), format=request.query_params.get("format", "postman"),
            include_secrets=flag(request, "secrets"),
        )
        return download_response(filename, content_type, text)


class RequestSnippetView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH),
            OpenApiParameter("lang", OpenApiTypes.STR, OpenApiParameter.QUERY, enum=list(SNIPPET_LANGUAGES),
                             description="Default curl"),
            OpenApiParameter("resolve", OpenApiTypes.BOOL, OpenApiParameter.QUERY,
                             description="1: fill in collection and environment variables (secrets stay {{name}})"),
            OpenApiParameter("environment", OpenApiTypes.INT, OpenApiParameter.QUERY,
                             description="The environment whose variables to use"),
            OpenApiParameter("reveal", OpenApiTypes.BOOL, OpenApiParameter.QUERY,
                             description="1: show secrets and typed credentials (editors of the environment)"),
        ],
        responses={(200, "text/plain"): OpenApiResponse(OpenApiTypes.STR, description="The code")},
        summary="Code that sends the saved request: cURL, Python, JavaScript, HTTPie, wget, PowerShell, Go, raw HTTP",
    )
    def get(self, request: Request, pk: str) -> HttpResponse:
        environment = None
        environment_id = request.query_params.get("environment")
        if environment_id:
            if access.parse_id(environment_id) is None:
                raise ValidationFailed.for_field("environment", "must be a positive whole number")
            environment = access.get_environment_for_user(request.user, environment_id)
        text = interop_services.request_snippet(
            user=request.user,
            request_id=path_id(pk),
            lang=request.query_params.get("lang", "curl"),
            resolve_variables=flag(request, "resolve"),
            environment=environment,
            reveal_secrets=flag(request, "reveal"),
        )
        return HttpResponse(text.encode("utf-8"), content_type="text/plain; charset=utf-8")


class HistoryHarView(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH), _SECRETS],
        responses={(200, "application/json"): _FILE},
        summary="Download one of your history entries as HAR 1.2 (secrets stay masked)",
        operation_id="v1_history_har_entry",
    )
    def get(self, request: Request, pk: str) -> HttpResponse:
        filename, content_type, text = interop_services.history_har(
            user=request.user, history_ids=[path_id(pk)], include_secrets=flag(request, "secrets")
        )
        return download_response(filename, content_type, text)


class HistorySelectionHarView(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("ids", OpenApiTypes.STR, OpenApiParameter.QUERY, required=True,
                                     description="Your history entry ids, comma-separated (or the parameter "
                                                 f"repeated), at most {interop_services.MAX_HAR_ENTRIES}"), _SECRETS],
        responses={(200, "application/json"): _FILE},
        summary="Download some of your history entries as one HAR 1.2 file, oldest first (secrets stay masked)",
        operation_id="v1_history_har_selection",
    )
    def get(self, request: Request) -> HttpResponse:
        ids = [part.strip() for value in request.query_params.getlist("ids") for part in value.split(",") if part.strip()]
        return download_response(
            *interop_services.history_har(user=request.user, history_ids=ids, include_secrets=flag(request, "secrets"))
        )

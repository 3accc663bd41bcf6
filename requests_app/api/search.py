"""`GET /api/v1/search?workspace=<id>&q=<words>[&body=1][&limit=][&cursor=]`: requests_app/search.py."""

from __future__ import annotations

from dataclasses import asdict

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from requests_app import access, keyset
from requests_app.api.views import _flag, _query_id
from requests_app.search import workspace_search


class SearchView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("workspace", OpenApiTypes.INT, OpenApiParameter.QUERY, required=True),
            OpenApiParameter("q", OpenApiTypes.STR, OpenApiParameter.QUERY, required=True,
                             description="Words that must all appear (case-insensitive) in a name, method or URL"),
            OpenApiParameter("body", OpenApiTypes.BOOL, OpenApiParameter.QUERY,
                             description="1: also search request descriptions and bodies"),
            OpenApiParameter("limit", OpenApiTypes.INT, OpenApiParameter.QUERY),
            OpenApiParameter("cursor", OpenApiTypes.STR, OpenApiParameter.QUERY),
        ],
        responses=OpenApiTypes.OBJECT,
        summary="Search a workspace's collections, folders and requests",
        description="`collections` and `folders` (name matches, at most 20 each) come with the first page; "
                    "`results` are requests, newest first, in keyset pages: follow `next`.",
    )
    def get(self, request: Request) -> Response:
        workspace = access.get_workspace_for_user(request.user, _query_id(request, "workspace", required=True))
        found = workspace_search(
            user=request.user, workspace=workspace, q=request.query_params.get("q", ""),
            cursor=request.query_params.get("cursor", ""), limit=keyset.parse_limit(request.query_params.get("limit")),
            body=_flag(request, "body"),
        )
        next_url = replace_query_param(request.build_absolute_uri(), "cursor", found.next_cursor) \
            if found.next_cursor else None
        return Response({
            "q": found.q, "collections": found.collections, "folders": found.folders,
            "next": next_url, "previous": None, "results": [asdict(hit) for hit in found.requests],
        })

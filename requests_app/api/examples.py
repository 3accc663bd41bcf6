"""/api/v1/requests/{id}/examples, /api/v1/examples/{id}, /api/v1/collections/{id}/mock[/token].

Thin: check access, parse input, call one service (services/examples.py, services/mock.py), render.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from requests_app import access
from requests_app.api.serializers import IdField
from requests_app.api.views import _path_id as path_id
from requests_app.services import examples as example_services
from requests_app.services import mock as mock_services


class ExampleInput(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    status = serializers.IntegerField(required=False, min_value=100, max_value=599)
    headers = serializers.ListField(child=serializers.DictField(), required=False, help_text="[{key, value, enabled}]")
    body = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    delay_ms = serializers.IntegerField(required=False, min_value=0, max_value=example_services.MAX_DELAY_MS)
    request = serializers.DictField(required=False, help_text="What it answers: {method, url, params, headers, body}")


class ExampleCreateInput(ExampleInput):
    name = serializers.CharField(max_length=200)
    history = IdField(required=False, help_text="Save this history entry's response (then status, headers, body are ignored)")


class ExampleOutput(serializers.Serializer):
    id = serializers.IntegerField()
    request_id = serializers.IntegerField()
    name = serializers.CharField()
    position = serializers.IntegerField()
    status = serializers.IntegerField()
    headers = serializers.ListField(child=serializers.DictField())
    body = serializers.CharField(allow_blank=True)
    delay_ms = serializers.IntegerField()
    request = serializers.DictField()
    created_at = serializers.CharField()
    updated_at = serializers.CharField()


class MockInput(serializers.Serializer):
    enabled = serializers.BooleanField(required=False)
    slug = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=80,
                                 help_text="The address /mock/<slug>/; empty: the collection id only")


class MockOutput(serializers.Serializer):
    collection = serializers.IntegerField()
    enabled = serializers.BooleanField()
    slug = serializers.CharField(allow_blank=True)
    url = serializers.CharField()
    has_token = serializers.BooleanField()


class MockTokenOutput(serializers.Serializer):
    token = serializers.CharField(help_text=f"Send it in {mock_services.TOKEN_HEADER}; shown only now")


def _parse(serializer_class: type[serializers.Serializer], data: Any) -> dict[str, Any]:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class RequestExamplesView(APIView):
    @extend_schema(responses=ExampleOutput(many=True), summary="The request's saved examples, in order")
    def get(self, request: Request, pk: str) -> Response:
        saved = access.get_request_for_user(request.user, path_id(pk))
        rows = access.examples_for_user(request.user, saved_request=saved).order_by("position", "id")
        return Response([example_services.example_to_dict(e) for e in rows])

    @extend_schema(request=ExampleCreateInput, responses={201: ExampleOutput},
                   summary="Save an example: from fields, or a history entry's response")
    def post(self, request: Request, pk: str) -> Response:
        saved = access.get_request_for_user(request.user, path_id(pk), need="edit")
        data = _parse(ExampleCreateInput, request.data)
        history_id = data.pop("history", None)
        if history_id is not None:
            entry = access.get_history_for_user(request.user, history_id)
            example = example_services.example_create_from_history(
                user=request.user, saved_request=saved, entry=entry, name=data["name"]
            )
        else:
            example = example_services.example_create(user=request.user, saved_request=saved, **data)
        return Response(example_services.example_to_dict(example), status=status.HTTP_201_CREATED)


class ExampleView(APIView):
    @extend_schema(responses=ExampleOutput)
    def get(self, request: Request, pk: str) -> Response:
        return Response(example_services.example_to_dict(access.get_example_for_user(request.user, path_id(pk))))

    @extend_schema(request=ExampleInput, responses=ExampleOutput, summary="Change any of its fields")
    def patch(self, request: Request, pk: str) -> Response:
        example = access.get_example_for_user(request.user, path_id(pk), need="edit")
        data = _parse(ExampleInput, request.data)
        example = example_services.example_update(user=request.user, example=example, **data)
        return Response(example_services.example_to_dict(example))

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: str) -> Response:
        example = access.get_example_for_user(request.user, path_id(pk), need="edit")
        example_services.example_delete(user=request.user, example=example)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CollectionMockView(APIView):
    @extend_schema(responses=MockOutput, summary="The collection's mock server settings")
    def get(self, request: Request, pk: str) -> Response:
        collection = access.get_collection_for_user(request.user, path_id(pk))
        server = mock_services.mock_for(collection)
        return Response(mock_services.mock_to_dict(server, base_url=request.build_absolute_uri("/").rstrip("/")))

    @extend_schema(request=MockInput, responses=MockOutput, summary="Turn the mock on or off, set its address")
    def patch(self, request: Request, pk: str) -> Response:
        collection = access.get_collection_for_user(request.user, path_id(pk), need="edit")
        data = _parse(MockInput, request.data)
        server = mock_services.mock_update(
            user=request.user, collection=collection, enabled=data.get("enabled"), slug=data.get("slug", ...)
        )
        return Response(mock_services.mock_to_dict(server, base_url=request.build_absolute_uri("/").rstrip("/")))


class CollectionMockTokenView(APIView):
    @extend_schema(request=None, responses={201: MockTokenOutput},
                   summary="A new secret token for callers outside the workspace (replaces the old)")
    def post(self, request: Request, pk: str) -> Response:
        collection = access.get_collection_for_user(request.user, path_id(pk), need="edit")
        token = mock_services.mock_token_rotate(user=request.user, collection=collection)
        return Response({"token": token}, status=status.HTTP_201_CREATED)

    @extend_schema(responses={204: None}, summary="Forget the token: members only again")
    def delete(self, request: Request, pk: str) -> Response:
        collection = access.get_collection_for_user(request.user, path_id(pk), need="edit")
        mock_services.mock_token_clear(user=request.user, collection=collection)
        return Response(status=status.HTTP_204_NO_CONTENT)

"""REST API views: check access, parse input, call one service, render. No business logic here.

Every object lookup goes through `requests_app.access`; every change through a service.
"""

# One module past 500 lines: the thin DRF views of the tree's entities (workspaces, collections, folders, requests, environments, history); runs, interop, diffs and monitors have their own modules.
from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from requests_app import access, selectors
from requests_app.api import (
    schema,  # noqa: F401 - registers the Bearer auth scheme
    teams,
)
from requests_app.api import serializers as s
from requests_app.api.answers import exchange_answer
from requests_app.api.deletes import accepted
from requests_app.api.pagination import BoundedLimitOffsetPagination, keyset_response
from requests_app.api.throttles import LIMITS, ThrottledActions
from requests_app.models import Collection, DeleteJob, Environment, Folder, HistoryEntry, SavedRequest, Workspace
from requests_app.services import collections as collection_services
from requests_app.services import cookies as cookie_services
from requests_app.services import environments as environment_services
from requests_app.services import folders as folder_services
from requests_app.services import history as history_services
from requests_app.services import saved_requests as request_services
from requests_app.services import workspaces as workspace_services
from requests_app.services.errors import NotFound, ValidationFailed
from requests_app.services.execution import request_execute


def _query_id(request: Request, name: str, *, required: bool = False) -> int | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        if required:
            raise ValidationFailed.for_field(name, "This query parameter is required.", code="required")
        return None
    value = access.parse_id(raw)
    if value is None:
        raise ValidationFailed.for_field(name, "must be a positive whole number")
    return value


def _flag(request: Request, name: str) -> bool:
    return request.query_params.get(name, "").lower() in ("1", "true", "yes", "on")


def _filter_param(name: str, description: str, required: bool = False) -> OpenApiParameter:
    return OpenApiParameter(name, OpenApiTypes.INT, OpenApiParameter.QUERY, required=required,
                            description=description)


class ServiceViewSet(viewsets.GenericViewSet):
    # Inputs are parsed with explicit serializers per action; `output_serializer` renders.
    pagination_class = BoundedLimitOffsetPagination
    output_serializer: type[serializers.Serializer] = serializers.Serializer

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return self.output_serializer

    def parse(self, serializer_class: type[serializers.Serializer], *, partial: bool = False) -> dict[str, Any]:
        serializer = serializer_class(data=self.request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def render(self, obj: Any, *, http_status: int = status.HTTP_200_OK) -> Response:
        return Response(self.serialize(obj), status=http_status)

    def serialize(self, obj: Any) -> Any:
        """Also used by the error handler for the `current` object of a 409."""
        return self.output_serializer(obj, context=self.get_serializer_context()).data

    def serialize_many(self, items: list[Any]) -> Any:
        return self.output_serializer(items, many=True, context=self.get_serializer_context()).data

    def paginated(self, items: QuerySet[Any] | list[Any]) -> Response:
        page = self.paginate_queryset(items)
        assert page is not None
        return self.get_paginated_response(self.output_serializer(page, many=True,
                                                                  context=self.get_serializer_context()).data)


class VersionedViewSet(ServiceViewSet):
    """Get, update (with `version`), delete and duplicate, the same for the four versioned kinds.

    Subclasses name the access getter, the keyword their services take, and the services.
    """

    get_for_user: Any  # staticmethod(access.get_<kind>_for_user)
    service_keyword = ""
    update_input: type[serializers.Serializer] = serializers.Serializer
    update_service: Any
    delete_service: Any
    duplicate_service: Any

    def get_object_for(self, pk: str, need: access.Need = "read") -> Any:
        return self.get_for_user(self.request.user, pk, need=need)

    def retrieve(self, request: Request, pk: str) -> Response:
        return self.render(self.get_object_for(pk))

    def update(self, request: Request, pk: str) -> Response:
        obj = self.get_object_for(pk, "edit")
        data = self.parse(self.update_input)
        return self.render(self.update_service(user=request.user, **{self.service_keyword: obj}, **data))

    def partial_update(self, request: Request, pk: str) -> Response:
        return self.update(request, pk)

    def destroy(self, request: Request, pk: str) -> Response:
        job = self.delete_service(user=request.user, **{self.service_keyword: self.get_object_for(pk, "edit")})
        if isinstance(job, DeleteJob):  # a big collection or folder: 202, poll /api/v1/deletes/<id>
            return accepted(request, job)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=s.DuplicateInput, summary="A copy right after the original (collections and folders: deep)")
    @action(detail=True, methods=["post"])
    def duplicate(self, request: Request, pk: str) -> Response:
        obj = self.get_object_for(pk, "edit")
        data = self.parse(s.DuplicateInput)
        copy = self.duplicate_service(user=request.user, **{self.service_keyword: obj}, **data)
        return self.render(copy, http_status=status.HTTP_201_CREATED)


# ---------------------------------------------------------------- workspaces


@extend_schema_view(
    list=extend_schema(summary="Your workspaces, personal first"),
    create=extend_schema(request=s.WorkspaceInput, summary="Create a shared workspace you own"),
    retrieve=extend_schema(summary="A workspace"),
    partial_update=extend_schema(request=s.WorkspaceInput, summary="Rename (owners)"),
    update=extend_schema(request=s.WorkspaceInput, summary="Rename (owners)"),
    destroy=extend_schema(summary="Delete a shared workspace and everything in it (owners)"),
)
class WorkspaceViewSet(teams.WorkspaceTeamActions, ServiceViewSet):
    output_serializer = s.WorkspaceOutput
    queryset = Workspace.objects.none()

    def list(self, request: Request) -> Response:
        return self.paginated(access.workspaces_for_user(request.user))

    def create(self, request: Request) -> Response:
        data = self.parse(s.WorkspaceInput)
        workspace = workspace_services.workspace_create(user=request.user, name=data["name"])
        return self.render(workspace, http_status=status.HTTP_201_CREATED)

    def retrieve(self, request: Request, pk: str) -> Response:
        return self.render(access.get_workspace_for_user(request.user, pk))

    def update(self, request: Request, pk: str) -> Response:
        workspace = access.get_workspace_for_user(request.user, pk, need="own")
        data = self.parse(s.WorkspaceInput)
        return self.render(workspace_services.workspace_update(user=request.user, workspace=workspace,
                                                               name=data["name"]))

    def partial_update(self, request: Request, pk: str) -> Response:
        return self.update(request, pk)

    def destroy(self, request: Request, pk: str) -> Response:
        workspace = access.get_workspace_for_user(request.user, pk, need="own")
        workspace_services.workspace_delete(user=request.user, workspace=workspace)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses=s.MemberOutput(many=True), summary="Members and their roles")
    @action(detail=True, methods=["get"], url_path="members", url_name="members")
    def members(self, request: Request, pk: str) -> Response:
        workspace = access.get_workspace_for_user(request.user, pk)
        page = self.paginate_queryset(workspace_services.members_list(user=request.user, workspace=workspace))
        return self.get_paginated_response(s.MemberOutput(page, many=True).data)

    @extend_schema(request=s.MemberInput, responses={201: s.MemberOutput},
                   summary="Add an existing account by username or e-mail (owners)")
    @members.mapping.post
    def add_member(self, request: Request, pk: str) -> Response:
        workspace = access.get_workspace_for_user(request.user, pk, need="own")
        data = self.parse(s.MemberInput)
        member = workspace_services.member_add(user=request.user, workspace=workspace, username=data.get("username"),
                                               email=data.get("email"), role=data["role"])
        return Response(s.MemberOutput(member).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.MemberRoleInput, responses=s.MemberOutput, summary="Change a member's role (owners)",
                   parameters=[OpenApiParameter("user_id", OpenApiTypes.INT, OpenApiParameter.PATH)])
    @action(detail=True, methods=["patch"], url_path=r"members/(?P<user_id>[^/]+)", url_name="member")
    def member(self, request: Request, pk: str, user_id: str) -> Response:
        workspace = access.get_workspace_for_user(request.user, pk, need="own")
        data = self.parse(s.MemberRoleInput)
        member = workspace_services.member_set_role(user=request.user, workspace=workspace,
                                                    member_id=_path_id(user_id), role=data["role"])
        return Response(s.MemberOutput(member).data)

    @extend_schema(responses={204: None}, summary="Remove a member (owners) or leave (yourself)",
                   parameters=[OpenApiParameter("user_id", OpenApiTypes.INT, OpenApiParameter.PATH)])
    @member.mapping.delete
    def remove_member(self, request: Request, pk: str, user_id: str) -> Response:
        workspace = access.get_workspace_for_user(request.user, pk)
        workspace_services.member_remove(user=request.user, workspace=workspace, member_id=_path_id(user_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


def _move_target(request: Request, data: dict[str, Any], parent_key: str,
                 current_parent: Folder | None) -> tuple[Collection | None, Folder | None]:
    """(target collection or None, target folder or None = root) of a move request.

    No parent key: stay in the current folder, unless another collection is named (its root).
    """
    collection = (
        access.get_collection_for_user(request.user, data["collection"], need="edit") if "collection" in data else None
    )
    if parent_key in data:
        parent_id = data[parent_key]
        return collection, access.get_folder_for_user(request.user, parent_id, need="edit") if parent_id else None
    return collection, current_parent if collection is None else None


def _path_id(raw: str) -> int:
    value = access.parse_id(raw)
    if value is None:
        raise NotFound()
    return value


# ---------------------------------------------------------------- collections


@extend_schema_view(
    list=extend_schema(parameters=[_filter_param("workspace", "Only this workspace's collections")]),
    create=extend_schema(request=s.CollectionCreateInput, responses={201: s.CollectionOutput}),
    update=extend_schema(request=s.CollectionUpdateInput, summary="Update; send the version you edited (409 if stale)"),
    partial_update=extend_schema(request=s.CollectionUpdateInput,
                                 summary="Update; send the version you edited (409 if stale)"),
)
class CollectionViewSet(teams.CollectionTransferActions, VersionedViewSet):
    output_serializer = s.CollectionOutput
    queryset = Collection.objects.none()
    get_for_user = staticmethod(access.get_collection_for_user)
    service_keyword = "collection"
    update_input = s.CollectionUpdateInput
    update_service = staticmethod(collection_services.collection_update)
    delete_service = staticmethod(collection_services.collection_delete)
    duplicate_service = staticmethod(collection_services.collection_duplicate)

    def list(self, request: Request) -> Response:
        filters = {"workspace": _query_id(request, "workspace")}
        return self.paginated(selectors.collection_list(user=request.user, filters=filters))

    def create(self, request: Request) -> Response:
        data = self.parse(s.CollectionCreateInput)
        workspace = access.get_workspace_for_user(request.user, data.pop("workspace"), need="edit")
        collection = collection_services.collection_create(user=request.user, workspace=workspace, **data)
        return self.render(collection, http_status=status.HTTP_201_CREATED)

    @extend_schema(request=s.PositionInput, responses=s.CollectionOutput, summary="Reorder in the workspace")
    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: str) -> Response:
        collection = access.get_collection_for_user(request.user, pk, need="edit")
        data = self.parse(s.PositionInput)
        return self.render(collection_services.collection_move(user=request.user, collection=collection,
                                                               position=data["position"]))

    @extend_schema(responses=s.TreeOutput, summary="Folders and requests, nested")
    @action(detail=True, methods=["get"])
    def tree(self, request: Request, pk: str) -> Response:
        collection = access.get_collection_for_user(request.user, pk)
        return Response(collection_services.collection_tree(user=request.user, collection=collection))


# ---------------------------------------------------------------- folders


@extend_schema_view(
    list=extend_schema(parameters=[_filter_param("collection", "Only this collection's folders")]),
    create=extend_schema(request=s.FolderCreateInput, responses={201: s.FolderOutput}),
    update=extend_schema(request=s.FolderUpdateInput, summary="Update; send the version you edited (409 if stale)"),
    partial_update=extend_schema(request=s.FolderUpdateInput,
                                 summary="Update; send the version you edited (409 if stale)"),
)
class FolderViewSet(VersionedViewSet):
    output_serializer = s.FolderOutput
    queryset = Folder.objects.none()
    get_for_user = staticmethod(access.get_folder_for_user)
    service_keyword = "folder"
    update_input = s.FolderUpdateInput
    update_service = staticmethod(folder_services.folder_update)
    delete_service = staticmethod(folder_services.folder_delete)
    duplicate_service = staticmethod(folder_services.folder_duplicate)

    def list(self, request: Request) -> Response:
        filters = {"collection": _query_id(request, "collection")}
        return self.paginated(selectors.folder_list(user=request.user, filters=filters))

    def create(self, request: Request) -> Response:
        data = self.parse(s.FolderCreateInput)
        collection = access.get_collection_for_user(request.user, data.pop("collection"), need="edit")
        parent_id = data.pop("parent", None)
        parent = access.get_folder_for_user(request.user, parent_id, need="edit") if parent_id else None
        folder = folder_services.folder_create(user=request.user, collection=collection, parent=parent, **data)
        return self.render(folder, http_status=status.HTTP_201_CREATED)

    @extend_schema(request=s.FolderMoveInput, responses=s.FolderOutput,
                   summary="Move under another parent or collection, or reorder (position)")
    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: str) -> Response:
        folder = access.get_folder_for_user(request.user, pk, need="edit")
        data = self.parse(s.FolderMoveInput)
        collection, parent = _move_target(request, data, "parent", folder.parent)
        moved = folder_services.folder_move(user=request.user, folder=folder, parent=parent, collection=collection,
                                            position=data.get("position"))
        return self.render(moved)


# ---------------------------------------------------------------- saved requests


@extend_schema_view(
    list=extend_schema(parameters=[_filter_param("collection", "Only this collection's requests"),
                                   _filter_param("folder", "Only this folder's requests")]),
    create=extend_schema(request=s.RequestCreateInput, responses={201: s.SavedRequestOutput}),
    update=extend_schema(request=s.RequestUpdateInput, summary="Update; send the version you edited (409 if stale)"),
    partial_update=extend_schema(request=s.RequestUpdateInput,
                                 summary="Update; send the version you edited (409 if stale)"),
)
class SavedRequestViewSet(ThrottledActions, teams.RequestVersionActions, VersionedViewSet):
    throttled_actions = {"execute": "execute"}
    output_serializer = s.SavedRequestOutput
    queryset = SavedRequest.objects.none()
    get_for_user = staticmethod(access.get_request_for_user)
    service_keyword = "saved_request"
    update_input = s.RequestUpdateInput
    update_service = staticmethod(request_services.request_update)
    delete_service = staticmethod(request_services.request_delete)
    duplicate_service = staticmethod(request_services.request_duplicate)

    def list(self, request: Request) -> Response:
        filters = {"collection": _query_id(request, "collection"), "folder": _query_id(request, "folder")}
        return self.paginated(selectors.request_list(user=request.user, filters=filters))

    def create(self, request: Request) -> Response:
        data = self.parse(s.RequestCreateInput)
        collection = access.get_collection_for_user(request.user, data.pop("collection"), need="edit")
        folder_id = data.pop("folder", None)
        folder = access.get_folder_for_user(request.user, folder_id, need="edit") if folder_id else None
        saved = request_services.request_create(user=request.user, collection=collection, folder=folder, **data)
        return self.render(saved, http_status=status.HTTP_201_CREATED)

    @extend_schema(request=s.RequestMoveInput, responses=s.SavedRequestOutput,
                   summary="Move to another folder or collection, or reorder (position)")
    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: str) -> Response:
        saved = access.get_request_for_user(request.user, pk, need="edit")
        data = self.parse(s.RequestMoveInput)
        collection, folder = _move_target(request, data, "folder", saved.folder)
        moved = request_services.request_move(user=request.user, saved_request=saved, folder=folder,
                                              collection=collection, position=data.get("position"))
        return self.render(moved)

    @extend_schema(request=s.SavedExecuteInput, responses=s.ExchangeOutput,
                   summary="Send the saved request (viewers too); answers the history entry")
    @action(detail=True, methods=["post"])
    def execute(self, request: Request, pk: str) -> Response:
        saved = access.get_request_for_user(request.user, pk)
        data = self.parse(s.SavedExecuteInput)
        environment = (
            access.get_environment_for_user(request.user, data["environment"]) if data.get("environment") else None
        )
        workspace = access.get_workspace_for_user(request.user, saved.collection.workspace_id)
        entry = request_execute(user=request.user, workspace=workspace, saved_request=saved, environment=environment)
        return exchange_answer(request, entry)


# ---------------------------------------------------------------- environments


@extend_schema_view(
    list=extend_schema(parameters=[_filter_param("workspace", "Only this workspace's environments")]),
    create=extend_schema(request=s.EnvironmentCreateInput, responses={201: s.EnvironmentOutput}),
    retrieve=extend_schema(parameters=[OpenApiParameter(
        "reveal", OpenApiTypes.BOOL, OpenApiParameter.QUERY,
        description="1: show secret values in the clear (editors and owners only; masked otherwise)")]),
    update=extend_schema(request=s.EnvironmentUpdateInput,
                         summary="Update; send the version you edited (409 if stale). The mask keeps a secret."),
    partial_update=extend_schema(request=s.EnvironmentUpdateInput,
                                 summary="Update; send the version you edited (409 if stale). The mask keeps a secret."),
)
class EnvironmentViewSet(teams.EnvironmentVersionActions, VersionedViewSet):
    output_serializer = s.EnvironmentOutput
    queryset = Environment.objects.none()
    get_for_user = staticmethod(access.get_environment_for_user)
    service_keyword = "environment"
    update_input = s.EnvironmentUpdateInput
    update_service = staticmethod(environment_services.environment_update)
    delete_service = staticmethod(environment_services.environment_delete)
    duplicate_service = staticmethod(environment_services.environment_duplicate)

    def list(self, request: Request) -> Response:
        filters = {"workspace": _query_id(request, "workspace")}
        return self.paginated(selectors.environment_list(user=request.user, filters=filters))

    def create(self, request: Request) -> Response:
        data = self.parse(s.EnvironmentCreateInput)
        workspace = access.get_workspace_for_user(request.user, data.pop("workspace"), need="edit")
        environment = environment_services.environment_create(user=request.user, workspace=workspace, **data)
        return self.render(environment, http_status=status.HTTP_201_CREATED)

    def retrieve(self, request: Request, pk: str) -> Response:
        environment = access.get_environment_for_user(request.user, pk)
        reveal = _flag(request, "reveal") and environment_services.environment_reveal_allowed(
            user=request.user, environment=environment
        )
        return Response(s.EnvironmentOutput(environment, context={"reveal": reveal}).data)


# ---------------------------------------------------------------- history


@extend_schema_view(
    list=extend_schema(parameters=[_filter_param("workspace", "Only this workspace"),
                                   _filter_param("request", "Only executions of this saved request"),
                                   OpenApiParameter("q", OpenApiTypes.STR, OpenApiParameter.QUERY, description="Text in the URL, or the method"),
                                   OpenApiParameter("method", OpenApiTypes.STR, OpenApiParameter.QUERY, description="Only this method"),
                                   OpenApiParameter("status", OpenApiTypes.STR, OpenApiParameter.QUERY, description="2xx, 3xx, 4xx, 5xx, error (no response) or a code"),
                                   OpenApiParameter("host", OpenApiTypes.STR, OpenApiParameter.QUERY, description="Only URLs on this host")],
                       summary="Your history, newest first"),
    retrieve=extend_schema(responses=s.ExchangeOutput, summary="One entry with its exchange"),
    destroy=extend_schema(summary="Delete one of your entries"),
)
class HistoryViewSet(ServiceViewSet):
    output_serializer = s.HistoryListOutput
    queryset = HistoryEntry.objects.none()

    def list(self, request: Request) -> Response:
        filters: dict[str, Any] = {name: request.query_params.get(name, "") for name in history_services.HISTORY_FILTERS}
        filters.update(workspace=_query_id(request, "workspace"), request=_query_id(request, "request"))
        queryset = history_services.history_list(user=request.user, filters=filters)
        return keyset_response(request, queryset, order=history_services.HISTORY_ORDER, serialize=self.serialize_many)

    def retrieve(self, request: Request, pk: str) -> Response:
        return exchange_answer(request, access.get_history_for_user(request.user, pk))

    def destroy(self, request: Request, pk: str) -> Response:
        entry = access.get_history_for_user(request.user, pk)
        history_services.history_delete(user=request.user, entry=entry)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=s.WorkspaceRefInput, responses=s.ClearedOutput,
                   summary="Delete all your entries in a workspace")
    @action(detail=False, methods=["post"])
    def clear(self, request: Request) -> Response:
        data = self.parse(s.WorkspaceRefInput)
        workspace = access.get_workspace_for_user(request.user, data["workspace"])
        return Response({"deleted": history_services.history_clear(user=request.user, workspace=workspace)})


# ---------------------------------------------------------------- cookies


class CookieViewSet(ServiceViewSet):
    """Your cookie jar in a workspace (each member has their own)."""

    output_serializer = s.CookieOutput
    queryset = Folder.objects.none()

    @extend_schema(parameters=[_filter_param("workspace", "The workspace whose jar to list", required=True)],
                   summary="Your cookies in a workspace")
    def list(self, request: Request) -> Response:
        workspace = access.get_workspace_for_user(request.user, _query_id(request, "workspace", required=True))
        return self.paginated(cookie_services.cookie_list(user=request.user, workspace=workspace))

    @extend_schema(request=s.CookieDeleteInput, responses={204: None}, summary="Delete one cookie")
    @action(detail=False, methods=["post"], url_path="delete", url_name="delete")
    def delete_one(self, request: Request) -> Response:
        data = self.parse(s.CookieDeleteInput)
        workspace = access.get_workspace_for_user(request.user, data.pop("workspace"))
        cookie_services.cookie_delete(user=request.user, workspace=workspace, **data)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=s.CookieSetInput, responses={204: None}, summary="Add a cookie to your jar, or edit one")
    @action(detail=False, methods=["post"], url_path="set", url_name="set")
    def set_one(self, request: Request) -> Response:
        data = self.parse(s.CookieSetInput)
        workspace = access.get_workspace_for_user(request.user, data.pop("workspace"))
        replaces = data.pop("replaces")
        if replaces is not None:
            replaces = (replaces.get("domain", ""), replaces.get("path", ""), replaces.get("name", ""))
        cookie_services.cookie_set(user=request.user, workspace=workspace, replaces=replaces, **data)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=s.WorkspaceRefInput, responses={204: None}, summary="Empty your jar in a workspace")
    @action(detail=False, methods=["post"])
    def clear(self, request: Request) -> Response:
        data = self.parse(s.WorkspaceRefInput)
        workspace = access.get_workspace_for_user(request.user, data["workspace"])
        cookie_services.cookie_clear(user=request.user, workspace=workspace)
        return Response(status=status.HTTP_204_NO_CONTENT)


# ---------------------------------------------------------------- execute


class ExecuteView(APIView):
    throttle_scope = "execute"
    throttle_classes = LIMITS

    @extend_schema(request=s.ExecuteInput, responses=s.ExchangeOutput,
                   summary="Send an ad hoc request (any member); answers the history entry",
                   description="A network failure is still a 200 with `error` set; invalid input is a 400 "
                               "naming each bad field.")
    def post(self, request: Request) -> Response:
        serializer = s.ExecuteInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        workspace = access.get_workspace_for_user(request.user, data.pop("workspace"))
        environment_id = data.pop("environment", None)
        collection_id = data.pop("collection", None)
        request_id = data.pop("request", None)
        scripts = data.pop("scripts", None)
        environment = access.get_environment_for_user(request.user, environment_id) if environment_id else None
        collection = access.get_collection_for_user(request.user, collection_id) if collection_id else None
        saved = access.get_request_for_user(request.user, request_id) if request_id else None
        entry = request_execute(user=request.user, workspace=workspace, spec=data, saved_request=saved,
                                collection=collection, environment=environment, scripts=scripts)
        return exchange_answer(request, entry)


def current_object_data(view: Any, obj: Model) -> Any:
    """How the error handler renders the stored object of a 409."""
    if isinstance(view, ServiceViewSet):
        return view.serialize(obj)
    return None

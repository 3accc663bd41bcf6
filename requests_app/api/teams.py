"""API for teams: invitations, activity, change history (versions) and moves between workspaces.

Mixed into the resource viewsets of api/views.py, so the URLs sit under their resources:

    GET/POST   /api/v1/workspaces/{id}/invitations/        list (owners) / make a link (owners)
    DELETE     /api/v1/workspaces/{id}/invitations/{invitation_id}/   revoke
    GET        /api/v1/workspaces/{id}/activity/           the feed, newest first (members)
    GET        /api/v1/requests/{id}/versions/             change history (members)
    POST       /api/v1/requests/{id}/versions/{n}/restore/ a new version with v{n}'s content (editors)
    (the same two for /api/v1/environments/{id}/)
    POST       /api/v1/requests/{id}/copy/                 copy into a collection/folder you can edit
    POST       /api/v1/collections/{id}/transfer/          move or copy to another workspace
    POST       /api/v1/invitations/accept/                 join with a link's token (signed in)
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from requests_app import access, keyset
from requests_app.api.pagination import keyset_page_response, keyset_response
from requests_app.api.serializers import IdField
from requests_app.models import Activity, Invitation, Role
from requests_app.services import invitations as invitation_services
from requests_app.services.activity import ACTIVITY_ORDER, activity_list, describe
from requests_app.services.collections import collection_transfer
from requests_app.services.errors import NotFound
from requests_app.services.revisions import environment_version_restore, request_version_restore, revision_page
from requests_app.services.saved_requests import request_copy
from requests_app.web import invitation_link

# ---------------------------------------------------------------- shapes


class InvitationInput(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)
    email = serializers.CharField(required=False, allow_blank=True, max_length=254,
                                  help_text="Who the link is meant for (a note; any holder of the link can use it).")
    days = serializers.IntegerField(required=False, min_value=1, max_value=invitation_services.MAX_DAYS,
                                    help_text="Days until the link expires (default 7).")


class InvitationOutput(serializers.ModelSerializer):
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    accepted_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    state = serializers.SerializerMethodField()

    class Meta:
        model = Invitation
        fields = ["id", "workspace", "role", "email", "state", "created_by", "created_at", "expires_at",
                  "accepted_by", "accepted_at", "revoked_at"]

    def get_state(self, invitation: Invitation) -> str:
        return invitation_services.invitation_state(invitation)


class NewInvitationOutput(InvitationOutput):
    token = serializers.CharField(read_only=True, help_text="Shown once; only its hash is kept.")
    url = serializers.CharField(read_only=True, help_text="The link to send; opening it lets a person join.")

    class Meta(InvitationOutput.Meta):
        fields = [*InvitationOutput.Meta.fields, "token", "url"]


class AcceptInput(serializers.Serializer):
    token = serializers.CharField(max_length=200)


class ActivityOutput(serializers.ModelSerializer):
    user = serializers.CharField(source="actor_name")
    text = serializers.SerializerMethodField(help_text="The line as the page shows it, after the user's name.")

    class Meta:
        model = Activity
        fields = ["id", "user", "verb", "kind", "object_id", "object_name", "detail", "text", "created_at"]

    def get_text(self, entry: Activity) -> str:
        return describe(entry)


class FieldChangeOutput(serializers.Serializer):
    field = serializers.CharField()
    before = serializers.JSONField(help_text="Secret values read as '••••••'.")
    after = serializers.JSONField()
    rows = serializers.ListField(child=serializers.DictField(), required=False,
                                 help_text="List fields (params, headers, variables): added/removed/changed rows.")


class VersionOutput(serializers.Serializer):
    version = serializers.IntegerField()
    user = serializers.CharField()
    created_at = serializers.DateTimeField()
    restored_from = serializers.IntegerField(allow_null=True)
    is_current = serializers.BooleanField()
    changes = FieldChangeOutput(many=True)


class RestoreInput(serializers.Serializer):
    version = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1,
                                       help_text="The version you saw; 409 if someone saved since. Default: current.")


class TransferInput(serializers.Serializer):
    workspace = IdField(help_text="The workspace to move or copy to (you need the editor role there).")
    mode = serializers.ChoiceField(choices=[("move", "move"), ("copy", "copy")], default="move")
    name = serializers.CharField(required=False, max_length=200, help_text="Name of the copy (copy only).")


class RequestCopyInput(serializers.Serializer):
    collection = IdField(required=False, help_text="Target collection (its root unless a folder is given).")
    folder = IdField(required=False, allow_null=True, help_text="Target folder.")
    name = serializers.CharField(required=False, max_length=200)


NUMBER = OpenApiParameter("number", OpenApiTypes.INT, OpenApiParameter.PATH, description="The version to restore")


def _number(raw: str) -> int:
    value = access.parse_id(raw)
    if value is None:
        raise NotFound()
    return value


# ---------------------------------------------------------------- mixins


class WorkspaceTeamActions:
    """Invitations and the activity feed of a workspace."""

    @extend_schema(responses=InvitationOutput(many=True), summary="Invitation links (owners)")
    @action(detail=True, methods=["get"], url_path="invitations", url_name="invitations")
    def invitations(self, request: Request, pk: str) -> Response:
        workspace = access.get_workspace_for_user(request.user, pk, need="own")
        page = self.paginate_queryset(invitation_services.invitation_list(user=request.user, workspace=workspace))  # type: ignore[attr-defined]
        return self.get_paginated_response(InvitationOutput(page, many=True).data)  # type: ignore[attr-defined]

    @extend_schema(request=InvitationInput, responses={201: NewInvitationOutput},
                   summary="Make an invitation link (owners): single use, expiring, revocable")
    @invitations.mapping.post
    def invitation_create(self, request: Request, pk: str) -> Response:
        workspace = access.get_workspace_for_user(request.user, pk, need="own")
        data = self.parse(InvitationInput)  # type: ignore[attr-defined]
        invitation, token = invitation_services.invitation_create(user=request.user, workspace=workspace, **data)
        invitation.token, invitation.url = token, invitation_link(request, token)  # type: ignore[attr-defined]
        return Response(NewInvitationOutput(invitation).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=InvitationOutput, summary="Revoke an invitation link (owners)",
                   parameters=[OpenApiParameter("invitation_id", OpenApiTypes.INT, OpenApiParameter.PATH)])
    @action(detail=True, methods=["delete"], url_path=r"invitations/(?P<invitation_id>[^/]+)",
            url_name="invitation")
    def invitation(self, request: Request, pk: str, invitation_id: str) -> Response:
        workspace = access.get_workspace_for_user(request.user, pk, need="own")
        invitation = invitation_services.invitation_revoke(user=request.user, workspace=workspace,
                                                           invitation_id=invitation_id)
        return Response(InvitationOutput(invitation).data)

    @extend_schema(responses=ActivityOutput(many=True), summary="Who created, changed, moved, deleted, ran what")
    @action(detail=True, methods=["get"])
    def activity(self, request: Request, pk: str) -> Response:
        workspace = access.get_workspace_for_user(request.user, pk)
        return keyset_response(request, activity_list(user=request.user, workspace=workspace), order=ACTIVITY_ORDER,
                               serialize=lambda rows: ActivityOutput(rows, many=True).data)


class VersionActions:
    """Change history of the viewset's object: list the versions, restore one."""

    restore_service: Any

    @extend_schema(responses=VersionOutput(many=True), summary="Change history, newest first (field-level diffs)")
    @action(detail=True, methods=["get"])
    def versions(self, request: Request, pk: str) -> Response:
        obj = self.get_object_for(pk)  # type: ignore[attr-defined]
        found = revision_page(user=request.user, obj=obj, cursor=request.query_params.get("cursor", ""),
                              limit=keyset.parse_limit(request.query_params.get("limit")))
        return keyset_page_response(request, found, lambda views: VersionOutput(
            [version.as_dict() for version in views], many=True).data)

    @extend_schema(request=RestoreInput, parameters=[NUMBER],
                   summary="Restore version n: saved as a new version (409 if `version` is stale)")
    @action(detail=True, methods=["post"], url_path=r"versions/(?P<number>[^/]+)/restore", url_name="restore")
    def restore(self, request: Request, pk: str, number: str) -> Response:
        obj = self.get_object_for(pk, "edit")  # type: ignore[attr-defined]
        data = self.parse(RestoreInput)  # type: ignore[attr-defined]
        restored = self.restore_service(user=request.user, **{self.service_keyword: obj},  # type: ignore[attr-defined]
                                        number=_number(number), version=data.get("version"))
        return self.render(restored)  # type: ignore[attr-defined]


class RequestVersionActions(VersionActions):
    restore_service = staticmethod(request_version_restore)

    @extend_schema(request=RequestCopyInput, summary="Copy into a collection or folder of any workspace you can edit (editor of the source too)")
    @action(detail=True, methods=["post"], url_path="copy", url_name="copy")
    def copy_to(self, request: Request, pk: str) -> Response:
        saved = self.get_object_for(pk, "edit")  # type: ignore[attr-defined]
        data = self.parse(RequestCopyInput)  # type: ignore[attr-defined]
        folder_id = data.get("folder")
        folder = access.get_folder_for_user(request.user, folder_id, need="edit") if folder_id else None
        collection = (
            access.get_collection_for_user(request.user, data["collection"], need="edit")
            if data.get("collection") else None
        )
        copy = request_copy(user=request.user, saved_request=saved, collection=collection, folder=folder,
                            name=data.get("name"))
        return self.render(copy, http_status=status.HTTP_201_CREATED)  # type: ignore[attr-defined]


class EnvironmentVersionActions(VersionActions):
    restore_service = staticmethod(environment_version_restore)


class CollectionTransferActions:
    @extend_schema(request=TransferInput, summary="Move or copy to another workspace (editor in both)")
    @action(detail=True, methods=["post"])
    def transfer(self, request: Request, pk: str) -> Response:
        data = self.parse(TransferInput)  # type: ignore[attr-defined]
        copy = data["mode"] == "copy"
        collection = access.get_collection_for_user(request.user, pk, need="edit")
        workspace = access.get_workspace_for_user(request.user, data["workspace"], need="edit")
        result = collection_transfer(user=request.user, collection=collection, workspace=workspace, copy=copy,
                                     name=data.get("name"))
        return self.render(result, http_status=status.HTTP_201_CREATED if copy else status.HTTP_200_OK)  # type: ignore[attr-defined]


class InvitationAcceptView(APIView):
    @extend_schema(request=AcceptInput, responses={200: OpenApiTypes.OBJECT},
                   summary="Join a workspace with an invitation link's token (expired, used, revoked: 410)")
    def post(self, request: Request) -> Response:
        serializer = AcceptInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        workspace = invitation_services.invitation_accept(token=serializer.validated_data["token"], user=request.user)
        return Response({"workspace": workspace.pk, "name": workspace.name, "role": workspace.user_role})  # type: ignore[attr-defined]

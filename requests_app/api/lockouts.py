"""`GET /api/v1/lockouts` and `POST /api/v1/lockouts/unlock`: sign-in lockouts, for site staff
(services/lockouts.py; anyone else gets 404 as for the page)."""

from __future__ import annotations

from dataclasses import asdict

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from requests_app.services.lockouts import LOCKOUT_KINDS, lockout_clear, lockouts_list


class LockoutOutput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=LOCKOUT_KINDS, help_text="username, or the client address")
    value = serializers.CharField()
    failures = serializers.IntegerField(help_text="Failed sign-ins within the cool-off")
    last_failure = serializers.DateTimeField()
    locked_until = serializers.DateTimeField()


class LockoutUnlockInput(serializers.Serializer):
    kind = serializers.CharField(help_text="username or address")
    value = serializers.CharField(help_text="The username, or the IP address")


class LockoutUnlockOutput(serializers.Serializer):
    removed = serializers.IntegerField(help_text="Records of failed sign-ins forgotten for this username or address")


class LockoutListView(APIView):
    @extend_schema(responses=LockoutOutput(many=True), summary="Sign-in lockouts now in force (site staff)")
    def get(self, request: Request) -> Response:
        found = lockouts_list(user=request.user)
        return Response(LockoutOutput([asdict(lockout) for lockout in found], many=True).data)


class LockoutUnlockView(APIView):
    @extend_schema(request=LockoutUnlockInput, responses=LockoutUnlockOutput,
                   summary="Lift the lockout of a username or address (site staff)")
    def post(self, request: Request) -> Response:
        data = LockoutUnlockInput(data=request.data)
        data.is_valid(raise_exception=True)
        removed = lockout_clear(user=request.user, **data.validated_data)
        return Response({"removed": removed})

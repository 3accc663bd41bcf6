"""`GET /api/v1/deletes/<id>`: a background delete's progress (services/deletes.py). A DELETE of a
big collection or folder answers 202 with this resource (and its URL in `Location`)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from requests_app.models import DeleteJob
from requests_app.services.deletes import delete_status


def delete_job_data(request: Request, job: DeleteJob) -> dict[str, Any]:
    return {
        "id": job.pk, "kind": job.kind, "name": job.name, "state": job.state, "total": job.total,
        "done": job.done, "error": job.error or None, "workspace": job.workspace_id,
        "created_at": job.created_at, "finished_at": job.finished_at,
        "url": reverse("api:delete-detail", args=[job.pk], request=request),
    }


def accepted(request: Request, job: DeleteJob) -> Response:
    """202: the delete goes on in the background; poll the status resource."""
    data = delete_job_data(request, job)
    return Response(data, status=status.HTTP_202_ACCEPTED, headers={"Location": data["url"]})


class DeleteJobView(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT, summary="A background delete's progress",
                   description="`state`: queued, running, done or failed; `done` of `total` requests deleted.")
    def get(self, request: Request, pk: str) -> Response:
        return Response(delete_job_data(request, delete_status(user=request.user, job_id=pk)))

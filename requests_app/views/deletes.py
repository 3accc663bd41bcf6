"""A big delete's progress in the sidebar: started by the tree's Delete, polled until done
(services/deletes.py)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from requests_app.models import DeleteJob, Workspace
from requests_app.services.deletes import delete_status
from requests_app.views.common import with_events, workspace_for

PROGRESS = "requests_app/sidebar/delete_progress.html"


def delete_started(request: HttpRequest, workspace: Workspace, job: DeleteJob) -> HttpResponse:
    """The tree reloads without the item; a progress line joins the sidebar's background jobs."""
    if not request.htmx:
        return redirect("workspace", workspace_id=workspace.pk)
    response = render(request, PROGRESS, {"workspace": workspace, "job": job})
    response["HX-Retarget"] = "#background-jobs"
    response["HX-Reswap"] = "beforeend"
    return with_events(response, "tree-changed")


@require_GET
def delete_progress(request: HttpRequest, workspace_id: int, job_id: int) -> HttpResponse:
    """The progress line again (polled every second while the job goes on)."""
    workspace = workspace_for(request, workspace_id)
    job = delete_status(user=request.user, job_id=job_id)
    if job.workspace_id != workspace.pk:
        raise Http404
    return render(request, PROGRESS, {"workspace": workspace, "job": job})

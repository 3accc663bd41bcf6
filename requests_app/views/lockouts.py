"""The staff page of sign-in lockouts: who is refused now, and an Unlock button for each."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from requests_app import access
from requests_app.services.errors import ValidationFailed
from requests_app.services.lockouts import lockout_clear, lockouts_list

TEMPLATE = "requests_app/accounts/lockouts.html"


def _page(request: HttpRequest, *, notice: str = "", error: str = "", status: int = 200) -> HttpResponse:
    context = {"lockouts": lockouts_list(user=request.user), "notice": notice, "error": error,
               "failure_limit": settings.AXES_FAILURE_LIMIT,
               "cool_off_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)}
    return render(request, f"{TEMPLATE}#lockout-panel" if request.htmx else TEMPLATE, context, status=status)


@require_GET
def lockouts_page(request: HttpRequest) -> HttpResponse:
    access.ensure_site_staff(request.user)
    return _page(request)


@require_POST
def lockout_unlock(request: HttpRequest) -> HttpResponse:
    access.ensure_site_staff(request.user)
    kind, value = request.POST.get("kind", ""), request.POST.get("value", "")
    try:
        lockout_clear(user=request.user, kind=kind, value=value)
    except ValidationFailed as error:
        return _page(request, error=error.message, status=400)
    if not request.htmx:
        return redirect("lockouts")
    return _page(request, notice=f"The lockout of {value} is lifted.")

"""One error shape for the whole API: {"error": {"code", "message", "fields"}}.

Service errors map by class: ValidationFailed 400, Forbidden 403, NotFound 404,
VersionConflict 409 (with "current": the object as stored now, so the client can merge).
"""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler, set_rollback

from requests_app.services.errors import ServiceError, VersionConflict


def error_response(code: str, message: str, http_status: int, fields: dict[str, Any] | None = None) -> Response:
    return Response({"error": {"code": code, "message": message, "fields": fields or {}}}, status=http_status)


def _service_error_response(exc: ServiceError, context: dict[str, Any]) -> Response:
    set_rollback()
    response = error_response(exc.code, exc.message, exc.http_status, exc.fields)
    if isinstance(exc, VersionConflict):
        from requests_app.api.views import current_object_data

        response.data["error"]["current"] = current_object_data(context.get("view"), exc.current)
    return response


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ServiceError):
        return _service_error_response(exc, context)
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        fields = detail if isinstance(detail, dict) else {"non_field_errors": detail}
        return error_response("invalid", "Some fields are invalid.", status.HTTP_400_BAD_REQUEST, fields)
    code = getattr(exc, "default_code", "error")
    if isinstance(exc, exceptions.APIException):
        code = exc.get_codes() if isinstance(exc.get_codes(), str) else code
    message = response.data.get("detail", str(exc)) if isinstance(response.data, dict) else str(exc)
    response.data = {"error": {"code": code, "message": str(message), "fields": {}}}
    return response

"""Personal API tokens: `Authorization: Bearer wc_…`, stored as SHA-256 only."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from rest_framework import authentication, exceptions

from requests_app.models import ApiToken

LAST_USED_PRECISION = timedelta(minutes=1)


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Any) -> tuple[Any, ApiToken] | None:
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        scheme, _, token = header.partition(" ")
        if scheme != self.keyword:
            return None
        token = token.strip()
        if not token:
            raise exceptions.AuthenticationFailed("Empty bearer token.")
        try:
            api_token = ApiToken.objects.select_related("user").get(token_hash=ApiToken.hash(token))
        except ApiToken.DoesNotExist:
            raise exceptions.AuthenticationFailed("Invalid or revoked API token.") from None
        if not api_token.user.is_active:
            raise exceptions.AuthenticationFailed("This account is disabled.")
        now = timezone.now()
        # A write per request would cost more than the rest of a read: minute precision is plenty.
        if api_token.last_used_at is None or now - api_token.last_used_at > LAST_USED_PRECISION:
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        return api_token.user, api_token

    def authenticate_header(self, request: Any) -> str:
        # Makes DRF answer 401 (not 403) to anonymous callers.
        return self.keyword

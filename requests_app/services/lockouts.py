"""Sign-in lockouts (django-axes) that the server's staff see and lift (issue 13 item 5).

Usage::

    from requests_app.services.lockouts import lockouts_list, lockout_clear
    for lockout in lockouts_list(user=staff):     # SignInLockout(kind, value, failures, …)
        ...
    lockout_clear(user=staff, kind="username", value="alice")   # -> failed attempts forgotten

A lockout is per username and, separately, per client address (AXES_LOCKOUT_PARAMETERS): after
AXES_FAILURE_LIMIT failures within AXES_COOLOFF_TIME either one is refused until the cool-off
ends. Both belong to the whole server, not to a workspace, so only site staff (is_staff or
superuser) may see or lift them; a workspace owner could otherwise lift the lock someone
guessing another workspace's passwords ran into. Everyone else gets NotFound.
"""

from __future__ import annotations

import ipaddress
import logging
from dataclasses import dataclass
from datetime import datetime

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone

from requests_app import access
from requests_app.services.errors import ValidationFailed

logger = logging.getLogger(__name__)

USERNAME = "username"
ADDRESS = "address"
LOCKOUT_KINDS = (USERNAME, ADDRESS)
_FIELDS = {USERNAME: "username", ADDRESS: "ip_address"}
KIND_INVALID = "Kind must be username or address."
VALUE_MISSING = "Give the username or address to unlock."
ADDRESS_INVALID = "That is not an IP address."


@dataclass(frozen=True)
class SignInLockout:
    kind: str  # "username" or "address"
    value: str
    failures: int
    last_failure: datetime
    locked_until: datetime


def lockouts_list(*, user: AbstractBaseUser) -> list[SignInLockout]:
    """Usernames and addresses refused right now, the most recent failure first."""
    access.ensure_site_staff(user)
    cool_off = settings.AXES_COOLOFF_TIME
    recent = AccessAttempt.objects.filter(attempt_time__gt=timezone.now() - cool_off)
    found: list[SignInLockout] = []
    for kind, column in _FIELDS.items():
        rows = (recent.exclude(**{f"{column}__isnull": True}).values(column)
                .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
                .filter(failures__gte=settings.AXES_FAILURE_LIMIT))
        found += [SignInLockout(kind, str(row[column]), row["failures"], row["last"], row["last"] + cool_off)
                  for row in rows]
    return sorted(found, key=lambda lockout: lockout.last_failure, reverse=True)


def lockout_clear(*, user: AbstractBaseUser, kind: str, value: str) -> int:
    """Forget the failed sign-ins of one username or address; returns how many records changed."""
    access.ensure_site_staff(user)
    if kind not in LOCKOUT_KINDS:
        raise ValidationFailed.for_field("kind", KIND_INVALID)
    value = (value or "").strip()
    if not value:
        raise ValidationFailed.for_field("value", VALUE_MISSING)
    if kind == ADDRESS:
        try:
            value = str(ipaddress.ip_address(value))  # PostgreSQL's inet column refuses anything else
        except ValueError:
            raise ValidationFailed.for_field("value", ADDRESS_INVALID) from None
    column = _FIELDS[kind]
    other = _FIELDS[ADDRESS if kind == USERNAME else USERNAME]
    with transaction.atomic():
        attempts = AccessAttempt.objects.filter(**{column: value})
        # A record counts for its username and for its address at once: lifting one keeps the
        # other's failures (axes' own reset deletes the record, unlocking both).
        removed, _ = attempts.filter(**{f"{other}__isnull": True}).delete()
        cleared = attempts.update(**{column: None})
    logger.warning("sign-in lockout of %s %r lifted by %s (%d records)", kind, value, user.get_username(),
                   removed + cleared)
    return removed + cleared

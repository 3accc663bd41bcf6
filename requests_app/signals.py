"""Receivers that keep invariants whatever path made a row (connected in apps.py).

Every account owns a personal workspace: sign-up, `manage.py createsuperuser`, the admin and
`manage.py create_user` all save a user, and this is the one place all of them pass.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models.signals import post_save
from django.dispatch import receiver


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="webclient-personal-workspace")
def give_new_accounts_a_workspace(sender: Any, instance: Any, created: bool, raw: bool = False, **_: Any) -> None:
    if created and not raw:  # raw: loaddata restores rows as they were
        from requests_app.services.accounts import personal_workspace_ensure

        personal_workspace_ensure(user=instance)

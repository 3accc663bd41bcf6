"""python manage.py reencrypt_secrets: move stored secrets to the current SECRET_KEY.

After rotating SECRET_KEY with the old key in SECRET_KEY_FALLBACKS (docs/deploy.md).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from requests_app.services.secrets import secrets_reencrypt


class Command(BaseCommand):
    help = "Re-encrypt stored secrets read with a SECRET_KEY_FALLBACKS key under the current SECRET_KEY."

    def handle(self, *args: Any, **options: Any) -> None:
        moved, unreadable = secrets_reencrypt()
        self.stdout.write(f"{moved} secret(s) re-encrypted under the current SECRET_KEY.")
        if unreadable:
            raise CommandError(
                f"{unreadable} secret(s) could not be read with SECRET_KEY or SECRET_KEY_FALLBACKS; "
                "add the key they were stored with to SECRET_KEY_FALLBACKS and run this again."
            )

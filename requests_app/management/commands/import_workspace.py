"""python manage.py import_workspace FILE [--owner USERNAME] [--name NAME]  (passphrase on stdin)"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from requests_app.services.backup import workspace_import
from requests_app.services.errors import ServiceError


class Command(BaseCommand):
    help = ("Restore a file from export_workspace as a new workspace; secrets are re-encrypted under this "
            "install's SECRET_KEY. The passphrase is read from the first line of stdin.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--owner", help="Username who owns the restored workspace (besides members matched by e-mail).")
        parser.add_argument("--name", help="Name of the restored workspace (default: as exported).")

    def handle(self, *args: Any, **options: Any) -> None:
        owner = None
        if options["owner"]:
            owner = get_user_model().objects.filter(username=options["owner"]).first()
            if owner is None:
                raise CommandError(f"No user named {options['owner']!r}.")
        try:
            document = json.loads(Path(options["file"]).read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise CommandError(f"Cannot read {options['file']}: {error}") from None
        passphrase = sys.stdin.readline().rstrip("\r\n")
        try:
            result = workspace_import(document=document, passphrase=passphrase, owner=owner, name=options["name"])
        except ServiceError as error:
            raise CommandError(error.message) from None
        counts = ", ".join(f"{n} {kind}" for kind, n in result.counts.items())
        self.stdout.write(f"Restored workspace {result.workspace.name!r} (id {result.workspace.pk}): {counts}.")
        if result.counts.get("monitors"):
            self.stdout.write("Monitors are restored paused (the old install may still run them): "
                              "resume them on the workspace's Monitors page.")
        if result.missing_members:
            self.stderr.write("No account here for: " + ", ".join(result.missing_members)
                              + " (invite them to the workspace).")

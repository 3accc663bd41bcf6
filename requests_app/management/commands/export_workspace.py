"""python manage.py export_workspace ID --out FILE [--versions]  (passphrase on stdin)"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from requests_app.models import Workspace
from requests_app.services.backup import workspace_export
from requests_app.services.errors import ServiceError


class Command(BaseCommand):
    help = ("Write one workspace (collections, folders, requests, environments, members by e-mail) to a JSON "
            "file; secrets are encrypted with a passphrase read from the first line of stdin.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("workspace_id", type=int)
        parser.add_argument("--out", required=True, help="The file to write (created with mode 600).")
        parser.add_argument("--versions", action="store_true", help="Include the saved versions too.")

    def handle(self, *args: Any, **options: Any) -> None:
        workspace = Workspace.objects.filter(pk=options["workspace_id"]).first()
        if workspace is None:
            raise CommandError(f"No workspace with id {options['workspace_id']}.")
        passphrase = sys.stdin.readline().rstrip("\r\n")
        try:
            document = workspace_export(workspace=workspace, passphrase=passphrase,
                                        include_versions=options["versions"])
        except ServiceError as error:
            raise CommandError(error.message) from None
        out = Path(options["out"])
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(document, handle, ensure_ascii=False, indent=1)
        self.stdout.write(f"Wrote workspace {workspace.name!r} to {out}: {len(document['collections'])} collection(s), "
                          f"{len(document['requests'])} request(s), {len(document['environments'])} environment(s).")

"""python manage.py create_user NAME --email E [--password-stdin] [--staff]

The first owner of a team install (where sign-ups are off): an account with its personal
workspace, made by the same service as sign-up (password rules included).
"""

from __future__ import annotations

import getpass
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from requests_app.services.accounts import account_create
from requests_app.services.errors import ServiceError


class Command(BaseCommand):
    help = "Create an account and its personal workspace (like sign-up). The password is read from stdin or a prompt."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--email", required=True)
        parser.add_argument(
            "--password-stdin", action="store_true",
            help="Read the password from the first line of stdin (never give it as an argument: it would show in ps).",
        )
        parser.add_argument("--staff", action="store_true", help="May use the Django admin (/admin/) too.")

    def _password(self, from_stdin: bool) -> str:
        if from_stdin:
            return sys.stdin.readline().rstrip("\r\n")
        if not sys.stdin.isatty():
            raise CommandError("No terminal to ask for the password: pass --password-stdin and pipe it in.")
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords differ.")
        return first

    def handle(self, *args: Any, **options: Any) -> None:
        password = self._password(options["password_stdin"])
        try:
            user: Any = account_create(username=options["username"], password=password, email=options["email"])
        except ServiceError as error:
            raise CommandError(error.message) from None
        if options["staff"]:
            user.is_staff = user.is_superuser = True
            user.save(update_fields=["is_staff", "is_superuser"])
        workspace = user.personal_workspace
        self.stdout.write(f"Created {user.username} (id {user.pk}) with workspace {workspace.name!r} (id {workspace.pk}).")

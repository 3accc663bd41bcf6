"""python manage.py create_api_token <username> [--name NAME]: print a new API token once."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from requests_app.services.accounts import api_token_create
from requests_app.services.errors import ServiceError


class Command(BaseCommand):
    help = "Create a personal API token for a user and print it (it is stored hashed: copy it now)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="cli", help="A label to tell tokens apart (default: cli).")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user named {options['username']!r}.")
        try:
            _, text = api_token_create(user=user, name=options["name"])
        except ServiceError as error:
            raise CommandError(error.message) from None
        self.stdout.write(text)
        self.stderr.write("Use it as `Authorization: Bearer <token>`. It won't be shown again.")

"""Run a collection from the command line, for CI pipelines: `python manage.py run_collection --help`.

Options, exit codes (0 passed, 1 failed, 2 usage or input error), file runs and reports live in
requests_app/runner/cli.py; manage.py runs `--file` there without starting Django. This
command adds what needs the database: a stored collection's run, recorded like any other
(it shows on the Runner page), with its reports named run-<id>.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from requests_app.runner import cli as runner_cli
from requests_app.runner.cli import CliError


class Command(BaseCommand):
    help = runner_cli.HELP
    # A CI step wants its results, not the system checks (and not their start-up time).
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        runner_cli.add_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            runner_cli.execute(
                options, limits=self._limits, run_stored=self._run_stored, stdout=sys.stdout, stderr=self.stderr
            )
        except CliError as error:
            raise CommandError(error.message, returncode=error.returncode) from None

    @staticmethod
    def _limits() -> runner_cli.RunLimits:
        from requests_app.services.execution import outbound_policy

        return runner_cli.RunLimits(
            outbound_policy(), settings.WEBCLIENT_MAX_REQUEST_BODY_BYTES, settings.WEBCLIENT_MAX_RESPONSE_BYTES
        )

    # -------------------------------------------------------------- a stored collection

    def _run_stored(self, options: Mapping[str, Any], data: dict[str, Any] | None, cli: Any) -> tuple[Any, str]:
        from requests_app.models import Environment
        from requests_app.services import runs
        from requests_app.services.errors import ServiceError

        collection = self._collection(options["collection"], options["workspace"])
        environment = None
        if options["env"]:
            matches = list(Environment.objects.filter(workspace=collection.workspace, name=options["env"]))
            if len(matches) != 1:
                found = "no" if not matches else f"{len(matches)}"
                raise CliError(f"{found} environment named {options['env']!r} in workspace {collection.workspace.name!r}")
            environment = matches[0]
        try:
            run, plan = runs.run_create_planned(
                workspace=collection.workspace,
                created_by=None,
                collection=collection,
                environment=environment,
                iterations=options["iterations"],
                data=data,
                delay_ms=options["delay"],
                bail=options["bail"],
                concurrency=options["concurrency"],
            )
        except ServiceError as error:
            raise CliError(error.message) from None
        if cli is not None:
            cli.total = run.planned_requests
        finished = runs.run_execute(
            run.pk, worker=runs.worker_name("cli"), on_result=cli.on_result if cli else None, plan=plan
        )
        assert finished is not None
        if finished.error:
            self.stderr.write(finished.error)
        return runs.run_report_data(finished), f"run-{finished.pk}"

    @staticmethod
    def _collection(name_or_id: str, workspace: str | None) -> Any:
        from requests_app.models import Collection

        queryset = Collection.objects.select_related("workspace")
        if workspace:
            queryset = queryset.filter(workspace__pk=int(workspace)) if workspace.isdigit() else queryset.filter(
                workspace__name=workspace
            )
        if name_or_id.isdigit():
            found = queryset.filter(pk=int(name_or_id)).first()
            if found is not None:
                return found
        matches = list(queryset.filter(name=name_or_id)[:10])
        if not matches:
            raise CliError(f"no collection {name_or_id!r}" + (f" in workspace {workspace!r}" if workspace else ""))
        if len(matches) > 1:
            places = ", ".join(f"{c.pk} in {c.workspace.name!r}" for c in matches)
            raise CliError(f"{len(matches)} collections are named {name_or_id!r} ({places}): give the id or --workspace")
        return matches[0]

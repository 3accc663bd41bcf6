"""Run a collection from the command line, for CI pipelines.

    python manage.py run_collection <id or name> [--workspace NAME] [--env NAME] [--iterations N]
        [--data FILE] [--delay MS] [--bail] [--concurrency N] [--reporter cli,junit,json,html] [--out DIR]
    python manage.py run_collection --file api.postman_collection.json [--env env.postman_environment.json] ...

Exit code 0 when every assertion passed (and every request got a response), 1 when any
failed, 2 for a usage or input error (unknown collection, malformed data or file...).

A stored collection's run is recorded like any other (it shows on the Runner page); with
--file nothing is stored: the file (a Postman collection, or an .http/.rest file) is imported in memory,
its common one-line Postman tests become assertions, and --env names a Postman
environment file. Reports go to --out as run-<id>.xml/.json/.html (--file: the file's name).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

EXIT_PASSED, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
REPORTERS = ("cli", "junit", "json", "html")
MAX_FILE_BYTES = 20 * 1024 * 1024


def usage_error(message: str) -> CommandError:
    return CommandError(message, returncode=EXIT_USAGE)


class Command(BaseCommand):
    help = "Run a stored collection (id or name) or a Postman/.http file; exit 0 passed, 1 failed, 2 usage or input error."
    # A CI step wants its results, not the system checks (and not their start-up time).
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("collection", nargs="?", help="id or name of a stored collection")
        parser.add_argument("--workspace", help="workspace name or id, when the collection name is not unique")
        parser.add_argument("--env", help="environment name (with --file: a Postman environment file)")
        parser.add_argument("--iterations", type=int, help="default: one per data row, else 1")
        parser.add_argument("--data", help="CSV (header row) or JSON (array of objects) file: one row per iteration")
        parser.add_argument("--delay", type=int, default=0, help="milliseconds between requests")
        parser.add_argument("--bail", action="store_true", help="stop at the first failure")
        parser.add_argument("--concurrency", type=int, default=1, help="iterations at once (1-16)")
        parser.add_argument("--reporter", default="cli", help="comma-separated: cli, junit, json, html")
        parser.add_argument("--out", default=".", help="folder for the junit/json/html reports")
        parser.add_argument("--file", help="a Postman collection or .http file to run without storing it")

    def handle(self, *args: Any, **options: Any) -> None:
        reporters = [name.strip() for name in options["reporter"].split(",") if name.strip()]
        unknown = [name for name in reporters if name not in REPORTERS]
        if unknown:
            raise usage_error(f"unknown reporter {unknown[0]!r}; use {', '.join(REPORTERS)}")
        if bool(options["file"]) == bool(options["collection"]):
            raise usage_error("give a collection (id or name) or --file PATH, not both and not neither")
        out_dir = Path(options["out"])
        data = self._data(options["data"])
        # Imported lazily: --file runs never touch the database.
        from requests_app.runner.reporters import CliReporter

        cli = CliReporter(sys.stdout) if "cli" in reporters else None
        if options["file"]:
            report, file_stem = self._run_file(options, data, cli)
        else:
            report, file_stem = self._run_stored(options, data, cli)
        if cli is not None:
            cli.finish(report)
        self._write_reports(report, [r for r in reporters if r != "cli"], out_dir, file_stem)
        if report.state != "passed":
            raise CommandError(
                f"run {report.state}: {report.totals.assertions_failed} assertion(s) failed, "
                f"{report.totals.errors} request error(s)",
                returncode=EXIT_FAILED,
            )

    # -------------------------------------------------------------- inputs

    @staticmethod
    def _read(path_text: str, what: str) -> bytes:
        path = Path(path_text)
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                raise usage_error(f"{what} {path} is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB")
            return path.read_bytes()
        except OSError as exc:
            raise usage_error(f"cannot read {what} {path}: {exc.strerror or exc}") from None

    def _data(self, path_text: str | None) -> dict[str, Any] | None:
        if not path_text:
            return None
        from requests_app.runner.datafile import guess_format

        data_format = guess_format(path_text)
        if data_format is None:
            raise usage_error(f"--data {path_text}: name a .csv or .json file")
        return {"format": data_format, "content": self._read(path_text, "data file")}

    # -------------------------------------------------------------- a stored collection

    def _run_stored(self, options: dict[str, Any], data: dict[str, Any] | None, cli: Any) -> tuple[Any, str]:
        from requests_app.models import Collection, Environment
        from requests_app.services import runs
        from requests_app.services.errors import ServiceError

        collection = self._collection(options["collection"], options["workspace"])
        environment = None
        if options["env"]:
            matches = list(Environment.objects.filter(workspace=collection.workspace, name=options["env"]))
            if len(matches) != 1:
                found = "no" if not matches else f"{len(matches)}"
                raise usage_error(f"{found} environment named {options['env']!r} in workspace {collection.workspace.name!r}")
            environment = matches[0]
        try:
            run = runs.run_create(
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
            raise usage_error(error.message) from None
        if cli is not None:
            cli.total = run.planned_requests
        finished = runs.run_execute(run.pk, worker=runs.worker_name("cli"), on_result=cli.on_result if cli else None)
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
            raise usage_error(f"no collection {name_or_id!r}" + (f" in workspace {workspace!r}" if workspace else ""))
        if len(matches) > 1:
            places = ", ".join(f"{c.pk} in {c.workspace.name!r}" for c in matches)
            raise usage_error(f"{len(matches)} collections are named {name_or_id!r} ({places}): give the id or --workspace")
        return matches[0]

    # -------------------------------------------------------------- a file, nothing stored

    def _run_file(self, options: dict[str, Any], data: dict[str, Any] | None, cli: Any) -> tuple[Any, str]:
        # Only what a file run needs: a CI step pays for every import at start-up.
        from django.conf import settings

        from requests_app.interop.model import ImportFormatError
        from requests_app.runner.assertions import AssertionFormatError
        from requests_app.runner.datafile import DataFileError, parse_data_file
        from requests_app.runner.execute import send_plan
        from requests_app.runner.from_import import plan_from_import
        from requests_app.runner.loop import RunSettingsError
        from requests_app.runner.reporters import RunReport
        from requests_app.services.execution import outbound_policy

        path = Path(options["file"])
        content = self._read(options["file"], "file")
        try:
            if path.suffix.lower() in (".http", ".rest"):
                from requests_app.interop.httpfile import parse_http

                imported = parse_http(content, name=path.name)
            else:
                from requests_app.interop.postman import parse_postman

                imported = parse_postman(content)
        except ImportFormatError as error:
            raise usage_error(f"{path}: {error}") from None
        if len(imported.collections) != 1:
            raise usage_error(f"{path} holds {len(imported.collections)} collections; run_collection needs one")
        try:
            plan = plan_from_import(imported.collections[0])
        except AssertionFormatError as error:
            raise usage_error(f"{path}: {error}") from None
        for note in plan.notes:
            self.stderr.write(f"note: {note}")
        environment_vars: dict[str, str] = {}
        environment_name = ""
        if options["env"]:
            from requests_app.interop.postman import parse_postman_environment

            try:
                environments = parse_postman_environment(self._read(options["env"], "environment file"))
            except ImportFormatError as error:
                raise usage_error(f"{options['env']}: {error}") from None
            for environment in environments.environments[:1]:
                environment_name = environment.name
                environment_vars = {v.key: v.value for v in environment.variables if v.enabled and v.key}
        rows: list[dict[str, str]] = []
        if data is not None:
            try:
                rows = parse_data_file(data["content"], data["format"])
            except DataFileError as error:
                raise usage_error(f"--data: {error}") from None
        if cli is not None:
            cli.total = len(plan.items) * (options["iterations"] or len(rows) or 1)
        try:
            outcome = send_plan(
                plan.items,
                policy=outbound_policy(),
                max_request_body_bytes=settings.WEBCLIENT_MAX_REQUEST_BODY_BYTES,
                iterations=options["iterations"],
                data_rows=rows,
                collection_vars=plan.variables,
                environment_vars=environment_vars,
                delay_ms=options["delay"],
                bail=options["bail"],
                concurrency=options["concurrency"],
                on_result=cli.on_result if cli else None,
            )
        except RunSettingsError as error:
            raise usage_error(f"--{error.field.replace('_ms', '')}: {error.message}") from None
        report = RunReport(
            title=imported.collections[0].name or path.stem,
            state=outcome.state,
            totals=outcome.totals,
            results=outcome.results,
            environment=environment_name,
        )
        return report, re.sub(r"[^A-Za-z0-9._-]+", "-", path.stem).strip("-") or "run"

    # -------------------------------------------------------------- reports

    def _write_reports(self, report: Any, formats: list[str], out_dir: Path, stem: str) -> None:
        if not formats:
            return
        from requests_app.runner.reporters import REPORT_EXTENSIONS, render_report

        try:
            out_dir.mkdir(parents=True, exist_ok=True)
            for report_format in formats:
                target = out_dir / f"{stem}.{REPORT_EXTENSIONS[report_format]}"
                target.write_text(render_report(report, report_format), encoding="utf-8")
                self.stderr.write(f"{report_format} report: {target}")
        except OSError as exc:
            raise usage_error(f"cannot write reports to {out_dir}: {exc.strerror or exc}") from None

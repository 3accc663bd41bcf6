"""`run_collection`'s command line: its options, exit codes and reports, and file runs without Django.

    python manage.py run_collection <id or name> [--workspace NAME] [--env NAME] [--iterations N]
        [--data FILE] [--delay MS] [--bail] [--concurrency N] [--reporter cli,junit,json,html] [--out DIR]
    python manage.py run_collection --file api.postman_collection.json [--env env.postman_environment.json] ...

Exit code 0 when every assertion passed (and every request got a response), 1 when any
failed, 2 for a usage or input error (unknown collection, malformed data or file...).

A run of a file (a Postman collection or an .http/.rest file) stores nothing: the file is
imported in memory, its common one-line Postman tests become assertions, and --env names a
Postman environment file. Such a run needs neither Django nor the database, so manage.py
hands it to `main` here before Django starts: a CI step then pays ≈ 0.15 s of start-up
instead of ≈ 0.6 s (bench/runner.py). Stored collections go through the management command
(requests_app/management/commands/run_collection.py), which uses `add_arguments` and
`execute` from here with a `run_stored` of its own: one set of options, one flow.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from requests_app.engine.policy import OutboundPolicy
    from requests_app.runner.reporters import CliReporter, RunReport

EXIT_PASSED, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
REPORTERS = ("cli", "junit", "json", "html")
MAX_FILE_BYTES = 20 * 1024 * 1024
HELP = "Run a stored collection (id or name) or a Postman/.http file; exit 0 passed, 1 failed, 2 usage or input error."


class CliError(Exception):
    """Ends the command with `returncode` and `message` on stderr (2: usage or input, 1: the run failed)."""

    def __init__(self, message: str, returncode: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.message = message
        self.returncode = returncode


@dataclass(frozen=True)
class RunLimits:
    """What the run's requests obey: the server's outbound policy and size limits."""

    policy: OutboundPolicy
    max_request_body_bytes: int
    max_response_bytes: int
    script_timeout_ms: int = 1000
    script_max_memory_mb: int = 64


@dataclass
class Inputs:
    """What the options name, read and checked before anything is sent."""

    data: dict[str, Any] | None  # {"format": "csv" | "json", "content": bytes}
    reporters: list[str]
    out_dir: Path


# run_stored(options, data, cli) -> (report, report file stem); raises CliError.
StoredRunner = Callable[[Mapping[str, Any], "dict[str, Any] | None", "CliReporter | None"], "tuple[RunReport, str]"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
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


# ------------------------------------------------------------------ the flow both entry points share


def execute(
    options: Mapping[str, Any],
    *,
    limits: Callable[[], RunLimits],
    run_stored: StoredRunner | None,
    stdout: TextIO,
    stderr: TextIO,
) -> None:
    """Run what the options name, print and write the reports; raises CliError unless every check passed.

    `limits` is called only for a file run (the stored path reads them from settings itself).
    """
    inputs = _inputs(options)
    content = _read_run_file(options["file"]) if options["file"] else b""
    from requests_app.runner.reporters import CliReporter

    cli = CliReporter(stdout) if "cli" in inputs.reporters else None
    if options["file"]:
        report, file_stem = run_file(options, content, inputs.data, cli, limits=limits(), stderr=stderr)
    else:
        if run_stored is None:
            raise CliError("stored collections need the database: run this through manage.py")
        report, file_stem = run_stored(options, inputs.data, cli)
    if cli is not None:
        cli.finish(report)
    write_reports(report, [r for r in inputs.reporters if r != "cli"], inputs.out_dir, file_stem, stderr=stderr)
    if report.state != "passed":
        raise CliError(
            f"run {report.state}: {report.totals.assertions_failed} assertion(s) failed, "
            f"{report.totals.errors} request error(s)",
            returncode=EXIT_FAILED,
        )


def _inputs(options: Mapping[str, Any]) -> Inputs:
    reporters = [name.strip() for name in options["reporter"].split(",") if name.strip()]
    unknown = [name for name in reporters if name not in REPORTERS]
    if unknown:
        raise CliError(f"unknown reporter {unknown[0]!r}; use {', '.join(REPORTERS)}")
    if bool(options["file"]) == bool(options["collection"]):
        raise CliError("give a collection (id or name) or --file PATH, not both and not neither")
    return Inputs(data=_data(options["data"]), reporters=reporters, out_dir=Path(options["out"]))


def read_input(path_text: str, what: str) -> bytes:
    path = Path(path_text)
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise CliError(f"{what} {path} is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB")
        return path.read_bytes()
    except OSError as exc:
        raise CliError(f"cannot read {what} {path}: {exc.strerror or exc}") from None


def _data(path_text: str | None) -> dict[str, Any] | None:
    if not path_text:
        return None
    from requests_app.runner.datafile import guess_format

    data_format = guess_format(path_text)
    if data_format is None:
        raise CliError(f"--data {path_text}: name a .csv or .json file")
    return {"format": data_format, "content": read_input(path_text, "data file")}


# ------------------------------------------------------------------ a file, nothing stored


def _read_run_file(path_text: str) -> bytes:
    """The file's bytes; a Postman collection with scripts starts V8 on a thread at once, so that it
    starts while the runner, the engine and the reporters are imported and the file is read."""
    content = read_input(path_text, "file")
    if Path(path_text).suffix.lower() not in (".http", ".rest") and b'"listen"' in content and b'"exec"' in content:
        from requests_app.scripting.warm import warm_up

        warm_up()
    return content


def run_file(
    options: Mapping[str, Any],
    content: bytes,
    data: dict[str, Any] | None,
    cli: CliReporter | None,
    *,
    limits: RunLimits,
    stderr: TextIO,
) -> tuple[RunReport, str]:
    path = Path(options["file"])
    # Only what a file run needs: a CI step pays for every import at start-up.
    from requests_app.interop.model import ImportFormatError
    from requests_app.runner.assertions import AssertionFormatError
    from requests_app.runner.datafile import DataFileError, parse_data_file
    from requests_app.runner.execute import send_plan
    from requests_app.runner.from_import import plan_from_import
    from requests_app.runner.loop import RunSettingsError
    from requests_app.runner.reporters import RunReport

    try:
        if path.suffix.lower() in (".http", ".rest"):
            from requests_app.interop.httpfile import parse_http

            imported = parse_http(content, name=path.name)
        else:
            from requests_app.interop.postman import parse_postman

            imported = parse_postman(content)
    except ImportFormatError as error:
        raise CliError(f"{path}: {error}") from None
    if len(imported.collections) != 1:
        raise CliError(f"{path} holds {len(imported.collections)} collections; run_collection needs one")
    try:
        plan = plan_from_import(imported.collections[0], max_response_bytes=limits.max_response_bytes)
    except AssertionFormatError as error:
        raise CliError(f"{path}: {error}") from None
    if not plan.items:  # a CI step that checks nothing must not pass (stored runs refuse it too)
        raise CliError(f"{path} holds no requests to run")
    environment_vars: dict[str, str] = {}
    environment_name = ""
    if options["env"]:
        from requests_app.interop.postman import parse_postman_environment

        try:
            environments = parse_postman_environment(read_input(options["env"], "environment file"))
        except ImportFormatError as error:
            raise CliError(f"{options['env']}: {error}") from None
        for environment in environments.environments[:1]:
            environment_name = environment.name
            environment_vars = {v.key: v.value for v in environment.variables if v.enabled and v.key}
    rows: list[dict[str, str]] = []
    if data is not None:
        try:
            rows = parse_data_file(data["content"], data["format"])
        except DataFileError as error:
            raise CliError(f"--data: {error}") from None
    if cli is not None:
        cli.total = len(plan.items) * (options["iterations"] or len(rows) or 1)
    try:
        outcome = send_plan(
            plan.items,
            policy=limits.policy,
            max_request_body_bytes=limits.max_request_body_bytes,
            iterations=options["iterations"],
            data_rows=rows,
            collection_vars=plan.variables,
            environment_vars=environment_vars,
            delay_ms=options["delay"],
            bail=options["bail"],
            concurrency=options["concurrency"],
            on_result=cli.on_result if cli else None,
            script_limits=script_limits(limits),
        )
    except RunSettingsError as error:
        raise CliError(f"--{error.field.replace('_ms', '')}: {error.message}") from None
    report = RunReport(
        title=imported.collections[0].name or path.stem,
        state=outcome.state,
        totals=outcome.totals,
        results=outcome.results,
        environment=environment_name,
    )
    return report, re.sub(r"[^A-Za-z0-9._-]+", "-", path.stem).strip("-") or "run"


def script_limits(limits: RunLimits) -> Any:
    """The limits of the run's pre-request and test scripts (importing them does not load the engine)."""
    from requests_app.scripting.sources import ScriptLimits

    return ScriptLimits(timeout_ms=limits.script_timeout_ms, max_memory_mb=limits.script_max_memory_mb)


# ------------------------------------------------------------------ reports


def write_reports(report: RunReport, formats: Sequence[str], out_dir: Path, stem: str, *, stderr: TextIO) -> None:
    """Write each report as `<stem>-<UTC time>.<ext>` in out_dir, never over an existing file.

    The time in the name (as newman's `newman-run-report-<time>.json`) keeps runs apart; the
    file is created exclusively, so neither the collection or data file a run read (a
    collection "race" in DIR/race.json) nor an earlier report can be overwritten: a name
    taken already gets a counter.
    """
    if not formats:
        return
    from datetime import datetime

    from requests_app.runner.reporters import REPORT_EXTENSIONS, render_report

    now = datetime.now(UTC)
    stamp = now.strftime("%Y-%m-%d-%H%M%S-") + f"{now.microsecond // 1000:03d}"
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        for report_format in formats:
            text = render_report(report, report_format)
            target = _create_new_file(out_dir, f"{stem}-{stamp}", REPORT_EXTENSIONS[report_format], text)
            stderr.write(f"{report_format} report: {target}\n")
    except OSError as exc:
        raise CliError(f"cannot write reports to {out_dir}: {exc.strerror or exc}") from None


def _create_new_file(folder: Path, name: str, extension: str, text: str) -> Path:
    for counter in range(1000):
        target = folder / (f"{name}.{extension}" if counter == 0 else f"{name}-{counter}.{extension}")
        try:
            with target.open("x", encoding="utf-8") as out:  # "x": fails rather than overwrite
                out.write(text)
        except FileExistsError:
            continue
        return target
    raise CliError(f"cannot write reports to {folder}: every name for {name}.{extension} is taken")


# ------------------------------------------------------------------ manage.py's entry for file runs


def limits_from_environment() -> RunLimits:
    """The limits the server would apply, read from the same environment variables as settings.py."""
    from requests_app.engine.policy import OutboundPolicy
    from webclient.env import engine_settings

    try:
        config = engine_settings()
    except (ValueError, RuntimeError) as error:  # WEBCLIENT_MODE, or a limit that is not a number
        raise CliError(f"settings from the environment: {error}") from None
    try:
        policy = OutboundPolicy.from_config(config.outbound, config.outbound_allow, config.outbound_deny)
    except ValueError as error:
        raise CliError(f"WEBCLIENT_OUTBOUND settings: {error}") from None
    return RunLimits(
        policy, config.max_request_body_bytes, config.max_response_bytes, config.script_timeout_ms, config.script_max_memory_mb
    )


def file_run_options(argv: Sequence[str]) -> dict[str, Any] | None:
    """The options of `run_collection --file …` when these arguments are one; None sends them to Django.

    Anything this parser does not know (Django's --settings, --traceback, -v…) or no --file at
    all goes to the management command, which knows every option and every stored collection.
    """
    if not any(arg == "--file" or arg.startswith("--file=") for arg in argv):
        return None
    parser = argparse.ArgumentParser(prog="manage.py run_collection", description=HELP, allow_abbrev=False)
    add_arguments(parser)
    options, unknown = parser.parse_known_args(argv)  # exits 2 with usage for a malformed option
    if unknown or not options.file:
        return None
    return vars(options)


def main(argv: Sequence[str], *, stdout: TextIO = sys.stdout, stderr: TextIO = sys.stderr) -> int | None:
    """Run `run_collection --file …` without Django; None when the arguments are for the management command."""
    options = file_run_options(argv)
    if options is None:
        return None
    try:
        execute(options, limits=limits_from_environment, run_stored=None, stdout=stdout, stderr=stderr)
    except CliError as error:
        stdout.flush()
        stderr.write(f"{error.message}\n")
        return error.returncode
    except KeyboardInterrupt:
        stderr.write("interrupted\n")
        return 130
    return EXIT_PASSED

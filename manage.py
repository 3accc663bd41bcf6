#!/usr/bin/env python
import os
import sys


def main() -> None:
    if sys.argv[1:2] == ["run_collection"]:
        # A file run needs neither Django nor the database: skipping their start-up (≈ 0.5 s)
        # is most of a CI step's time for a few hundred requests (requests_app/runner/cli.py).
        from requests_app.runner.cli import main as run_file

        returncode = run_file(sys.argv[2:])
        if returncode is not None:
            sys.exit(returncode)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "webclient.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()

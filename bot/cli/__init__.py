"""The `depeche` command: parse arguments, call the stages, print. Nothing else lives here."""

from __future__ import annotations

import sys

import click

from bot.cli.common import cli, report_fault
from bot.cli.health import feeds, status
from bot.cli.run import daemon, db, init, rewrite, run
from bot.cli.sources import stories_merge, stories_split  # noqa: F401  (adds them to `stories`)
from bot.cli.stories import stories
from bot.cli.tools import seo, wp
from bot.faults import OperatorFault

for command in (init, run, daemon, rewrite, status, stories, feeds, db, wp, seo):
    cli.add_command(command)


def main() -> None:
    try:
        cli.main(prog_name="depeche", standalone_mode=False)
    except click.exceptions.Abort:
        sys.exit(130)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except OperatorFault as fault:
        sys.exit(report_fault(fault))
    except SystemExit:
        raise

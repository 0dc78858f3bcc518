"""What every command shares: the config, logging, one-line errors with their exit codes,
and the app on an existing database for the commands that only look."""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from bot import log
from bot.config import Config, defaults, load
from bot.errors import ConfigError
from bot.faults import OperatorFault

if TYPE_CHECKING:
    from bot.app import App


def report_fault(fault: OperatorFault) -> int:
    """One line, no traceback (unless --log-level debug): the operator's fault, named.
    A JSON log gets it as a JSON line, like every other line it holds."""
    logger = logging.getLogger("bot.cli")
    logger.debug("traceback of the fault below", exc_info=fault)
    if any(
        isinstance(handler.formatter, log.JsonFormatter) for handler in logging.getLogger().handlers
    ):
        logger.error("%s", fault)
    else:
        click.echo(f"depeche: {fault}", err=True)
    return fault.exit_code


class UserError(click.ClickException):
    """One line on stderr, exit code 2, no traceback."""

    exit_code = 2

    def show(self, file: Any = None) -> None:
        click.echo(f"depeche: {self.message}", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_path",
    envvar="DEPECHE_CONFIG",
    default="bot.toml",
    show_default=True,
    help="Path of bot.toml (or DEPECHE_CONFIG).",
)
@click.option(
    "--log-level",
    default="INFO",
    show_default=True,
    type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"], case_sensitive=False),
)
@click.option(
    "--log-format", default="human", show_default=True, type=click.Choice(["human", "json"])
)
@click.version_option(package_name="depeche")
@click.pass_context
def cli(ctx: click.Context, config_path: str, log_level: str, log_format: str) -> None:
    """Dépêche: feeds in, French SEO drafts out, to WordPress."""
    ctx.obj = {"config_path": config_path, "log_level": log_level, "log_format": log_format}
    log.setup(level=log_level, fmt=log_format)


def load_config(ctx: click.Context, *, optional: bool = False) -> Config:
    """The config named by --config or DEPECHE_CONFIG, else ./bot.toml. With `optional`,
    a command that stores nothing runs on the defaults when there is no ./bot.toml."""
    root = ctx.find_root()
    implicit = root.get_parameter_source("config_path") == click.core.ParameterSource.DEFAULT
    try:
        if optional and implicit and not Path(ctx.obj["config_path"]).exists():
            config = defaults()
        else:
            config = load(ctx.obj["config_path"])
    except ConfigError as error:
        raise UserError(str(error)) from None
    # Now that the secrets are known, the log masks them.
    log.setup(level=ctx.obj["log_level"], fmt=ctx.obj["log_format"], secrets=config.secrets)
    return config


def with_config(
    command: Callable[..., Any] | None = None, *, optional: bool = False
) -> Callable[..., Any]:
    """Pass the loaded Config as the first argument (the defaults without a bot.toml
    when `optional`)."""

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        @click.pass_context
        @functools.wraps(command)
        def wrapper(ctx: click.Context, *args: Any, **kwargs: Any) -> Any:
            return command(load_config(ctx, optional=optional), *args, **kwargs)

        return wrapper

    return decorate(command) if command else decorate


def open_existing(config: Config) -> App:
    """The app on a database a run has made; looking creates nothing: without one,
    say so and exit 0 (there is simply nothing to show yet)."""
    from sqlalchemy.engine import make_url

    from bot.app import open_app
    from bot.store.db import database_exists

    if not database_exists(config.database_url):
        where = make_url(config.database_url).render_as_string(hide_password=True)
        click.echo(f"No database yet ({where}): `depeche run --once` creates it.", err=True)
        sys.exit(0)
    return open_app(config)

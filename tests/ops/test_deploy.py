"""The deployment files say what the bot actually accepts (issue 5 §10)."""

from __future__ import annotations

import configparser
import shlex

from click.testing import CliRunner

from bot.cli import cli
from bot.scheduler import STOP_GRACE_SECONDS
from tests.conftest import ROOT

DEPLOY = ROOT / "deploy"


def accepted(command: list[str]) -> bool:
    """The bot's own argument parser takes this command line (--help: nothing runs)."""
    (program, *args) = command
    assert program.endswith("/depeche")
    return CliRunner().invoke(cli, [*args, "--help"]).exit_code == 0


def test_the_systemd_unit_runs_the_daemon_and_gives_it_time_to_stop():
    unit = configparser.ConfigParser(interpolation=None, strict=True)
    unit.optionxform = str  # type: ignore[assignment, method-assign]  (keys are case-sensitive)
    unit.read(DEPLOY / "depeche.service", encoding="utf-8")
    service = unit["Service"]
    command = shlex.split(service["ExecStart"])
    assert command[-1] == "daemon" and accepted(command)
    assert service["KillSignal"] == "SIGTERM" and service["Restart"] == "on-failure"
    assert int(service["TimeoutStopSec"]) > STOP_GRACE_SECONDS + 5
    assert service["User"] != "root" and service["EnvironmentFile"]
    # No restart loop on what a restart cannot mend: config, corrupted database, outbox.
    assert service["RestartPreventExitStatus"].split() == ["2", "7", "8"]
    assert unit["Install"]["WantedBy"] == "multi-user.target"


def test_the_cron_line_runs_one_cycle_every_five_minutes():
    lines = [
        line
        for line in (DEPLOY / "depeche.cron").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    (line,) = lines
    minute, hour, day, month, weekday, user, command = line.split(maxsplit=6)
    assert (minute, hour, day, month, weekday, user) == ("*/5", "*", "*", "*", "*", "depeche")
    bot = shlex.split(command.split("&&")[1].split(">>")[0])
    assert bot[-2:] == ["run", "--once"] and accepted(bot)


def test_the_procfile_runs_the_daemon():
    assert (ROOT / "Procfile").read_text(encoding="utf-8").strip() == "worker: depeche daemon"

"""The bot as a real process, for the suites that kill it, feed it garbage or grep it.

``BotProcess`` runs ``python -m bot --config <bot.toml> ...`` exactly as cron or
systemd would, with a chosen environment, and reads back what the operator
reads: ``status --json`` and ``stories show --json``. ``wire_stories`` builds
distinct French stories that the scripted model's one good draft passes the
quality gate for (each keeps the Grenoble source's facts, plus a paragraph of
its own so that dedup by text never merges them).
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import chdir, closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from bot.cli.common import cli
from tests.conftest import ROOT
from tests.servers.llm import Step, answer

DATA = ROOT / "tests" / "quality" / "data"
SOURCE = json.loads((DATA / "source_grenoble.json").read_text(encoding="utf-8"))
GOOD_DRAFT = (DATA / "draft_grenoble.json").read_text(encoding="utf-8")

# One distinct closing paragraph per story: written for these tests.
CLOSINGS = (
    "Une réunion publique sur le calendrier des travaux est prévue à la maison des habitants.",
    "Les parents d'élèves pourront poser leurs questions lors des conseils d'école du printemps.",
    "La mairie publiera la liste des écoles concernées sur son site dans les prochaines semaines.",
    "Les entreprises retenues seront connues après l'appel d'offres lancé dans la foulée du vote.",
    "Un comité de suivi associant enseignants et agents municipaux se réunira chaque trimestre.",
    "Les élus d'opposition demandent qu'un premier bilan soit présenté avant la fin de l'année.",
    "Les associations de quartier saluent un effort attendu depuis longtemps par les familles.",
    "Les agents d'entretien seront consultés sur l'organisation des chantiers pendant les congés.",
    "Les cantines resteront ouvertes pendant les travaux, assure l'adjoint chargé de l'éducation.",
    "Le détail des dépenses prévues pour chaque groupe scolaire sera présenté aux habitants.",
)


@dataclass(frozen=True)
class WireStory:
    guid: str
    title: str
    link: str
    html: str


def wire_stories(count: int, prefix: str = "grenoble", first: int = 0) -> list[WireStory]:
    """`count` stories telling the Grenoble news, each its own: story n ends with
    CLOSINGS[n], so stories from two calls differ when their `first` do."""
    paragraphs = "".join(f"<p>{p}</p>" for p in SOURCE["text"].split("\n\n"))
    return [
        WireStory(
            guid=f"{prefix}-{n}",
            title=f"{SOURCE['title']} (point {n})",
            link=f"https://wire.example/{prefix}/{n}",
            html=paragraphs + f"<p>{CLOSINGS[n]}</p>",
        )
        for n in range(first, first + count)
    ]


def rss(stories: list[WireStory], *, extra_items: str = "") -> str:
    """An RSS 2.0 feed of these stories, then `extra_items` (raw <item> markup)."""
    items = "".join(
        f"<item><guid>{s.guid}</guid><title>{s.title}</title><link>{s.link}</link>"
        f"<description><![CDATA[{s.html}]]></description></item>"
        for s in stories
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Fil test</title>{items}{extra_items}</channel></rss>"
    )


def good_answer(_request: dict[str, Any] | None = None) -> Step:
    """The scripted model's reply that passes the gate for every wire story."""
    return answer(GOOD_DRAFT)


@dataclass
class BotProcess:
    """`depeche` as a subprocess on one bot.toml."""

    config: Path
    env: dict[str, str] = field(default_factory=dict)

    def arguments(self, *args: str, log_format: str = "human") -> list[str]:
        return ["--config", str(self.config), "--log-format", log_format, *args]

    def command(self, *args: str, log_format: str = "human") -> list[str]:
        return [sys.executable, "-m", "bot", *self.arguments(*args, log_format=log_format)]

    def environment(self, failpoint: str | None = None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "DEPECHE_"))}
        env.update(self.env)
        env["COLUMNS"] = "200"  # rich tables: no wrapped cells to parse around
        if failpoint:
            env["DEPECHE_FAILPOINT"] = failpoint
        return env

    def run(
        self,
        *args: str,
        failpoint: str | None = None,
        log_format: str = "human",
        timeout: float = 90,
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.command(*args, log_format=log_format),
            env=self.environment(failpoint),
            cwd=self.config.parent,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def run_once(self, **kwargs: Any) -> subprocess.CompletedProcess[str]:
        return self.run("run", "--once", **kwargs)

    def run_here(self, *args: str, log_format: str = "human") -> subprocess.CompletedProcess[str]:
        """The same command in this process, for the suites where no process boundary is
        the point (nothing is killed or signalled): no Python start-up, and the language
        models this process has loaded already, seconds of CPU a run."""
        with chdir(self.config.parent):
            result = CliRunner().invoke(
                cli,
                self.arguments(*args, log_format=log_format),
                env={**self.env, "COLUMNS": "200"},
                catch_exceptions=False,
            )
        return subprocess.CompletedProcess(list(args), result.exit_code, result.stdout, result.stderr)

    def start(self, *args: str, failpoint: str | None = None) -> subprocess.Popen[str]:
        return subprocess.Popen(
            self.command(*args),
            env=self.environment(failpoint),
            cwd=self.config.parent,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    @contextmanager
    def running(self, *args: str, failpoint: str | None = None) -> Iterator[subprocess.Popen[str]]:
        """`depeche *args` in the background (the daemon), killed on the way out if the
        test failed before stopping it: no process outlives its test."""
        process = self.start(*args, failpoint=failpoint)
        try:
            yield process
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate()

    def status(self) -> dict[str, Any]:
        return json.loads(self.read_only("status", "--json"))

    def read_only(self, *args: str) -> str:
        """A reading command, run in this process: the operator's view without
        paying a Python start-up per look."""
        result = CliRunner().invoke(
            cli, ["--config", str(self.config), *args], env=self.env, catch_exceptions=False
        )
        assert result.exit_code == 0, result.output
        return result.stdout

    def stories(self) -> list[dict[str, Any]]:
        """Every story's row, read straight from the SQLite file (read-only): one
        subprocess per story would cost seconds, and these are the columns that
        prove exactly-once."""
        database = self.config.parent / "depeche.db"
        with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as connection:
            connection.row_factory = sqlite3.Row
            rows = connection.execute(
                "SELECT id, uid, guid, title, state, attempts, last_error, post_id, post_url,"
                " lease_owner, lease_until, published_at, url, source_text FROM stories ORDER BY id"
            )
            return [dict(row) for row in rows]


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.05)


def frozen(process: subprocess.Popen[str]) -> bool:
    """Stopped at a `name:stop` failpoint (SIGSTOP): its state in /proc is T."""
    stat = Path(f"/proc/{process.pid}/stat").read_text()
    return stat.rsplit(")", 1)[1].split()[0] == "T"


def kill(process: subprocess.Popen[str]) -> tuple[str, str]:
    """SIGKILL from outside, like the OOM killer; returns what it had written."""
    process.send_signal(signal.SIGKILL)
    out, err = process.communicate(timeout=10)
    assert process.returncode == -signal.SIGKILL
    return out, err

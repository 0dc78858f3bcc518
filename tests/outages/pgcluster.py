"""A throwaway PostgreSQL cluster on its own port, for what stops the database under
the bot (tests/outages and bench/soak.py): Debian's initdb and pg_ctl (package
postgresql), run as the `postgres` user when run as root. `throwaway_cluster()` makes,
starts and removes one; tests get it as the `pg_cluster` fixture (conftest.py)."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

BIN = sorted(Path("/usr/lib/postgresql").glob("*/bin"))


class NoServer(RuntimeError):
    """No PostgreSQL server binaries here (apt-get install postgresql)."""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Cluster:
    def __init__(self, folder: Path, port: int):
        self.folder = folder
        self.port = port
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"

    def _run(self, *args: str) -> None:
        command = [str(BIN[-1] / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=60)

    def start(self) -> None:
        self._run(
            "pg_ctl",
            "-D",
            str(self.folder / "data"),
            "-w",
            "-l",
            str(self.folder / "log"),
            "-o",
            f"-p {self.port} -h 127.0.0.1 -k {self.folder}",
            "start",
        )

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.folder / "data"), "-w", "-m", "fast", "stop")

    def rows(self, query: str) -> list[dict[str, Any]]:
        """The rows of `query`, or none while the cluster is stopped (or the bot has not
        made its tables yet): the tests poll through the outage."""
        engine = create_engine(self.url)
        try:
            with engine.connect() as connection:
                return [dict(row._mapping) for row in connection.execute(text(query))]
        except Exception:
            return []
        finally:
            engine.dispose()


@contextlib.contextmanager
def throwaway_cluster(prefix: str = "depeche-pg-") -> Iterator[Cluster]:
    """A new cluster, started; stopped (unless the caller did) and removed at the end."""
    if not BIN:
        raise NoServer("no PostgreSQL server binaries (apt-get install postgresql)")
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    cluster = Cluster(folder, _free_port())
    try:
        cluster._run("initdb", "-D", str(folder / "data"), "-A", "trust", "-U", "postgres")
        cluster.start()
        yield cluster
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)

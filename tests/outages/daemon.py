"""What the outage tests and bench/soak.py read off a running `depeche daemon`: its
stories stored, its log once stopped, the breakers' lines in it, and its resident
memory, open files and threads."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
from pathlib import Path

from tests.faults.harness import BotProcess


def stop(daemon: subprocess.Popen[str], timeout: float = 20) -> str:
    """SIGTERM, as systemd stops it; returns what it logged."""
    daemon.send_signal(signal.SIGTERM)
    _, stderr = daemon.communicate(timeout=timeout)
    return stderr


def stored(bot: BotProcess) -> int:
    """How many stories the daemon stored; 0 while it is still making its database."""
    try:
        return len(bot.stories())
    except sqlite3.OperationalError:
        return 0


def transitions(log: str, breaker: str) -> tuple[int, int]:
    """How many times the log says `breaker` went down, and came back."""
    lines = log.splitlines()
    return (
        sum(f"{breaker} unavailable since" in line for line in lines),
        sum(f"{breaker} available again" in line for line in lines),
    )


def process_figures(pid: int) -> tuple[int, int, int]:
    """(resident memory in kB, open file descriptors, threads) of a live process."""
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
    )
    memory = int(fields["VmRSS"].split()[0])
    return memory, len(os.listdir(f"/proc/{pid}/fd")), int(fields["Threads"])

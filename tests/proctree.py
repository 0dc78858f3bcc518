"""The processes under a process, read from Linux's /proc: what a test or a bench needs to
see that a bot's children are there, or gone."""

from __future__ import annotations

import os
from pathlib import Path


def _stat_fields(pid: int) -> list[str]:
    """The fields of /proc/PID/stat after the command's name (which may hold spaces)."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def descendants(pid: int) -> dict[int, int]:
    """Every process under `pid`, with its depth (1: a child, 2: a grandchild…)."""
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                parents[int(entry)] = int(_stat_fields(int(entry))[1])
            except (OSError, IndexError):
                continue  # ended meanwhile
    found: dict[int, int] = {}
    frontier, depth = {pid}, 0
    while frontier:
        depth += 1
        frontier = {child for child, parent in parents.items() if parent in frontier}
        found |= dict.fromkeys(frontier, depth)
    return found


def alive(pid: int) -> bool:
    """Whether `pid` runs: a zombie has ended, only its parent has not read its status."""
    try:
        return _stat_fields(pid)[0] != "Z"
    except (OSError, IndexError):
        return False


def resident_bytes(pid: int) -> int:
    """`pid`'s resident memory now (0 once it has ended)."""
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, IndexError):
        return 0

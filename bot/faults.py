"""The faults an operator fixes, and the exit code each one ends a command with.

Light on purpose (no database or HTTP library): `bot.cli` catches them around every
command, and `depeche --help` must not pay for importing the store to do so. The
store and the publishers raise the concrete ones (bot.store.db, bot.publish.outbox).
"""

from __future__ import annotations

from bot.errors import DepecheError

# README, "Exit codes"; 2 is a usage or configuration error, 3 and 4 are `run --once`'s.
EXIT_DATABASE_UNREACHABLE = 5
EXIT_DATABASE_LOCKED = 6
EXIT_DATABASE_CORRUPTED = 7
EXIT_OUTBOX_UNWRITABLE = 8


class OperatorFault(DepecheError):
    """One line that names what is wrong and the fix; no traceback."""

    exit_code = 1

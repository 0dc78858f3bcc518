"""Failpoints: named places where the crash tests kill or freeze the process.

With DEPECHE_FAILPOINT=name (several: comma-separated) in the environment,
the process sends itself SIGKILL when it reaches that place: the same death
as the OOM killer or a power cut, with no cleanup, no `finally`, no flush.
With name:stop it sends itself SIGSTOP instead: frozen there, every thread with
it (the heartbeat too), until the test sends SIGCONT; the stall a worker lives
when its host is paused, which lets its lease run out while it still means to go on.
The crash suite uses them to prove that every boundary of the pipeline is
safe. Unset, a failpoint is one set lookup.
"""

from __future__ import annotations

import os
import signal
import threading

ARMED = frozenset(filter(None, os.environ.get("DEPECHE_FAILPOINT", "").split(",")))


def failpoint(name: str) -> None:
    if name in ARMED:
        os.kill(os.getpid(), signal.SIGKILL)
    elif f"{name}:stop" in ARMED:
        # Sent to this thread, not to the process: the kernel may hand a process's SIGSTOP
        # to another thread (the main one), and this one would run on, past the place,
        # until that thread stops the group (seen: a post made "before" the stall).
        signal.pthread_kill(threading.get_ident(), signal.SIGSTOP)

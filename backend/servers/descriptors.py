"""File descriptors as a budget: how many a server may spend on clients, and what to do at the limit.

Every cache and client cap of a server is sized against `RLIMIT_NOFILE` with headroom for the
process's own descriptors (standard streams, the listener, the cancellation pipe, ...), so a
server never reaches the limit in normal operation. Should it reach it anyway (`EMFILE`, or
`ENFILE` when the whole system is out), the servers shed a cached descriptor and retry (FIFO) or
use a spare descriptor to accept and refuse the connection (sockets), instead of going silent.
"""

from __future__ import annotations

import errno
import os

try:
    import resource
except ImportError:  # Windows: no rlimits; the C runtime's own limit is generous
    resource = None  # type: ignore[assignment]

HEADROOM = 16  # descriptors kept for the process itself (it uses about 8 when idle)
UNLIMITED_BUDGET = 65_536  # what "unlimited" counts as when sizing caches
MINIMUM_BUDGET = 4


def descriptor_limit() -> int:
    """The soft RLIMIT_NOFILE, raised to the hard limit first where the hard limit allows more.

    Raising is what long-running servers conventionally do: a desktop session's soft limit is often
    1024 while the hard limit is much higher. Never raised beyond UNLIMITED_BUDGET.
    """
    if resource is None:
        return UNLIMITED_BUDGET
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = UNLIMITED_BUDGET if hard == resource.RLIM_INFINITY else min(hard, UNLIMITED_BUDGET)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
            soft = wanted
        except (ValueError, OSError):
            pass
    if soft == resource.RLIM_INFINITY:
        return UNLIMITED_BUDGET
    return int(soft)


def client_descriptor_budget() -> int:
    """How many descriptors a server may spend on its clients (limit minus HEADROOM, at least 4)."""
    return max(MINIMUM_BUDGET, descriptor_limit() - HEADROOM)


def out_of_descriptors(error: OSError) -> bool:
    """Whether an OSError means the process (EMFILE) or the system (ENFILE) has no descriptor left."""
    return error.errno in (errno.EMFILE, errno.ENFILE)


class SpareDescriptor:
    """One descriptor held in reserve (/dev/null), to be given up for a moment at the limit.

    At EMFILE a listening socket stays readable and accept() keeps failing: a server that only
    retries spins, one that waits stalls every new client. With a spare it can release it, accept
    the pending connection, tell the client it is busy, close it, and take the spare back.
    """

    def __init__(self) -> None:
        self._fd = -1
        self.take()

    @property
    def held(self) -> bool:
        return self._fd >= 0

    def take(self) -> bool:
        """(Re)open the spare; return whether it is held now."""
        if self._fd < 0:
            try:
                self._fd = os.open(os.devnull, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
            except OSError:
                self._fd = -1
        return self._fd >= 0

    def release(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    close = release

"""The FIFO server's open reply FIFOs: a bounded cache that never holds a dead client's descriptor.

Opening a client's reply FIFO for every small reply costs an open() and a close(); the listener
keeps the most recently used ones open instead. The cache is bounded by a share of the descriptor
budget, and it closes what no client can read any more: a reply FIFO that was unlinked
(`st_nlink == 0`) or whose reader is gone (a pipe's writer sees POLLERR), once a second, and one
whose write failed (EPIPE: the server then reopens the client's path). At EMFILE the server sheds
the oldest entry.
"""

from __future__ import annotations

import os
import select
import threading
from collections import OrderedDict
from typing import Callable, TypeVar

from backend.transports.cancel import Cancellation
from backend.transports.fifo import FifoDirectory, FifoWriteChannel, OutOfDescriptors

T = TypeVar("T")
PRUNE_INTERVAL = 1.0  # seconds between sweeps for dead entries


class ReplyFifoCache:
    """Open reply FIFOs by (pid, channel), least recently used first; thread-safe.

    The listener `acquire`s an entry, writes, and `release`s it; meanwhile no other thread closes
    it (a descriptor closed under a writer could be reused for another file). `prune` (run by a
    thread of its own, once a second) and `shed_one` (at EMFILE) only close entries not in use.
    """

    def __init__(self, directory: FifoDirectory, cancellation: Cancellation, capacity: int) -> None:
        self.directory = directory
        self.cancellation = cancellation
        self.capacity = max(1, capacity)
        self._channels: OrderedDict[tuple[int, int], FifoWriteChannel] = OrderedDict()
        self._lock = threading.Lock()
        self._in_use: FifoWriteChannel | None = None

    def __len__(self) -> int:
        return len(self._channels)

    def acquire(self, pid: int, channel: int) -> FifoWriteChannel:
        """The open reply FIFO of this client, opened now if needed (raises ReplyFifoError); it
        stays open until `release`."""
        key = (pid, channel)
        reply = self.acquire_cached(key)
        if reply is not None:
            return reply
        reply = FifoWriteChannel(self.directory.open_reply(pid, channel), self.cancellation)
        evicted = []
        with self._lock:
            previous = self._channels.pop(key, None)
            if previous is not None:
                evicted.append(previous)
            self._channels[key] = reply
            while len(self._channels) > self.capacity:
                evicted.append(self._channels.popitem(last=False)[1])
            self._in_use = reply
        for old in evicted:
            old.close()
        return reply

    def acquire_cached(self, key: tuple[int, int]) -> FifoWriteChannel | None:
        """This client's reply FIFO if it is open already (then in use until `release`), else None:
        the listener's quick path, which never opens anything."""
        with self._lock:
            reply = self._channels.get(key)
            if reply is not None:
                self._channels.move_to_end(key)
                self._in_use = reply
            return reply

    def release(self, reply: FifoWriteChannel, broken: bool = False) -> None:
        """Done writing to `reply`; with `broken` (the write failed) it is closed and forgotten."""
        self._in_use = None  # from now on the pruning thread may close it
        if not broken:
            return
        with self._lock:
            for key, cached in list(self._channels.items()):
                if cached is reply:
                    del self._channels[key]
        reply.close()

    def shed_one(self) -> bool:
        """Close the least recently used entry not in use (at EMFILE); return whether there was one."""
        with self._lock:
            for key, reply in self._channels.items():
                if reply is not self._in_use:
                    del self._channels[key]
                    break
            else:
                return False
        reply.close()
        return True

    def prune(self) -> int:
        """Close every entry not in use whose FIFO was unlinked or has no reader; return how many."""
        with self._lock:
            entries = [(key, reply) for key, reply in self._channels.items() if reply is not self._in_use]
            if not entries:
                return 0
            poller = select.poll()
            by_fd = {}
            for key, reply in entries:
                by_fd[reply.write_fd] = key
                poller.register(reply.write_fd, 0)  # POLLERR and POLLHUP are always reported
            dead = {by_fd[fd] for fd, events in poller.poll(0) if events & (select.POLLERR | select.POLLHUP)}
            for key, reply in entries:
                try:
                    if os.fstat(reply.write_fd).st_nlink == 0:
                        dead.add(key)
                except OSError:
                    dead.add(key)
            closing = [self._channels.pop(key) for key in dead]
        for reply in closing:
            reply.close()
        return len(closing)

    def prune_until_cancelled(self) -> None:
        """The pruning thread: a sweep every PRUNE_INTERVAL seconds, also while the server is idle."""
        while not self.cancellation.wait(PRUNE_INTERVAL):
            self.prune()

    def close(self) -> None:
        with self._lock:
            entries = list(self._channels.values())
            self._channels.clear()
            self._in_use = None
        for reply in entries:
            reply.close()


def open_with_shedding(cache: ReplyFifoCache, open_once: Callable[[], T],
                       on_shed: Callable[[OutOfDescriptors], None]) -> T:
    """Call `open_once()`; at EMFILE/ENFILE shed cached descriptors one by one and retry.

    `on_shed(error)` is told about each shed. Raises OutOfDescriptors when nothing is left to shed.
    """
    while True:
        try:
            return open_once()
        except OutOfDescriptors as error:
            if not cache.shed_one():
                raise
            on_shed(error)


"""The FIFO server's open reply FIFOs: a bounded cache that never holds a dead client's descriptor.

Opening a client's reply FIFO for every small reply costs an open() and a close(); the listener
keeps the most recently used ones open instead. The cache is bounded by a share of the descriptor
budget, and it closes what no client can read any more: a reply FIFO that was unlinked
(`st_nlink == 0`), one whose reader is gone (a pipe's writer sees POLLERR), and one whose path now
names another FIFO (the client made a new one). At EMFILE the server sheds the oldest entry.
"""

from __future__ import annotations

import os
import select
import threading
import time
from collections import OrderedDict
from typing import Callable, TypeVar

from backend.transports.cancel import Cancellation
from backend.transports.fifo import FifoDirectory, FifoWriteChannel, OutOfDescriptors

T = TypeVar("T")
PRUNE_INTERVAL = 1.0  # seconds between sweeps for dead entries


class ReplyFifoCache:
    """Open reply FIFOs by (pid, channel), least recently used first; thread-safe."""

    def __init__(self, directory: FifoDirectory, cancellation: Cancellation, capacity: int) -> None:
        self.directory = directory
        self.cancellation = cancellation
        self.capacity = max(1, capacity)
        self._channels: OrderedDict[tuple[int, int], FifoWriteChannel] = OrderedDict()
        self._lock = threading.Lock()
        self._last_prune = time.monotonic()

    def __len__(self) -> int:
        return len(self._channels)

    def get(self, pid: int, channel: int) -> FifoWriteChannel:
        """The open reply FIFO of this client, opened now if needed (raises ReplyFifoError).

        A cached descriptor is used only while the client's path still names that same FIFO.
        """
        key = (pid, channel)
        with self._lock:
            reply = self._channels.get(key)
        if reply is not None:
            if self.directory.reply_identity(pid, channel) == reply.identity:
                with self._lock:
                    if key in self._channels:
                        self._channels.move_to_end(key)
                return reply
            self.drop(pid, channel)
        reply = FifoWriteChannel(self.directory.open_reply(pid, channel), self.cancellation)
        evicted = []
        with self._lock:
            previous = self._channels.pop(key, None)
            if previous is not None:
                evicted.append(previous)
            self._channels[key] = reply
            while len(self._channels) > self.capacity:
                evicted.append(self._channels.popitem(last=False)[1])
        for old in evicted:
            old.close()
        return reply

    def drop(self, pid: int, channel: int) -> None:
        with self._lock:
            reply = self._channels.pop((pid, channel), None)
        if reply is not None:
            reply.close()

    def shed_one(self) -> bool:
        """Close the least recently used entry (at EMFILE); return whether there was one."""
        with self._lock:
            if not self._channels:
                return False
            _, reply = self._channels.popitem(last=False)
        reply.close()
        return True

    def prune_due(self) -> bool:
        return bool(self._channels) and time.monotonic() - self._last_prune >= PRUNE_INTERVAL

    def prune(self) -> int:
        """Close every entry whose FIFO was unlinked or has no reader; return how many."""
        self._last_prune = time.monotonic()
        with self._lock:
            entries = list(self._channels.items())
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
        for key in dead:
            self.drop(*key)
        return len(dead)

    def close(self) -> None:
        with self._lock:
            entries = list(self._channels.values())
            self._channels.clear()
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

